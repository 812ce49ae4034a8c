"""The per-model handler: how one unified model is listed, read and written through Ashby.

The common case is declarative (list/info/search endpoints, a `Mapping`, filters); a subclass
overrides only what is genuinely odd about its model (composite records, multi-step writes).
Handlers return *remote records* (Ashby's dicts, or a small composite dict for models built from
several Ashby objects); `to_fields` turns one into unified fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from connectors import errors
from connectors.mapping import Mapping
from connectors.pagination import CursorPagination

if TYPE_CHECKING:
    from connectors.ashby.api import AshbyApi
    from connectors.ashby.client import AshbyClient

PAGE = 100  # Ashby's maximum page size


def lower_first(value: Any) -> Any:
    return value[:1].lower() + value[1:] if isinstance(value, str) and value else value


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


class Handler:
    model = ""
    mapping: Mapping
    list_endpoint: str | None = None
    list_params: dict[str, Any] = {}
    info_endpoint: str | None = None
    info_key = "id"
    search_endpoint: str | None = None
    supports_sync = False           # the list endpoint accepts `syncToken`
    custom_field_object: str | None = None  # Ashby customField objectType
    extra_filters: dict = {}
    # Unified fields a list or sync page leaves out unless asked (`fields=`), because each costs a
    # call per record, with the value a list shows instead. Retrieve and `complete` fill them.
    list_omits: dict[str, Any] = {}

    def __init__(self, api: AshbyApi, client: AshbyClient):
        self.api = api
        self.client = client

    # -- read -----------------------------------------------------------------------------------
    def list_body(self, filters: dict | None) -> dict:
        return {**self.list_params, **self.mapping.filters(filters, extra=self.extra_filters)}

    def list_page(self, *, limit: int, state: dict, filters: dict | None, q: str | None,
                  only: set[str] | None) -> tuple[list[dict], dict | None]:
        if q is not None:
            if filters:
                raise errors.BadRequest("Search (q) cannot be combined with filters in Ashby.", field="q")
            return self.search(q), None
        body = {**self.list_body(filters), "limit": limit}
        page = self.api.page(self.list_endpoint, body, state.get("c"))
        return page.items, ({"c": page.next_cursor} if page.more else None)

    def search(self, q: str) -> list[dict]:
        raise errors.BadRequest(f"{self.model} cannot be searched with q.", field="q")

    def retrieve_record(self, id: str) -> dict:
        record = self.api.results(self.info_endpoint, {self.info_key: id})
        if not isinstance(record, dict):
            raise errors.NotFound(f"No {self.model} with id {id} in Ashby.")
        return record

    def enrich(self, records: list[dict], only: set[str] | None) -> list[dict]:
        """Fetch what a list page lacks (only for models built from several Ashby calls)."""
        return records

    def to_fields(self, record: dict, only: set[str] | None = None) -> tuple[dict, list[dict]]:
        return self.mapping.read(record, only=only)

    def record_id(self, record: dict) -> str | None:
        return self.mapping.record_id(record)

    def timestamps(self, record: dict) -> tuple[str | None, str | None]:
        return self.mapping.timestamps(record)

    # -- sync (change detection) ----------------------------------------------------------------
    def sync_pages(self, sync_token: str | None, result) -> Iterator[list[dict]]:
        """Yield pages of remote records; set `result.sync_token` after the last page."""
        body = {**self.list_params, "limit": PAGE}
        if self.supports_sync and sync_token:
            body["syncToken"] = sync_token
        paginator = CursorPagination(max_pages=int(self.client.settings.get("max_pages", 10_000)))
        for page in paginator.pages(lambda cursor: self.api.page(self.list_endpoint, body, cursor)):
            yield page.items
        if self.supports_sync and paginator.last_page is not None:
            result.sync_token = paginator.last_page.sync_token

    # -- write ----------------------------------------------------------------------------------
    def create(self, fields: dict) -> dict:
        raise errors.NotSupported(f"Ashby has no API to create a {self.model}.")

    def update(self, id: str, fields: dict) -> dict:
        raise errors.NotSupported(f"Ashby has no API to update a {self.model}.")

    def delete(self, id: str) -> None:
        raise errors.NotSupported(f"Ashby has no API to delete a {self.model}.")
