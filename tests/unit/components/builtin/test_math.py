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


@pytest.mark.parametrize("value", ["1e400", "Infinity", "-Infinity", float("inf"), 10**400])
async def test_add_refuses_values_that_are_not_finite(value: object) -> None:
    with pytest.raises(InputValueError, match="input 'numbers' has a value that is not finite"):
        await invoke(COMPONENT, "add", {"numbers": ["1", value]})


async def test_add_refuses_a_sum_that_overflows() -> None:
    with pytest.raises(
        InputValueError, match="input 'numbers' adds up to a sum that is not finite"
    ):
        await invoke(COMPONENT, "add", {"numbers": ["1.7e308", "1.7e308"]})


@pytest.mark.parametrize("value", ["1_000", "١٢", "１２"])
async def test_add_reads_numbers_as_javascript_number_does(value: str) -> None:
    with pytest.raises(InputValueError, match="input 'numbers' expects a number"):
        await invoke(COMPONENT, "add", {"numbers": ["1", value]})
