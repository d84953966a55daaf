"""The ``splice`` command-line client: prism's grammar against a Splice server."""

from __future__ import annotations

__all__: list[str] = []
