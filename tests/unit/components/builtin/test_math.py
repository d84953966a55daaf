"""math.add: numeric strings from values, references and config vars."""

from __future__ import annotations

import pytest

from splice.components.builtin.math import COMPONENT
from splice.components.inputs import InputValueError
from splice.components.testing import invoke


async def test_add_cursor_and_value_string_gives_an_int() -> None:
    result = await invoke(COMPONENT, "add", {"numbers": [3, "1"]})
    assert result == 4
    assert isinstance(result, int)


async def test_add_config_var_page_size_to_offset() -> None:
    assert await invoke(COMPONENT, "add", {"numbers": ["200", "50"]}) == 250


async def test_add_keeps_fractions() -> None:
    assert await invoke(COMPONENT, "add", {"numbers": ["0.5", "1.25"]}) == pytest.approx(1.75)


async def test_add_of_nothing_is_zero() -> None:
    assert await invoke(COMPONENT, "add", {"numbers": []}) == 0


async def test_add_refuses_text() -> None:
    with pytest.raises(InputValueError, match="numbers"):
        await invoke(COMPONENT, "add", {"numbers": ["1", "ten"]})
