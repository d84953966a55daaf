"""python-code (Splice addition): a trusted Python function with a time limit."""

from __future__ import annotations

import asyncio

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


async def test_a_busy_loop_at_module_level_is_stopped_at_the_time_limit() -> None:
    source = "while True:\n    pass\n\ndef run(context, step_results):\n    return 1\n"
    with pytest.raises(python_code.PythonCodeTimeout, match="was stopped"):
        await asyncio.wait_for(invoke(TIGHT, "runCode", {"code": source}), 5)


async def test_a_cpu_bound_async_run_is_stopped_and_keeps_its_logs() -> None:
    source = """
async def run(context, step_results):
    context.logger.info("before")
    while True:
        pass
"""
    logs: list[tuple[LogSeverity, str]] = []
    with pytest.raises(python_code.PythonCodeTimeout, match="was stopped"):
        await asyncio.wait_for(invoke(TIGHT, "runCode", {"code": source}, logs=logs), 5)
    assert logs == [("info", "before")]


async def test_the_event_loop_keeps_running_while_async_code_spins() -> None:
    source = "async def run(context, step_results):\n    while True:\n        pass\n"
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        with pytest.raises(python_code.PythonCodeTimeout):
            await invoke(TIGHT, "runCode", {"code": source})
    finally:
        ticker.cancel()
    assert ticks > 5


async def test_a_blocking_call_at_module_level_is_abandoned() -> None:
    source = "import time\ntime.sleep(3)\ndef run(context, step_results):\n    return 1\n"
    fast = python_code.make_component(timeout_s=0.1)
    with pytest.raises(python_code.PythonCodeTimeout, match="abandoned"):
        await asyncio.wait_for(invoke(fast, "runCode", {"code": source}), 2.5)


async def test_async_run_logs_and_returns_and_its_own_timeout_error_is_kept() -> None:
    source = """
async def run(context, step_results):
    context.logger.info("hi")
    await context.state.set("crossFlow", "k", 1)
    return await context.state.keys("crossFlow")
"""
    logs: list[tuple[LogSeverity, str]] = []
    state = MemoryState()
    assert await invoke(
        python_code.COMPONENT, "runCode", {"code": source}, state=state, logs=logs
    ) == ["k"]
    assert logs == [("info", "hi")]
    raising = "def run(context, step_results):\n    raise TimeoutError('upstream')\n"
    with pytest.raises(TimeoutError, match="upstream"):
        await invoke(python_code.COMPONENT, "runCode", {"code": raising})
