"""Run JavaScript in a fresh V8 isolate (mini-racer) with a time limit and a memory limit.

Used by ``code.runCode`` and the JavaScript callbacks of ``collection-tools``. Each run gets its
own isolate, so nothing leaks between steps, and it is closed afterwards. Runs take turns on one
thread per process: mini-racer crashes when isolates run on two threads at once. Closing is
also what stops a script still spinning after its time is up (V8 runs promise callbacks outside
any cancelable call, so the time limit is enforced by polling with a deadline and then closing).

Data crosses the boundary as JSON: arguments go in as ``__args``, the result comes back through
``JSON.stringify`` (so ``Date`` becomes ISO text and ``undefined`` becomes ``None``). Bytes go in
as base64 text. Log calls (``logger.*`` and ``console.*``) are collected in order and returned
with the outcome, for the caller to forward to the step's logger.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from py_mini_racer import (
    JSEvalException,
    JSMappedObject,
    JSOOMException,
    JSTimeoutException,
    MiniRacer,
)
from py_mini_racer._mini_racer import _make_context

from splice.components.builtin._support import json_default
from splice.components.sdk import ActionError

__all__ = [
    "DEFAULT_LIMITS",
    "FetchHandler",
    "JsError",
    "JsLimits",
    "JsMemoryExceeded",
    "JsOutcome",
    "JsTimeout",
    "run_js",
]


@dataclass(frozen=True, slots=True)
class JsLimits:
    """How long a script may run (seconds, wall clock) and how much V8 heap it may use (bytes)."""

    timeout_s: float = 30.0
    max_memory: int = 256 * 1024 * 1024


DEFAULT_LIMITS = JsLimits()


@dataclass(frozen=True, slots=True)
class JsOutcome:
    """What a script returned (JSON-decoded) and the log lines it wrote, in order."""

    value: Any
    logs: tuple[tuple[str, str], ...]


class JsError(ActionError):
    """The script failed: a syntax error or an exception it threw (message keeps the JS stack)."""

    def __init__(self, message: str, logs: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.logs = logs


class JsTimeout(JsError):
    """The script ran past its time limit and was stopped."""


class JsMemoryExceeded(JsError):
    """The script went over its memory limit and was stopped."""


_PRELUDE = """\
var __outcome = null;
var __logs = [];
const __fmt = (args) => args.map((a) => {
  if (typeof a === "string") return a;
  try { const s = JSON.stringify(a); return s === undefined ? String(a) : s; }
  catch (e) { return String(a); }
}).join(" ");
const __log = (level) => (...args) => { __logs.push([level, __fmt(args)]); };
const logger = Object.freeze({
  debug: __log("debug"), info: __log("info"), warn: __log("warn"), error: __log("error"),
  metric: __log("metric"), log: __log("info"),
});
const console = Object.freeze({
  debug: __log("debug"), info: __log("info"), log: __log("info"), warn: __log("warn"),
  error: __log("error"),
});
const __done = (value) => {
  let text;
  try { text = value === undefined ? "null" : JSON.stringify(value); }
  catch (e) { __outcome = { ok: false, error: "result is not JSON-serialisable: " + e }; return; }
  __outcome = { ok: true, json: text === undefined ? "null" : text };
};
const __fail = (e) => {
  // the stack without the harness's own frames: the message and the frames of the user's code
  const text = (e && e.stack) ? String(e.stack).split("\\n").filter(
    (line, i) => i === 0 || !/^\\s+at /.test(line) || line.includes("eval at")).join("\\n")
    : String(e);
  __outcome = { ok: false, error: text };
};
"""

_FETCH = """\
const fetch = async (resource, init) => {
  init = init || {};
  let headers = init.headers || {};
  if (Array.isArray(headers)) headers = Object.fromEntries(headers);
  const request = {
    url: String(resource && resource.url ? resource.url : resource),
    method: String(init.method || "GET").toUpperCase(),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [String(k), String(v)])),
    body: init.body === undefined || init.body === null ? null : String(init.body),
  };
  const answer = JSON.parse(await __splice_fetch(JSON.stringify(request)));
  if (answer.error) throw new TypeError("fetch failed: " + answer.error);
  const lower = Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    ok: answer.status >= 200 && answer.status < 300,
    status: answer.status,
    statusText: answer.statusText,
    url: answer.url,
    headers: {
      get: (name) => { const v = lower[String(name).toLowerCase()]; return v === undefined ? null : v; },
      has: (name) => String(name).toLowerCase() in lower,
      entries: () => Object.entries(lower)[Symbol.iterator](),
    },
    text: async () => answer.body,
    json: async () => JSON.parse(answer.body),
  };
};
"""

FetchHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
"""Answers a script's ``fetch``: ``{url, method, headers, body}`` in, ``{status, statusText, url,
headers, body}`` (text body) or ``{error}`` out. It runs on the caller's event loop."""

_POLL = "__outcome === null ? null : JSON.stringify({ o: __outcome, logs: __logs })"


