"""What a failure means: whether the request was sent, and whether it may be retried.

One table of httpx failures and a few predicates, kept apart from the client so the rules
that decide between "retry", "raise" and "may have been created" can be read in one place.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ._aiohttp_transport import ResponseTooLargeError, safe_description
from ._errors import (
    AmbiguousCreateError,
    RateLimitError,
    ServerError,
    TransportError,
    TwilioChatError,
    UnexpectedResponseError,
)

__all__ = [
    "NOT_SENT",
    "NOT_SENT_FATAL",
    "is_retryable_503",
    "may_have_happened",
    "network_error",
    "retryable_create",
    "retryable_read",
]

NOT_SENT: tuple[type[httpx.RequestError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
"""Failures that prove the request never reached the server: safe to retry, even a create."""

NOT_SENT_FATAL: tuple[type[httpx.RequestError], ...] = (
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.ProxyError,
)
"""Failures before sending that retrying cannot fix. Every other failure may have happened
after the request reached the server."""

_OURS = ("httpx", "twilio_chat.")


def network_error(
    exc: Exception,
    method: str,
    url: str,
    maybe_sent: Callable[[str], TwilioChatError] | None,
) -> TwilioChatError:
    """`TransportError` when the request was not sent (or for a read), else the caller's
    ambiguous error. Unknown exceptions count as possibly sent.

    `exc` itself is never chained: httpx exceptions hold the request (and its Authorization
    header), and others may hold anything. The error's `__cause__` is a stand-in of the same
    httpx class carrying only a masked message; raise the result outside any `except` block,
    so that `__context__` stays empty too."""
    stand_in = _stand_in(exc)
    detail = str(stand_in.args[0]) if stand_in is not None else ""
    reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    error: TwilioChatError
    if isinstance(exc, NOT_SENT + NOT_SENT_FATAL):
        error = TransportError(f"request not sent ({reason})", method=method, url=url)
    elif maybe_sent is not None:
        error = maybe_sent(reason)
    else:
        error = TransportError(f"request failed ({reason})", method=method, url=url)
    error.__cause__ = stand_in
    error.__suppress_context__ = True
    return error


def _stand_in(exc: Exception) -> httpx.RequestError | None:
    """A fresh exception of `exc`'s httpx class (or its nearest httpx base) with a masked
    `TypeName: message`, no request, no cause, no traceback; None if `exc` is not httpx's."""
    if not isinstance(exc, httpx.RequestError):
        return None
    try:
        request: httpx.Request | None = exc.request
    except RuntimeError:  # httpx raises when no request was attached
        request = None
    text = safe_description(exc, request)
    if text.startswith(f"{type(exc).__name__}: "):
        text = text.partition(": ")[2]
    for kind in type(exc).__mro__:
        if issubclass(kind, httpx.RequestError) and kind.__module__.startswith(_OURS):
            try:
                return kind(text)
            except TypeError:  # a subclass with another signature: try its base
                continue
    return httpx.RequestError(text)  # pragma: no cover - RequestError itself is in the mro


def is_retryable_503(error: ServerError) -> bool:
    """A 503 with Retry-After (even 0) says the request was not processed: safe to retry."""
    return error.status == 503 and error.retry_after is not None


def retryable_create(error: TwilioChatError, *, retry_ambiguous: bool) -> bool:
    """A create is retried only when it certainly did not happen, unless the caller accepts
    the risk of duplicates (`retry_ambiguous`); a 201 proves creation and is never retried."""
    if isinstance(error, RateLimitError):
        return True
    if isinstance(error, ServerError):
        return is_retryable_503(error)
    if isinstance(error, TransportError):
        return isinstance(error.__cause__, NOT_SENT)
    if isinstance(error, AmbiguousCreateError):
        return retry_ambiguous and error.status != 201
    return False


def retryable_read(error: TwilioChatError) -> bool:
    """A read is idempotent: every transient failure (429, 5xx, network) is retried; an
    oversized answer would only come back oversized."""
    if isinstance(error, TransportError):
        return not isinstance(error.__cause__, (*NOT_SENT_FATAL, ResponseTooLargeError))
    return isinstance(error, RateLimitError | ServerError)


def may_have_happened(error: TwilioChatError) -> bool:
    """Whether a failed write may still have been applied by the server: anything but a
    429, a 503 with Retry-After (both documented as not processed) or a request that never
    left the client."""
    if isinstance(error, RateLimitError):
        return False
    if isinstance(error, ServerError):
        return not is_retryable_503(error)
    if isinstance(error, TransportError):
        return not isinstance(error.__cause__, NOT_SENT + NOT_SENT_FATAL)
    return isinstance(error, UnexpectedResponseError | AmbiguousCreateError)
