"""Reading what Twilio answered: services and pages, error bodies in either shape,
Retry-After, request ids.

Nothing here raises on bad input: a body that is not JSON, or JSON of the wrong shape, gives
None (for a success body) or an `ApiError` with the status and a short excerpt.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from twilio_chat_api.models import PageMeta, Service

from ._errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from ._models import read_model

__all__ = [
    "api_error",
    "excerpt",
    "json_body",
    "parse_retry_after",
    "parse_service",
    "parse_service_page",
]

# Twilio's spec allows these objects to be null; an absent or null one reads as empty, so a
# caller can always write `service.limits.user_channels` (see spec/deviations.yaml).
_OBJECT_FIELDS = ("limits", "notifications", "media", "links")

_EXCERPT_CHARS = 200


def api_error(
    response: httpx.Response,
    *,
    clock: Callable[[], float] = time.time,
) -> ApiError:
    """The typed error for an error response: class by status, fields from the body."""
    body = json_body(response)
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
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitError
    if 400 <= status < 600:
        return ServerError if status >= 500 else ApiError
    return UnexpectedResponseError


def json_body(response: httpx.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one."""
    content = response.content
    try:
        if content[:1] == b"{" and content[1:2] != b"\x00":
            # What json.loads does with bytes it detects as UTF-8 (an object opening with a
            # non-zero second byte), without the detection call.
            body = json.loads(content.decode("utf-8", "surrogatepass"))
        else:
            body = json.loads(content)
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


def parse_service(data: object) -> Service | None:
    """A service resource as the generated model, or None when it is not one.

    Tolerant of evolution: unknown properties land in `additional_properties`, properties
    that are not part of the typed core may be absent, and string fields keep values that no
    enum knows. Intolerant of lies: every field must hold the type its annotation promises.
    """
    if not isinstance(data, dict):
        return None
    body = data  # copied only when something must be filled in
    for key in _OBJECT_FIELDS:
        if body.get(key) is None:
            if body is data:
                body = dict(data)
            body[key] = {}
    return read_model(Service, body)


def parse_service_page(data: object) -> tuple[list[Service], str | None] | None:
    """One page of a listing: its services and the next page's URL (None on the last page),
    or None when the body is not a page."""
    if not isinstance(data, dict) or not isinstance(data.get("services"), list):
        return None
    services = [parse_service(item) for item in data["services"]]
    meta = read_model(PageMeta, data.get("meta") or {})
    parsed = [service for service in services if service is not None]
    if len(parsed) != len(services) or meta is None:
        return None
    next_url = meta.next_page_url if isinstance(meta.next_page_url, str) else None
    return parsed, next_url or None


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
