"""Icons: PNG only; warnings for small or non-square images."""

from __future__ import annotations

import struct

import pytest

from splice.errors import InvalidInput
from splice.services.icons import check_icon


def png_header(width: int, height: int) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height)
    )


def test_large_square_png_has_no_warning() -> None:
    assert check_icon(png_header(512, 512)) == []


def test_small_and_oblong_png_warn_with_sizes() -> None:
    warnings = check_icon(png_header(300, 200))
    assert len(warnings) == 2
    assert all("300x200" in w for w in warnings)


@pytest.mark.parametrize("data", [b"", b"GIF89a", b"\x89PNG\r\n\x1a\nxxxxJUNK"])
def test_non_png_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_icon(data)
    assert caught.value.field == "icon"
