"""Every API error is `{"error": CODE, "message": sentence}` with the status that matches it."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from connectors.errors import ConnectorError

logger = logging.getLogger("switchboard.api")


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, **extra):
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra


def bad_request(message: str, **extra) -> ApiError:
    return ApiError("MORPH::BAD_REQUEST", message, 400, **extra)


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(v) for v in detail)
    return str(detail)


def error_response(code: str, message: str, status: int, headers: dict | None = None, **extra) -> Response:
    return Response({"error": code, "message": message, **extra}, status=status, headers=headers)


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, ApiError):
        response = error_response(exc.code, exc.message, exc.status, **exc.extra)
    elif isinstance(exc, ConnectorError):
        headers = {}
        if exc.retry_after is not None:
            headers["Retry-After"] = str(max(1, int(round(exc.retry_after))))
        response = Response(exc.as_dict(), status=exc.status, headers=headers)
        connection = getattr(getattr(request, "_request", None), "connection", None)
        if connection is not None and connection.pk:
            # A live call that shows missing permissions or dead credentials updates the
            # connection's record, so developers see it in the connection JSON.
            from switchboard.connections.services import note_connector_error

            try:
                note_connector_error(connection, exc)
            except Exception:
                logger.exception("could not record connector error on the connection")
    elif isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        response = error_response("MORPH::UNAUTHORIZED", _flatten(exc.detail), 401)
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        response = error_response("MORPH::RATE_LIMIT_EXCEEDED",
                                  f"Too many requests for this project; retry in {wait} seconds.", 429,
                                  headers={"Retry-After": str(max(wait, 1))})
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        response = error_response("MORPH::UNSUPPORTED_MEDIA_TYPE",
                                  "Send JSON with Content-Type: application/json.", 415)
    elif isinstance(exc, exceptions.MethodNotAllowed):
        response = error_response("MORPH::METHOD_NOT_ALLOWED",
                                  f"{exc.args[0] if exc.args else 'This method'} is not allowed on this endpoint.",
                                  405)
    elif isinstance(exc, exceptions.ParseError):
        response = error_response("MORPH::BAD_REQUEST", f"The request body is not valid JSON: {_flatten(exc.detail)}",
                                  400)
    elif isinstance(exc, exceptions.ValidationError):
        response = error_response("MORPH::BAD_REQUEST", _flatten(exc.detail), 400, details=exc.detail)
    elif isinstance(exc, (Http404, exceptions.NotFound)):
        response = error_response("MORPH::NOT_FOUND", "Not found.", 404)
    elif isinstance(exc, (PermissionDenied, exceptions.PermissionDenied)):
        response = error_response("MORPH::FORBIDDEN", "You may not do this.", 403)
    elif isinstance(exc, exceptions.APIException):
        response = error_response("MORPH::BAD_REQUEST", _flatten(exc.detail), exc.status_code)
    else:
        logger.exception("Unhandled API error (request %s)", getattr(request, "request_id", "-"))
        response = error_response("MORPH::INTERNAL_SERVER_ERROR",
                                  "Something went wrong on our side; the request id identifies it in our logs.",
                                  500, requestId=getattr(request, "request_id", None))
    if request is not None:
        request._error_code = response.data.get("error") if isinstance(response.data, dict) else None
    return response
