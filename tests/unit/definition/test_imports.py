"""``splice.definition`` stays a pure layer: importing it pulls in no store, API, engine or
components code (the import-linter contract says the same; this guards it in the unit run)."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("sqlalchemy", "fastapi", "celery", "splice.store", "splice.api", "splice.services")
FORBIDDEN += ("splice.engine", "splice.components")


def test_definition_imports_nothing_forbidden() -> None:
    code = "import sys, splice.definition; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "splice.definition" in out
    leaked = [m for m in out if m.startswith(FORBIDDEN)]
    assert leaked == []
