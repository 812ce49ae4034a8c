"""Pagination as a small strategy object, never a bare `while True`.

`CursorPagination` drives any "send the same body plus a cursor until the server says stop" API
(Ashby: `moreDataAvailable`, `nextCursor`, and a `syncToken` on the last page). It guards against
a server that repeats a cursor (a loop) and caps the number of pages one pass may take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from connectors import errors


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None = None
    more: bool = False
    sync_token: str | None = None
    raw: dict = field(default_factory=dict, repr=False)


class CursorPagination:
    """Iterate pages by calling `fetch(cursor)`; stops when the page has no further cursor."""

    def __init__(self, *, max_pages: int = 10_000):
        self.max_pages = max_pages
        self.last_page: Page | None = None

    def pages(self, fetch: Callable[[str | None], Page], *, start: str | None = None) -> Iterator[Page]:
        seen: set[str] = set()
        cursor = start
        for count in range(1, self.max_pages + 1):
            page = fetch(cursor)
            self.last_page = page
            yield page
            if not page.more or not page.next_cursor:
                return
            if page.next_cursor in seen or page.next_cursor == cursor:
                raise errors.UpstreamError("The provider repeated a pagination cursor; stopped to avoid a loop.",
                                           remote_code="cursor_loop")
            seen.add(page.next_cursor)
            cursor = page.next_cursor
            if count == self.max_pages:
                break
        raise errors.UpstreamError(f"Stopped after {self.max_pages} pages (page cap).", remote_code="page_cap")

    def items(self, fetch: Callable[[str | None], Page], *, start: str | None = None) -> Iterator[Any]:
        for page in self.pages(fetch, start=start):
            yield from page.items
