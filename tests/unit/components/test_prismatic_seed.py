"""The `prismatic` manifest against the seed that describes it: every action, every input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from splice.components.builtin.prismatic import MANIFEST

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
DOCS = SEEDS / "001_4fae09a43fe6cd3d.txt"  # labels, inputs, comments, defaults
KEYS = SEEDS / "003_6347fd9d16c69e39.txt"  # "Label | key: actionKey"
EXTRA = {("listCustomers", "First")}
"""Inputs Splice adds to the seed's tables (forward paging of customers needs ``first``)."""


def _seed(path: Path) -> str:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI needs the shared folder beside the repository")
        pytest.skip(f"{path} is missing (the shared folder is not beside the repository)")
    return path.read_text(encoding="utf-8")


def _input_tables(text: str) -> dict[str, list[str]]:
    """Each action label's table rows (after ``Input Comments Default``, up to a blank line)."""
    tables: dict[str, list[str]] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "Input Comments Default":
            above = [text for text in lines[:i] if text.strip()]
            label = above[-2].strip()  # the label, then the description
            rows = []
            for row in lines[i + 1 :]:
                if not row.strip():
                    break
                rows.append(row.strip())
            tables[label] = rows
    return tables


def test_every_seed_action_has_its_key_and_label() -> None:
    published = dict(re.findall(r"^(.+?) \| key: (\w+)$", _seed(KEYS), flags=re.MULTILINE))
    by_key = {a.key: a for a in MANIFEST.actions}
    assert len(published) == 18
    for description, key in published.items():
        assert key in by_key, key
        assert by_key[key].description == description
    assert set(by_key) == set(published.values())


def test_every_seed_input_is_declared_with_its_default() -> None:
    tables = _input_tables(_seed(DOCS))
    by_label = {a.label: a for a in MANIFEST.actions}
    assert set(by_label) <= set(tables) | {"Prismatic Refresh Token"}
    for label, action in by_label.items():
        rows = tables[label]
        declared = [i for i in action.inputs if (action.key, i.label) not in EXTRA]
        labels = sorted((i.label for i in declared), key=len, reverse=True)
        matched = [next((lab for lab in labels if row.startswith(lab)), None) for row in rows]
        by_input = {i.label: i for i in declared}
        previous = None
        for row, found in zip(rows, matched, strict=True):
            # a row no declared input starts is a missing input, unless it continues a
            # multi-line default (rawRequest's query)
            assert found is not None or (previous and "\n" in (previous.default or "")), (
                action.key,
                row,
            )
            previous = by_input[found] if found else previous
        table_labels = [m for m in matched if m is not None]
        assert sorted(table_labels) == sorted(i.label for i in declared), action.key
        for item in declared:
            row = rows[matched.index(item.label)]
            if item.default and item.type == "boolean":
                assert row.endswith(f" {item.default}"), (action.key, item.key, row)
            elif item.type == "boolean":
                assert row.split()[-1] not in ("true", "false"), (action.key, item.key, row)
