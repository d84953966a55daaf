"""Recorded inputs per component, under tests/fixtures/payloads/<component>/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "payloads"


def path(component: str, name: str) -> Path:
    return ROOT / component / name


def text(component: str, name: str) -> str:
    return path(component, name).read_text(encoding="utf-8")


def data(component: str, name: str) -> Any:
    return json.loads(text(component, name))
