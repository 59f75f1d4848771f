"""Reading what Twilio answered: error bodies in either shape, Retry-After, request ids.

Nothing here raises on bad input: a body that is not JSON, or JSON of the wrong shape, still
becomes an `ApiError` with the status and a short excerpt.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from twilio_chat_api.models import Service, ServiceLinks
from twilio_chat_api.types import Unset

from ._errors import (
    ApiError,
    AuthenticationError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)

__all__ = ["api_error", "excerpt", "is_usable_service", "parse_retry_after"]

_EXCERPT_CHARS = 200


def api_error(
    response: httpx.Response,
    *,
    clock: Callable[[], float] = time.time,
) -> ApiError:
    """The typed error for an error response: class by status, fields from the body."""
    body = _json_object(response)
    code: int | None
    message: str | None
    more_info: str | None
    details: Mapping[str, Any] | None
    if body is None:
        code, message, more_info, details = None, excerpt(response), None, None
    else:
        code, message, more_info, details = _fields(body)
        if message is None:
            message = excerpt(response)
    request = response.request
    return _class_for(response.status_code)(
        status=response.status_code,
        method=request.method,
        url=str(request.url),
        code=code,
        message=message,
        more_info=more_info,
        details=details,
        retry_after=parse_retry_after(response.headers, clock=clock),
        request_id=response.headers.get("Twilio-Request-Id"),
    )


def _class_for(status: int) -> type[ApiError]:
    if status in (401, 403):
        return AuthenticationError
    if status == 429:
        return RateLimitError
    if 400 <= status < 600:
        return ServerError if status >= 500 else ApiError
    return UnexpectedResponseError


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
        return None
    return body if isinstance(body, dict) else None


def _fields(body: Mapping[str, Any]) -> tuple[int | None, str | None, str | None, Any]:
    """Both of Twilio's shapes: legacy `{code, message, more_info, status, details}` and
    RFC 9457-style `{type, title, status, code, detail}`."""
    code = body.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    message = next(
        (body[key] for key in ("message", "detail", "title") if isinstance(body.get(key), str)),
        None,
    )
    more_info = body.get("more_info")
    if not isinstance(more_info, str):
        kind = body.get("type")
        is_url = isinstance(kind, str) and kind.startswith(("http://", "https://"))
        more_info = kind if is_url else None
    details = body.get("details")
    return code, message, more_info, details if isinstance(details, dict) else None


def is_usable_service(service: Service) -> bool:
    """Whether a parsed 201 body is a service the caller can use: it has a SID, and no typed
    field holds the raw value the generated parser falls back to when it cannot convert one
    (a date that is not ISO 8601, links or webhook filters of the wrong JSON type)."""
    dates = (service.date_created, service.date_updated)
    return (
        isinstance(service.sid, str)
        and all(isinstance(value, datetime.datetime | Unset | None) for value in dates)
        and isinstance(service.links, ServiceLinks | Unset | None)
        and isinstance(service.webhook_filters, list | Unset | None)
    )


def excerpt(response: httpx.Response) -> str:
    """A short, single-line, printable excerpt of the body for error messages."""
    text = response.content[: _EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    if not text:
        return "(empty body)"
    return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1] + "…"


def parse_retry_after(
    headers: Mapping[str, str], *, clock: Callable[[], float] = time.time
) -> float | None:
    """Seconds to wait from `retry-after-ms`, `Retry-After` seconds, or an HTTP-date.

    Returns None when absent or unparseable, never raises, never negative.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        seconds = _number(raw_ms)
        if seconds is not None:
            return seconds / 1000
    raw = headers.get("retry-after")
    if raw is None:
        return None
    seconds = _number(raw)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - clock())


def _number(raw: str) -> float | None:
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