async def run_js(
    body: str,
    args: Mapping[str, Any],
    *,
    limits: JsLimits = DEFAULT_LIMITS,
    fetch: FetchHandler | None = None,
) -> JsOutcome:
    """Run ``body``, the text of an async function that sees ``__args``, ``logger`` and ``console``
    (and ``fetch`` when a handler is given).

    The isolate runs on the JavaScript thread so the event loop stays free while V8 works;
    ``fetch`` calls come back to this event loop, where ``fetch`` does the I/O. Scripts run one
    at a time per process (see ``_ONE_AT_A_TIME``); the time limit counts from a script's start.
    """
    loop = asyncio.get_running_loop()
    bridge = None if fetch is None else _bridge(fetch, loop)
    return await loop.run_in_executor(_ONE_AT_A_TIME, _run, body, args, limits, bridge)


# mini-racer 0.13 and 0.14 crash the process (SIGSEGV in libmini_racer) when isolates run on two
# threads at once; 0.12, which had no such crash, lacks the context API used here. So every
# script of the process runs on this one thread, in turn. A script waiting for its turn holds
# no other thread, and one cancelled while it waits (its step timed out) never starts.
_ONE_AT_A_TIME = ThreadPoolExecutor(max_workers=1, thread_name_prefix="splice-js")


def _bridge(
    fetch: FetchHandler, caller: asyncio.AbstractEventLoop
) -> Callable[..., Awaitable[str]]:
    """The Python function the isolate calls (on its own loop): JSON text in and out."""

    async def answer(text: str) -> dict[str, Any]:
        try:
            return await fetch(json.loads(text))
        except Exception as error:  # the script gets a failed fetch, never a traceback
            return {"error": f"{type(error).__name__}: {error}"}

    async def bridge(*arguments: Any) -> str:
        text = str(arguments[0]) if arguments else "{}"
        future = asyncio.run_coroutine_threadsafe(answer(text), caller)
        return json.dumps(await asyncio.wrap_future(future), default=json_default)

    return bridge


def _script(body: str, args: Mapping[str, Any], with_fetch: bool = False) -> str:
    payload = json.dumps(dict(args), default=json_default, ensure_ascii=False)
    return (
        _PRELUDE
        + (_FETCH if with_fetch else "")
        + f"const __args = JSON.parse({json.dumps(payload)});\n"
        + "(async () => {\n"
        + body
        + "\n})().then(__done, __fail);\n"
    )


def _logs(raw: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(level), str(text)) for level, text in raw)


def _run(
    body: str,
    args: Mapping[str, Any],
    limits: JsLimits,
    bridge: Callable[..., Awaitable[str]] | None = None,
) -> JsOutcome:
    # The isolate gets an event loop of our own that outlives it: freeing an isolate whose
    # script was stopped calls back into that loop, which mini-racer's own loop no longer takes.
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="splice-js", daemon=True)
    thread.start()
    try:
        with _make_context(loop) as context:
            racer = MiniRacer(context)
            if bridge is None:
                polled = _evaluate(racer, body, args, limits)
            else:
                wrapped = racer.wrap_py_function(bridge)
                js_function = asyncio.run_coroutine_threadsafe(wrapped.__aenter__(), loop).result()
                try:
                    global_object = racer.eval("globalThis")
                    assert isinstance(global_object, JSMappedObject)
                    global_object["__splice_fetch"] = js_function
                    polled = _evaluate(racer, body, args, limits, with_fetch=True)
                finally:
                    exit_ = wrapped.__aexit__(None, None, None)
                    asyncio.run_coroutine_threadsafe(exit_, loop).result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
    logs = _logs(polled["logs"])
    outcome = polled["o"]
    if not outcome["ok"]:
        raise JsError(str(outcome["error"]), logs)
    return JsOutcome(json.loads(outcome["json"]), logs)


def _evaluate(
    racer: MiniRacer,
    body: str,
    args: Mapping[str, Any],
    limits: JsLimits,
    *,
    with_fetch: bool = False,
) -> dict[str, Any]:
    deadline = time.monotonic() + limits.timeout_s
    racer.set_hard_memory_limit(limits.max_memory)
    try:
        racer.eval(_script(body, args, with_fetch), timeout_sec=limits.timeout_s)
        return _wait(racer, deadline, limits)
    except JSTimeoutException:
        raise JsTimeout(f"script ran longer than {limits.timeout_s:g} s and was stopped") from None
    except JSOOMException:
        raise _memory(limits) from None
    except JSEvalException as error:
        raise JsError(str(error)) from None


def _wait(racer: MiniRacer, deadline: float, limits: JsLimits) -> dict[str, Any]:
    """Poll until the script's promise settles, the deadline passes or memory runs out."""
    pause = 0.0005
    while True:
        if racer.was_hard_memory_limit_reached():
            raise _memory(limits)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise JSTimeoutException
        polled = racer.eval(_POLL, timeout_sec=remaining)
        if isinstance(polled, str):
            result: dict[str, Any] = json.loads(polled)
            return result
        time.sleep(min(pause, max(remaining, 0.0)))
        pause = min(pause * 2, 0.02)


def _memory(limits: JsLimits) -> JsMemoryExceeded:
    mib = limits.max_memory / (1024 * 1024)
    return JsMemoryExceeded(f"script used more than {mib:g} MiB of memory and was stopped")
