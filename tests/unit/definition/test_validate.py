"""Validation (spec 16) over the corpus, the hand-written sample, and targeted broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from splice.components.registry import Registry
from splice.definition import DefinitionIssue, IntegrationDefinition, load, missing_components
from splice.definition import validate as run_validate
from tests.unit.definition.corpus import (
    CORE_ONLY,
    FIXTURES,
    HAND_WRITTEN,
    corpus_file,
    params,
    valid_files,
)

REGISTRY = Registry.with_builtins()
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
LOOP = (FIXTURES / "loop-and-branch.yaml").read_text(encoding="utf-8")


def issues(text: str) -> list[DefinitionIssue]:
    return run_validate(load(text), REGISTRY)


def texts(text: str) -> list[str]:
    return [issue.text for issue in issues(text)]


def _is_missing_component(issue: DefinitionIssue, model: IntegrationDefinition) -> bool:
    return any(
        f"component '{key}' is not installed" in issue.message
        for key in missing_components(model, REGISTRY)
    )


@pytest.mark.parametrize("path", params([p for p in valid_files() if p.name != HAND_WRITTEN]))
def test_exports_have_no_errors_but_missing_components(path: Path) -> None:
    model = load(path.read_bytes())
    found = [i for i in run_validate(model, REGISTRY) if not _is_missing_component(i, model)]
    assert found == []


@pytest.mark.parametrize("name", CORE_ONLY)
def test_core_only_exports_have_zero_issues(name: str) -> None:
    model = load(corpus_file(name).read_bytes())
    assert missing_components(model, REGISTRY) == []
    assert run_validate(model, REGISTRY) == []


def test_missing_components_of_a_saas_export() -> None:
    model = load(corpus_file("example-dropbox-router.yml").read_bytes())
    assert missing_components(model, REGISTRY) == ["dropbox"]
    missing = [i for i in run_validate(model, REGISTRY) if "not installed" in i.message]
    assert len(missing) == 1, "one issue per missing component"
    assert missing[0].severity == "error"
    assert "component 'dropbox' is not installed" in missing[0].message
    assert "flow 'Route Request'" in missing[0].message


def test_sample_integration_reports_dangling_references_and_unknown_actions() -> None:
    found = issues(corpus_file(HAND_WRITTEN).read_text(encoding="utf-8"))
    errors = [i for i in found if i.severity == "error"]
    refs = [i for i in errors if "trigger.results.body" in i.message]
    assert {(i.flow, i.step, i.input) for i in refs} == {
        ("Customer Sync", "Transform Data", "data"),
        ("Order Processing", "Process Order", "data"),
    }
    unknown = {(i.flow, i.step) for i in errors if "has no action" in i.message}
    assert unknown == {
        ("Customer Sync", "HTTP Trigger"),
        ("Customer Sync", "API Call"),
        ("Order Processing", "Order Trigger"),
        ("Order Processing", "Call Customer Sync"),
    }
    messages = " ".join(i.message for i in errors)
    for action in ("webhook", "httpRequest", "triggerFlow"):
        assert f"no action {action}" in messages
    assert missing_components(load(corpus_file(HAND_WRITTEN).read_bytes()), REGISTRY) == []


def test_valid_fixtures_have_no_issues() -> None:
    assert issues(MINIMAL) == []
    assert issues(LOOP) == []


def test_issue_text_format() -> None:
    issue = DefinitionIssue("F", "S", "url", "broken", "fix it")
    assert issue.text == "Flow 'F', step 'S', input 'url': broken (fix it)"
    assert DefinitionIssue(None, None, None, "broken", "").text == "broken"
    assert DefinitionIssue("F", None, None, "m", "f", "warning").text == "Flow 'F': m (f)"


def test_duplicate_step_keys_name_both_steps() -> None:
    text = MINIMAL.replace("- name: POST Request", "- name: post request")
    text += (
        "      - name: POST-Request\n"
        "        action: {key: httpGet, component: {key: http, version: LATEST, isPublic: true}}\n"
        "        inputs: {url: {type: value, value: 'http://x'}}\n"
    )
    found = [i for i in issues(text) if "share the step key" in i.message]
    assert len(found) == 1
    assert "'post request'" in found[0].message and "'POST-Request'" in found[0].message
    assert found[0].flow == "Forward Payload"


def test_same_step_key_in_two_flows_is_fine() -> None:
    flow = MINIMAL[MINIMAL.index("  - name: Forward Payload") :]
    text = MINIMAL + flow.replace("name: Forward Payload\n", "name: Second Flow\n", 1).replace(
        "Forward Payload Trigger", "Second Flow Trigger"
    ).replace("forwardPayloadTrigger", "secondFlowTrigger")
    assert issues(text) == []


def test_dangling_reference_names_flow_step_input_and_path() -> None:
    text = MINIMAL.replace("forwardPayloadTrigger.results", "nope.results")
    (issue,) = issues(text)
    assert (issue.flow, issue.step, issue.input) == ("Forward Payload", "POST Request", "data")
    assert "'nope.results.body.data'" in issue.message
    assert "forwardPayloadTrigger" in issue.fix


def test_reference_to_a_later_step_is_an_error() -> None:
    text = LOOP.replace(
        "value: sendItemsTrigger.results.body.data.records", "value: logResults.results"
    )
    found = issues(text)
    assert [i.step for i in found] == ["Loop Over Items"]
    assert "has not run" in found[0].message and "'Log Results'" in found[0].message


def test_current_item_outside_its_loop_is_an_error() -> None:
    text = LOOP.replace(
        "message: {type: reference, value: sendItem.results}",
        "message: {type: reference, value: loopOverItems.currentItem}",
    )
    (issue,) = issues(text)
    assert issue.step == "Log Results" and "only available inside loop" in issue.message


def test_loop_results_inside_the_loop_is_an_error() -> None:
    text = LOOP.replace(
        "data: {type: reference, value: loopOverItems.currentItem}",
        "data: {type: reference, value: loopOverItems.results}",
    )
    (issue,) = issues(text)
    assert issue.step == "Send Item" and issue.input == "data"


def test_steps_inside_a_loop_are_visible_after_it() -> None:
    assert "sendItem.results" in LOOP and issues(LOOP) == []


def test_template_placeholders_are_checked() -> None:
    text = LOOP.replace("{{$loopOverItems.index}}", "{{$missingStep.results}}").replace(
        "{{#Target URL}}", "{{#No Such Var}}"
    )
    found = issues(text)
    assert {i.input for i in found} == {"headers"}
    assert any("'missingStep.results'" in i.message for i in found)
    assert any("config variable 'No Such Var' is not declared" in i.message for i in found)


def test_missing_config_var_in_input_and_page() -> None:
    text = MINIMAL.replace(
        "url: {type: configVar, value: Target URL}", "url: {type: configVar, value: Target Url}"
    )
    text = text.replace("        value: Target URL\n", "        value: Other Var\n")
    found = texts(text)
    assert (
        "Flow 'Forward Payload', step 'POST Request', input 'url': config variable 'Target Url' "
        "is not declared (add it to requiredConfigVars or correct the name)"
    ) in found
    assert any("config page 'Settings' shows config variable 'Other Var'" in t for t in found)


def test_empty_config_var_input_means_not_set() -> None:
    text = MINIMAL.replace(
        "responseType: {type: value, value: json}", "connection: {type: configVar, value: ''}"
    )
    assert issues(text) == []


def test_branch_names_must_match_conditions_plus_else() -> None:
    text = LOOP.replace("- {name: Else, steps: []}", "- {name: Otherwise, steps: []}")
    (issue,) = issues(text)
    assert issue.step == "Stop When Done" and issue.input == "conditions"
    assert "'Else'" in issue.message


def test_break_loop_outside_a_loop() -> None:
    text = MINIMAL + (
        "      - name: Break\n"
        "        action: {key: breakLoop, component: {key: loop, version: LATEST, isPublic: true}}\n"
        "        inputs: {}\n"
    )
    (issue,) = issues(text)
    assert issue.step == "Break" and "only allowed inside a loop" in issue.message


def test_unknown_action_and_missing_required_input() -> None:
    text = MINIMAL.replace("key: httpPost", "key: httpFly")
    (issue,) = issues(text)
    assert issue.step == "POST Request" and "no action httpFly" in issue.message
    assert "httpGet" in issue.fix
    text = MINIMAL.replace("url: {type: configVar, value: Target URL}", "")
    (issue,) = issues(text)
    assert (issue.input, issue.message) == ("url", "a required input is missing")


def test_unknown_input_is_a_warning() -> None:
    text = MINIMAL.replace("responseType:", "responseKind:")
    (issue,) = issues(text)
    assert issue.severity == "warning" and issue.input == "responseKind"


def test_trigger_rules() -> None:
    text = MINIMAL.replace("        isTrigger: true\n", "")
    assert any("must be its trigger" in t for t in texts(text))
    text = MINIMAL.replace(
        '        description: ""\n        action:\n          key: httpPost',
        "        isTrigger: true\n        action:\n          key: httpPost",
    )
    found = texts(text)
    assert any("only the first step of a flow may be a trigger" in t for t in found)
    assert any("is not a trigger" in t for t in found)


def test_duplicate_flow_names() -> None:
    flow = MINIMAL[MINIMAL.index("  - name: Forward Payload") :]
    (issue,) = issues(MINIMAL + flow)
    assert "flow name 'Forward Payload' is used by more than one flow" in issue.message


def test_schedule_trigger_needs_a_schedule_and_schedule_config_var_exists() -> None:
    text = MINIMAL.replace(
        "key: webhook\n          component: {key: webhook-triggers",
        "key: schedule\n          component: {key: schedule-triggers",
    )
    assert any("needs a schedule" in t for t in texts(text))
    text = text.replace(
        "        inputs: {}\n",
        "        inputs: {}\n        schedule: {type: configVar, value: Nightly}\n",
    )
    assert any("config variable 'Nightly' is not declared" in t for t in texts(text))


def test_endpoint_type_needs_routing() -> None:
    text = MINIMAL.replace("endpointType: flow_specific", "endpointType: shared_instance")
    found = texts(text)
    assert any("needs flowNameField" in t and "preprocess flow" in t for t in found)
    assert any("needs externalCustomerIdField" in t for t in found)
    ok = text.replace(
        'category: ""',
        'category: ""\npreprocessFlowName: Forward Payload\n'
        "flowNameField: {type: reference, value: onExecution.results.flow}\n"
        "externalCustomerIdField: {type: reference, value: onExecution.results.customer}",
    )
    assert issues(ok) == []


def test_error_config_and_schedule_settings() -> None:
    text = MINIMAL.replace(
        "        inputs:\n          url:",
        "        errorConfig: {errorHandlerType: explode, maxAttempts: 9}\n"
        "        schedule: {type: value, value: '0 2 * *'}\n"
        "        inputs:\n          url:",
    )
    found = texts(text)
    assert any("unknown errorHandlerType 'explode'" in t for t in found)
    assert any("maxAttempts 9 is outside 0-5" in t for t in found)
    assert any("only a trigger can have a schedule" in t for t in found)
    assert any("not a 5-field cron expression" in t for t in found)


def test_queue_config_rules() -> None:
    text = MINIMAL.replace(
        "    isSynchronous: false\n",
        "    isSynchronous: false\n"
        "    queueConfig: {usesFifoQueue: true, singletonExecutions: true, concurrencyLimit: 40}\n",
    )
    found = texts(text)
    assert any("both usesFifoQueue and singletonExecutions" in t for t in found)
    assert any("concurrencyLimit 40 is outside 2-15" in t for t in found)


def test_unknown_config_var_data_type_is_a_warning() -> None:
    text = MINIMAL.replace("dataType: string", "dataType: colour")
    (issue,) = issues(text)
    assert issue.severity == "warning" and "unknown dataType 'colour'" in issue.message


def test_retry_config_rules() -> None:
    text = MINIMAL.replace(
        "    isSynchronous: false\n",
        "    isSynchronous: true\n    retryConfig: {maxAttempts: 11, delayMinutes: -5}\n",
    )
    found = texts(text)
    assert any("retryConfig.maxAttempts 11 is outside 0-10" in t for t in found)
    assert any("retryConfig.delayMinutes -5 is outside 0-60" in t for t in found)
    assert any("a synchronous flow cannot have retryConfig" in t for t in found)
    fine = MINIMAL.replace(
        "    isSynchronous: false\n",
        "    isSynchronous: false\n    retryConfig: {maxAttempts: 10, delayMinutes: 60}\n",
    )
    assert not any("retryConfig" in t for t in texts(fine))


def test_unknown_time_zones_are_named() -> None:
    from splice.definition.models import Schedule

    model = load(MINIMAL)
    trigger = model.flows[0].steps[0]
    trigger.schedule = Schedule(type="value", value="* * * * *", meta={"timeZone": "Mars/Olympus"})
    found = [issue.text for issue in run_validate(model, REGISTRY)]
    assert any("schedule timeZone 'Mars/Olympus' is not a known time zone" in t for t in found)
    trigger.schedule = Schedule(type="value", value="* * * * *", meta={"timeZone": "Asia/Kolkata"})
    assert not any("time zone" in issue.text for issue in run_validate(model, REGISTRY))
