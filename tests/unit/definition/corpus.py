"""Where the shared conformance corpus and the local fixtures live, for parametrised tests.

The repository's parent directory holds ``shared/``; tests that need the corpus skip when it is
not there (a checkout without the shared documents).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "definitions"
LEGACY = "progix-acmeerp.yaml"
HAND_WRITTEN = "sample-integration.yml"
CORE_ONLY = ("slack-interactivity-router.yaml", "split-payload-example.yml", "update-instances.yml")


def corpus_dir() -> Path | None:
    """``../shared/conformance/yaml`` next to the repository, if present."""
    path = REPO_ROOT.parent / "shared" / "conformance" / "yaml"
    return path if path.is_dir() else None


def corpus_files() -> list[Path]:
    """Every YAML file of the corpus (empty when the corpus is absent)."""
    path = corpus_dir()
    if path is None:
        return []
    return sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml"))


def valid_files() -> list[Path]:
    """Every v7 file: all but the legacy one (the hand-written sample loads and round-trips)."""
    return [p for p in corpus_files() if p.name != LEGACY]


def exports() -> list[Path]:
    """Real platform exports only: neither the legacy file nor the hand-written sample."""
    return [p for p in valid_files() if p.name != HAND_WRITTEN]


def corpus_file(name: str) -> Path:
    """One named corpus file, or skip the test when the corpus is absent."""
    path = corpus_dir()
    if path is None or not (path / name).is_file():
        pytest.skip(f"conformance corpus file {name} not found next to the repository")
    return path / name


def params(paths: list[Path]) -> list[object]:
    """``pytest.param`` per file with the file name as id, or one skip marker when empty."""
    if not paths:
        return [pytest.param(None, marks=pytest.mark.skip(reason="conformance corpus not found"))]
    return [pytest.param(p, id=p.name) for p in paths]
