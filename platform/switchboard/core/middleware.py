"""Request id and JSON errors for everything under /v1, including what never reaches a DRF view
(404 for unknown paths, 500 from middleware)."""

from __future__ import annotations

import logging
import re
import uuid

from django.http import JsonResponse

logger = logging.getLogger("switchboard.api")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def is_api_path(path: str) -> bool:
    return path.startswith("/v1/") or path == "/v1"


class RequestIdMiddleware:
    """Accept a sane `x-request-id` or make one; echo it on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("x-request-id", "")
        request.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["x-request-id"] = request.request_id
        return response


class ApiErrorMiddleware:
    """Django's own 404/500 pages are HTML; API clients get our JSON error shape instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api_path(request.path) and response.status_code == 404 and "json" not in response.get(
            "Content-Type", ""
        ):
            return JsonResponse({"error": "MORPH::NOT_FOUND",
                                 "message": f"No API endpoint at {request.path}."}, status=404)
        return response

    def process_exception(self, request, exception):
        if not is_api_path(request.path):
            return None
        logger.exception("Unhandled error on %s %s (request %s)", request.method, request.path,
                         getattr(request, "request_id", "-"))
        return JsonResponse(
            {"error": "MORPH::INTERNAL_SERVER_ERROR",
             "message": "Something went wrong on our side; the request id identifies it in our logs.",
             "requestId": getattr(request, "request_id", None)},
            status=500,
        )
