"""Step keys (spec 5.1): every example the spec gives, plus the cases it leaves open."""

from __future__ import annotations

import pytest

from splice.definition import step_key

SPEC_EXAMPLES = [
    # The table: where the rule differs from lodash camelCase.
    ("Receive GitHub Events Trigger", "receiveGithubEventsTrigger"),
    ("Raw GraphQL Request", "rawGraphqlRequest"),
    ("JavaScript Object to JSON", "javascriptObjectToJson"),
    ("Prep Agent and RunResult for Storage", "prepAgentAndRunresultForStorage"),
    ("Get a Queue's URL", "getAQueueSUrl"),
    ("Get Thread's Last Response ID", "getThreadSLastResponseId"),
    # The list where both rules agree.
    ("Find & Replace", "findReplace"),
    ("Deserialize XML", "deserializeXml"),
    ("POST Request", "postRequest"),
    ("GET Request 2", "getRequest2"),
    ("Get Current Date/Time", "getCurrentDateTime"),
    ("Webhook/Subscriptions Trigger", "webhookSubscriptionsTrigger"),
    ("[CRM] Query Entities", "crmQueryEntities"),
    ("Add # of Jira issues + STARTAT value", "addOfJiraIssuesStartatValue"),
    ("Create Push Notification (Watch Request)", "createPushNotificationWatchRequest"),
    ("Loop over 5 pages", "loopOver5Pages"),
    ("Agent: Run", "agentRun"),
    ("First Execution?", "firstExecution"),
    ("Deserialize URL-encoded Form Data", "deserializeUrlEncodedFormData"),
    # The workflow-builder docs.
    ("My Step Name", "myStepName"),
    ("my step name", "myStepName"),
    ("HTTP - GET", "httpGet"),
    ("Fetch 🚀 rocket launches", "fetchRocketLaunches"),
]


@pytest.mark.parametrize(("name", "key"), SPEC_EXAMPLES)
def test_spec_examples(name: str, key: str) -> None:
    assert step_key(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Crée fichier", "créeFichier"),  # non-ASCII letters stay letters
        ("Über Straße", "überStraße"),
        ("2nd Try", "2ndTry"),  # a leading digit is kept
        ("  padded   name  ", "paddedName"),
        ("a", "a"),
        ("A", "a"),
        ("--", ""),  # nothing left: validation rejects it
        ("", ""),
        ("🚀", ""),
    ],
)
def test_open_cases(name: str, key: str) -> None:
    assert step_key(name) == key


def test_case_changes_inside_a_word_do_not_split() -> None:
    assert step_key("GitHub") == "github"
    assert step_key("iPhone Sync") == "iphoneSync"
