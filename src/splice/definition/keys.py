"""Step keys: how a step's display name becomes the key references use (spec section 5.1).

The rule splits on runs of characters that are not letters or digits; case changes inside a word
do not split (unlike lodash ``camelCase``). Non-ASCII letters and digits are kept as letters, which
the spec suggests for a case it leaves open.
"""

from __future__ import annotations

__all__ = ["step_key"]


def step_key(name: str) -> str:
    """The key of a step named ``name``: ``"Get a Queue's URL"`` -> ``"getAQueueSUrl"``."""
    pieces: list[str] = []
    current: list[str] = []
    for ch in name:
        if ch.isalnum():  # ASCII and non-ASCII letters/digits; emoji and punctuation split
            current.append(ch)
        elif current:
            pieces.append("".join(current))
            current = []
    if current:
        pieces.append("".join(current))
    if not pieces:
        return ""
    first, *rest = (piece.lower() for piece in pieces)
    return first + "".join(piece[:1].upper() + piece[1:] for piece in rest)
