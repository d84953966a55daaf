"""python-code (Splice addition): a trusted Python function with a time limit."""

from __future__ import annotations

import pytest

from splice.components.builtin import python_code
from splice.components.context import LogSeverity
from splice.components.inputs import InputValueError
from splice.components.testing import MemoryState, invoke

TIGHT = python_code.make_component(timeout_s=0.3)


async def test_run_reads_step_results_and_config_vars_and_logs() -> None:
    source = """
def run(context, step_results):
    records = step_results["fetchRecords"]["results"]
    context.logger.info("records", len(records))
    size = int(context.config_vars["SFDC Page Size"])
    return {"pages": -(-len(records) // size), "first": records[0]["Id"]}
"""
    logs: list[tuple[LogSeverity, str]] = []
    result = await invoke(
        python_code.COMPONENT,
        "runCode",
        {"code": source},
        config_vars={"SFDC Page Size": "2"},
        step_results={"fetchRecords": [{"Id": "001A"}, {"Id": "001B"}, {"Id": "001C"}]},
        logs=logs,
    )
    assert result == {"pages": 2, "first": "001A"}
    assert logs == [("info", "records 3")]


async def test_async_run_can_use_state() -> None:
    source = """
async def run(context, step_results):
    seen = await context.state.get("crossFlow", "seen") or 0
    await context.state.set("crossFlow", "seen", seen + 1)
    return seen + 1
"""
    state = MemoryState({"crossFlow": {"seen": 4}})
    assert await invoke(python_code.COMPONENT, "runCode", {"code": source}, state=state) == 5
    assert state.scopes["crossFlow"]["seen"] == 5


async def test_a_busy_loop_is_stopped_at_the_time_limit_and_logs_still_arrive() -> None:
    source = """
def run(context, step_results):
    context.logger.warn("spinning")
    while True:
        pass
"""
    logs: list[tuple[LogSeverity, str]] = []
    with pytest.raises(python_code.PythonCodeTimeout):
        await invoke(TIGHT, "runCode", {"code": source}, logs=logs)
    assert logs == [("warn", "spinning")]


async def test_async_code_is_cancelled_at_the_time_limit() -> None:
    source = """
import asyncio
async def run(context, step_results):
    await asyncio.Event().wait()
"""
    with pytest.raises(python_code.PythonCodeTimeout):
        await invoke(TIGHT, "runCode", {"code": source})


@pytest.mark.parametrize(
    ("source", "message"),
    [("def run(context, step_results)\n    return 1", "syntax error at line 1"), ("x = 1", "run")],
)
async def test_bad_code_names_the_problem(source: str, message: str) -> None:
    with pytest.raises(InputValueError, match=message):
        await invoke(python_code.COMPONENT, "runCode", {"code": source})


async def test_exceptions_from_the_code_fail_the_step() -> None:
    source = "def run(context, step_results):\n    return step_results['missing']['results']\n"
    with pytest.raises(KeyError, match="missing"):
        await invoke(python_code.COMPONENT, "runCode", {"code": source})
