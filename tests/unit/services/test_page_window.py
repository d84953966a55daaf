"""The one paging window every list uses, against Relay's edge algorithm written out on a list."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from splice.errors import InvalidInput
from splice.services.pagination import PageRequest, encode_cursor, page_of

DEFAULT = 3


def relay(
    n: int,
    after: int | None,
    before: int | None,
    first: int | None,
    last: int | None,
    offset: int | None,
) -> list[int]:
    """Relay's ApplyCursorsToEdges then first/last; offset skips more after ``after``."""
    edges = list(range(n))
    if after is not None:
        edges = [e for e in edges if e > after]
    edges = edges[offset or 0 :]
    if before is not None:
        edges = [e for e in edges if e < before]
    if first is not None:
        edges = edges[:first]
    if last is not None:
        edges = edges[len(edges) - last :] if last < len(edges) else edges
    if first is None and last is None:
        backwards = before is not None and after is None and not offset
        edges = edges[-DEFAULT:] if backwards else edges[:DEFAULT]
    return edges


sizes = st.none() | st.integers(0, 12)


@given(
    n=st.integers(0, 12),
    after=st.none() | st.integers(0, 13),
    before=st.none() | st.integers(0, 13),
    first=sizes,
    last=sizes,
    offset=st.none() | st.integers(0, 13),
)
def test_the_window_is_relays(
    n: int,
    after: int | None,
    before: int | None,
    first: int | None,
    last: int | None,
    offset: int | None,
) -> None:
    request = PageRequest(
        after=None if after is None else encode_cursor(after),
        first=first,
        before=None if before is None else encode_cursor(before),
        last=last,
        offset=offset,
    )
    page = page_of(list(range(n)), request, default=DEFAULT, maximum=100)
    expected = relay(n, after, before, first, last, offset)
    assert list(page.items) == expected
    assert page.total_count == n
    if expected:
        assert page.start_offset == expected[0]
        assert page.has_next_page is (expected[-1] < n - 1)
        assert [page.cursor(i) for i in range(len(expected))] == [
            encode_cursor(e) for e in expected
        ]


def test_sizes_are_capped_at_the_maximum() -> None:
    items = list(range(50))
    assert len(page_of(items, PageRequest(first=40), default=5, maximum=10).items) == 10
    assert page_of(items, PageRequest(last=40), default=5, maximum=10).items == items[-10:]


@pytest.mark.parametrize("name", ["first", "last", "offset"])
def test_negative_sizes_name_the_argument(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        page_of([1, 2], PageRequest(**{name: -1}), default=5, maximum=10)
    assert caught.value.field == name
    assert "must not be negative" in str(caught.value)


def test_a_bad_before_cursor_names_before() -> None:
    with pytest.raises(InvalidInput) as caught:
        page_of([1, 2], PageRequest(before="bm9wZQ==", last=1), default=5, maximum=10)
    assert caught.value.field == "before"
