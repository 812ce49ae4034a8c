"""Ashby's transport: the shared HTTP client plus Basic auth and Ashby's error envelope.

Every Ashby operation is `POST /<category>.<method>` with a JSON body; reads are POSTs too, so
each call says whether it is a read (retried on timeouts and 5xx) or a write (never retried once
it may have reached Ashby).
"""

from __future__ import annotations

import base64
from typing import Any

from connectors import errors
from connectors.ashby.errors import error_from_response
from connectors.base import ConnectorContext
from connectors.http import HttpClient, HttpResponse, _header
from connectors.pagination import Page

DEFAULT_BASE_URL = "https://api.ashbyhq.com"

# The permission each endpoint we call needs (from Ashby's spec, ashby/endpoint-index.json).
ENDPOINT_PERMISSIONS: dict[str, str] = {
    "apiKey.info": "apiKeysRead",
    "candidate.list": "candidatesRead", "candidate.search": "candidatesRead", "candidate.info": "candidatesRead",
    "candidate.create": "candidatesWrite", "candidate.update": "candidatesWrite",
    "candidate.anonymize": "candidatesWrite",
    "customField.list": "hiringProcessMetadataRead", "customField.setValues": "candidatesWrite",
    "user.list": "organizationRead", "user.search": "organizationRead", "user.info": "organizationRead",
    "user.interviewerSettings": "organizationRead", "user.updateInterviewerSettings": "organizationWrite",
    "brand.list": "organizationRead",
    "interview.list": "interviewsRead", "interview.info": "interviewsRead",
    "interviewSchedule.list": "interviewsRead", "interviewEvent.list": "interviewsRead",
    "interviewSchedule.create": "interviewsWrite", "interviewSchedule.update": "interviewsWrite",
    "interviewSchedule.cancel": "interviewsWrite",
    "interviewPlan.list": "interviewsRead", "interviewStage.list": "interviewsRead",
    "interviewStage.info": "interviewsRead",
    "job.list": "jobsRead", "job.search": "jobsRead", "job.info": "jobsRead", "job.create": "jobsWrite",
    "job.update": "jobsWrite", "job.setStatus": "jobsWrite", "jobPosting.info": "jobsRead",
    "application.list": "candidatesRead", "application.info": "candidatesRead",
    "application.create": "candidatesWrite", "application.changeStage": "candidatesWrite",
    "application.changeSource": "candidatesWrite", "application.update": "candidatesWrite",
    "offer.list": "offersRead", "offer.info": "offersRead", "offerProcess.start": "offersWrite",
    "offer.start": "offersWrite", "offer.create": "offersWrite", "offer.update": "offersWrite",
    "webhook.create": "apiKeysWrite", "webhook.delete": "apiKeysWrite", "webhook.update": "apiKeysWrite",
    "webhook.info": "apiKeysRead", "source.list": "hiringProcessMetadataRead",
}


class AshbyApi(HttpClient):
    connector_id = "ashby"

    def __init__(self, ctx: ConnectorContext, **kw):
        super().__init__(ctx, base_url=ctx.base_url or DEFAULT_BASE_URL, **kw)
        key = (ctx.credentials or {}).get("apiKey")
        if not isinstance(key, str) or not key.strip():
            raise errors.InvalidCredentials("No Ashby API key is stored for this connection.")
        # Ashby: HTTP Basic with the key as username and an empty password.
        self._auth = "Basic " + base64.b64encode(f"{key.strip()}:".encode()).decode()

    def _provider(self) -> str:
        return "Ashby"

    def authenticate(self, headers: dict[str, str]) -> None:
        headers["Authorization"] = self._auth

    def provider_error(self, status: int, headers: dict, body: Any) -> errors.ConnectorError | None:
        return error_from_response(status, headers, body)

    def request_id_of(self, headers: dict) -> str | None:
        return _header(headers, "x-ashby-request-id")

    # -- RPC helpers ----------------------------------------------------------------------------
    def call(self, endpoint: str, body: dict | None = None, *, write: bool = False) -> dict:
        """POST one Ashby endpoint; returns the success envelope or raises a typed error."""
        try:
            resp: HttpResponse = self.request("POST", f"/{endpoint}", json_body=body or {}, idempotent=not write)
        except errors.InsufficientPermissions as exc:
            exc.permission = exc.permission or ENDPOINT_PERMISSIONS.get(endpoint)
            if exc.permission:
                exc.message = f"The Ashby API key lacks the {exc.permission} permission ({endpoint})."
                exc.args = (exc.message,)
                exc.details = {**exc.details, "permission": exc.permission, "endpoint": endpoint}
            raise
        return resp.body

    def results(self, endpoint: str, body: dict | None = None, *, write: bool = False) -> Any:
        return self.call(endpoint, body, write=write).get("results")

    def page(self, endpoint: str, body: dict, cursor: str | None = None) -> Page:
        request = dict(body)
        if cursor:
            request["cursor"] = cursor
        env = self.call(endpoint, request)
        results = env.get("results")
        if results is None:
            results = []
        if not isinstance(results, list):
            raise errors.UpstreamError(f"Ashby {endpoint} returned results that are not a list.",
                                       remote_code="malformed_body")
        next_cursor = env.get("nextCursor") if isinstance(env.get("nextCursor"), str) else None
        more = bool(env.get("moreDataAvailable")) and bool(next_cursor)
        return Page(items=results, next_cursor=next_cursor, more=more,
                    sync_token=env.get("syncToken") if isinstance(env.get("syncToken"), str) else None, raw=env)
