"""Integration icons: PNG only; warn when smaller than 400x400 or not square."""

from __future__ import annotations

import struct

from splice.errors import InvalidInput

__all__ = ["MAX_ICON_BYTES", "check_icon"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_ICON_BYTES = 2 * 1024 * 1024
RECOMMENDED_SIZE = 400


def check_icon(data: bytes) -> list[str]:
    """Refuse anything but a PNG; return warnings about its size and shape."""
    if len(data) > MAX_ICON_BYTES:
        raise InvalidInput("the icon is larger than 2 MB", field="icon", fix="use a smaller PNG")
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise InvalidInput("the icon is not a PNG image", field="icon", fix="upload a .png file")
    width, height = struct.unpack(">II", data[16:24])
    warnings = []
    if width < RECOMMENDED_SIZE or height < RECOMMENDED_SIZE:
        warnings.append(
            f"the icon is {width}x{height}; icons look best at least "
            f"{RECOMMENDED_SIZE}x{RECOMMENDED_SIZE} pixels"
        )
    if width != height:
        warnings.append(f"the icon is {width}x{height}; square icons look best")
    return warnings
