"""Splice benchmarks: sync webhook, async ingest, bare Starlette baseline, engine overhead.

Run ``python benchmarks/run.py [--seconds S] [--rounds N]``; prints one table. Load comes from
wrk (Debian package ``wrk``) with ``post.lua``; everything targets 127.0.0.1 and every wrk run is
bounded by a duration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
LUA = Path(__file__).with_name("post.lua")
CONCURRENCY = (1, 10, 50)
BARE = "bare Starlette app"
FLOOR_SYNC = "floor: sync rows"
FLOOR_INGEST = "floor: ingest row"
# each Splice benchmark and the persistence floor of the same work (floor_app.py)
FLOOR_OF = {"sync webhook": FLOOR_SYNC, "async ingest": FLOOR_INGEST}
TRANSFORM_STEPS = [
    {
        "name": "Upper Name",
        "action": {
            "key": "upperCase",
            "component": {"key": "text-manipulation", "version": "LATEST", "isPublic": True},
        },
        "inputs": {"text": {"type": "reference", "value": "benchTrigger.results.body.data.name"}},
    },
    {
        "name": "Answer",
        "action": {
            "key": "stopExecution",
            "component": {"key": "stop-execution", "version": "LATEST", "isPublic": True},
        },
        "inputs": {
            "statusCode": {"type": "value", "value": "200"},
            "contentType": {"type": "value", "value": "application/json"},
            "jsonBody": {"type": "template", "value": '{"name": "{{$upperName.results}}"}'},
            "headers": {"type": "complex", "value": []},
        },
    },
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def definition(synchronous: bool) -> str:
    flow = {
        "name": "Bench",
        "description": "",
        "isSynchronous": synchronous,
        "endpointSecurityType": "unsecured",
        "steps": [
            {
                "name": "Bench Trigger",
                "isTrigger": True,
                "action": {
                    "key": "webhook",
                    "component": {"key": "webhook-triggers", "version": "LATEST", "isPublic": True},
                },
                "inputs": {},
            },
            *TRANSFORM_STEPS,
        ],
    }
    name = "Bench Sync" if synchronous else "Bench Async"
    return yaml.safe_dump(
        {
            "definitionVersion": 7,
            "name": name,
            "description": "",
            "flows": [flow],
            "requiredConfigVars": [],
            "configPages": [],
        }
    )


@dataclass(frozen=True)
class Measurement:
    """One wrk run against one URL at one concurrency."""

    label: str
    concurrency: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def require_wrk() -> str:
    """The wrk binary, or exit with how to install it."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(
            "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk`"
        )
    return found


def wrk(binary: str, label: str, url: str, concurrency: int, seconds: float) -> Measurement:
    """Drive ``url`` with ``concurrency`` connections for ``seconds`` (one wrk thread)."""
    if not url.startswith("http://127.0.0.1:"):
        raise SystemExit(f"refusing to load a non-loopback URL: {url}")
    command = [
        binary,
        "-t1",
        f"-c{concurrency}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((x for x in output.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary for {url}:\n{output}")
    data = json.loads(line.removeprefix("BENCH "))
    return Measurement(
        label,
        concurrency,
        data["requests"] / (data["duration_us"] / 1e6),
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        data["socket_errors"] + data["status_errors"],
    )


