"""Splice benchmarks: sync webhook, async ingest, bare Starlette baseline, engine overhead.

Run ``python benchmarks/run.py [--requests N]``; prints a table. Everything targets 127.0.0.1
and every load loop is bounded by a request count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = (1, 10, 50)
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


async def load(url: str, body: bytes, concurrency: int, total: int) -> tuple[float, float]:
    """Send ``total`` POSTs with ``concurrency`` in flight; returns (requests/s, p50 ms)."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(total):
            queue.put_nowait(n)

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(
                    url, content=body, headers={"content-type": "application/json"}
                )
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return total / elapsed, statistics.median(latencies) * 1000


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600, help="requests per measurement")
    args = parser.parse_args()
    results: list[tuple[str, int, float, float]] = []
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
        server = start([sys.executable, "-m", "splice", "server"], env, port)
        bare = start(
            [sys.executable, str(Path(__file__).with_name("bare_app.py")), str(bare_port)],
            env,
            bare_port,
        )
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
            body = json.dumps({"name": "ada lovelace"}).encode()
            targets: list[tuple[str, str]] = [
                ("bare Starlette app", f"http://127.0.0.1:{bare_port}/transform"),
                ("sync webhook", urls["sync"]),
                ("async ingest", urls["async"]),
            ]
            for label, url in targets:
                for concurrency in CONCURRENCY:
                    rps, p50 = asyncio.run(load(url, body, concurrency, args.requests))
                    results.append((label, concurrency, rps, p50))
        finally:
            for process in (server, bare):
                process.terminate()
                process.wait(timeout=30)
    overhead = engine_overhead()
    baseline = {c: rps for label, c, rps, _ in results if label == "bare Starlette app"}
    print(f"{'benchmark':<20} {'conc':>4} {'req/s':>9} {'p50 ms':>8} {'vs bare':>8}")
    for label, concurrency, rps, p50 in results:
        share = rps / baseline[concurrency] * 100
        print(f"{label:<20} {concurrency:>4} {rps:>9.1f} {p50:>8.2f} {share:>7.1f}%")
    print(f"{'engine overhead':<20} {'':>4} {overhead:>9.2f} µs/step (target ≤ 25)")


if __name__ == "__main__":
    main()