def drain(database: Path, timeout: float = 300) -> None:
    """Wait until the async backlog has run, so it does not load the next measurement."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as conn:
            (left,) = conn.execute(
                "SELECT count(*) FROM executions WHERE status IN ('pending', 'running')"
            ).fetchone()
        if left == 0:
            return
        time.sleep(0.5)
    raise SystemExit(f"{left} executions still unfinished after {timeout:g} s")


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{command[0]} did not start on port {port}")


async def splice_urls(base: str, token: str) -> dict[str, str]:
    urls: dict[str, str] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for synchronous in (True, False):
            answer = await client.post(
                f"{base}/api",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "query": "mutation($d: String!) { importIntegration(input: {definition: $d}) "
                    "{ integration { flows { nodes { testUrl } } } errors { messages } } }",
                    "variables": {"d": definition(synchronous)},
                },
            )
            payload = answer.json()["data"]["importIntegration"]
            if payload["errors"]:
                raise SystemExit(f"import failed: {payload['errors']}")
            node = payload["integration"]["flows"]["nodes"][0]
            urls["sync" if synchronous else "async"] = node["testUrl"]
    return urls


def engine_overhead(steps: int = 100, runs: int = 30) -> float:
    """Microseconds per step of run_flow over no-op log steps with a null sink."""
    from splice.components.registry import Registry
    from splice.components.testing import MemoryState
    from splice.definition import load as load_definition
    from splice.engine import RunContext, run_flow

    class NullSink:
        async def step_finished(self, result: Any) -> None:
            return None

        async def log(self, entry: Any) -> None:
            return None

    flow_steps = [
        {
            "name": "Bench Trigger",
            "isTrigger": True,
            "action": {
                "key": "webhook",
                "component": {"key": "webhook-triggers", "version": "LATEST", "isPublic": True},
            },
            "inputs": {},
        }
    ]
    flow_steps += [
        {
            "name": f"Step {n}",
            "action": {
                "key": "upperCase",
                "component": {"key": "text-manipulation", "version": "LATEST", "isPublic": True},
            },
            "inputs": {"text": {"type": "value", "value": "abc"}},
        }
        for n in range(steps)
    ]
    model = load_definition(
        yaml.safe_dump(
            {
                "definitionVersion": 7,
                "name": "Overhead",
                "flows": [{"name": "Overhead", "steps": flow_steps}],
            }
        )
    )
    registry = Registry.with_builtins()
    sink = NullSink()

    async def once() -> None:
        context = RunContext(execution_id="bench", config_vars={}, state=MemoryState())
        await run_flow(
            model.flows[0], {"body": {"data": {}}}, registry=registry, sink=sink, context=context
        )

    async def measure() -> float:
        await once()
        timings = []
        for _ in range(runs):
            began = time.perf_counter()
            await once()
            timings.append(time.perf_counter() - began)
        return statistics.median(timings) / steps * 1e6

    return asyncio.run(measure())


def start_floor(home: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """floor_app.py on a copy of the server's database, taken once the flows are imported (the
    foreign keys of its rows point at their organization, instance and flow)."""
    copy = home / "floor.db"
    with sqlite3.connect(home / "splice.db") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    script = str(Path(__file__).with_name("floor_app.py"))
    return start([sys.executable, script, str(port), str(copy)], env, port)


def measure_round(
    binary: str, targets: list[tuple[str, str]], seconds: float, database: Path
) -> list[Measurement]:
    """Every target at every concurrency, after a short warm-up of each target.

    The targets take turns at each concurrency (bare, sync, async, then the next level), so a
    burst of load from elsewhere on a shared machine hits the baseline and the runs compared
    with it alike, instead of one whole series.
    """
    found: list[Measurement] = []
    for label, url in targets:
        wrk(binary, label, url, 10, 1)
        drain(database)
    for concurrency in CONCURRENCY:
        for label, url in targets:
            found.append(wrk(binary, label, url, concurrency, seconds))
            drain(database)
    return sorted(found, key=lambda m: [t[0] for t in targets].index(m.label))


def print_table(rounds: list[list[Measurement]], overhead: float) -> None:
    """One table: req/s, p50/p99 and the share of the bare app's req/s in the same round."""
    header = (
        f"{'round':>5} {'benchmark':<20} {'conc':>4} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'vs bare':>8} {'vs floor':>8} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for number, measurements in enumerate(rounds, start=1):
        rps = {(m.label, m.concurrency): m.rps for m in measurements}
        for m in measurements:
            share = m.rps / rps[(BARE, m.concurrency)] * 100
            floor = FLOOR_OF.get(m.label)
            of_floor = f"{m.rps / rps[(floor, m.concurrency)] * 100:>7.1f}%" if floor else ""
            print(
                f"{number:>5} {m.label:<20} {m.concurrency:>4} {m.rps:>9.1f} {m.p50_ms:>8.2f} "
                f"{m.p99_ms:>8.2f} {share:>7.1f}% {of_floor:>8} {m.errors:>6}"
            )
    print(f"engine overhead: {overhead:.2f} µs/step (target ≤ 25)")
    print("targets: sync webhook ≥ 25 % of bare, async ingest ≥ 40 % of bare")
    print("floor: the same rows written by the shortest path (floor_app.py); see README.md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="times the whole series runs")
    args = parser.parse_args()
    binary = require_wrk()
    rounds: list[list[Measurement]] = []
    with tempfile.TemporaryDirectory() as home:
        port, bare_port = free_port(), free_port()
        env = {
            **os.environ,
            "SPLICE_DATA_DIR": home,
            "SPLICE_PORT": str(port),
            "SPLICE_ADMIN_EMAIL": "bench@example.com",
            "SPLICE_ADMIN_PASSWORD": "bench-password-1",
            "HOME": home,
        }
        env.pop("SPLICE_DATABASE_URL", None)
        server = start([sys.executable, "-m", "splice", "server", "--no-access-log"], env, port)
        bare = start(
            [sys.executable, str(Path(__file__).with_name("bare_app.py")), str(bare_port)],
            env,
            bare_port,
        )
        floor: subprocess.Popen[bytes] | None = None
        try:
            base = f"http://127.0.0.1:{port}"
            token = httpx.post(
                f"{base}/oauth/token",
                data={
                    "grant_type": "password",
                    "username": "bench@example.com",
                    "password": "bench-password-1",
                },
            ).json()["access_token"]
            urls = asyncio.run(splice_urls(base, token))
            floor_port = free_port()
            floor = start_floor(Path(home), env, floor_port)
            targets: list[tuple[str, str]] = [
                (BARE, f"http://127.0.0.1:{bare_port}/transform"),
                ("sync webhook", urls["sync"]),
                ("async ingest", urls["async"]),
                (FLOOR_SYNC, f"http://127.0.0.1:{floor_port}/sync"),
                (FLOOR_INGEST, f"http://127.0.0.1:{floor_port}/ingest"),
            ]
            for _ in range(args.rounds):
                rounds.append(
                    measure_round(binary, targets, args.seconds, Path(home) / "splice.db")
                )
        finally:
            for process in (server, bare, floor):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)
    print_table(rounds, engine_overhead())


if __name__ == "__main__":
    main()
