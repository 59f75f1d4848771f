"""The exception hierarchy. Every failure the client raises is a `TwilioChatError`:

    TwilioChatError
    ├── ConfigurationError (a ValueError)  bad arguments, credentials or environment
    ├── ApiError                           Twilio answered with an error status
    │   ├── AuthenticationError            401 / 403: credentials refused
    │   ├── NotFoundError                  404: no such service (Twilio error 20404)
    │   ├── RateLimitError                 429 after retries, or a Retry-After too long to wait
    │   ├── ServerError                    5xx where it is known that nothing was changed
    │   └── UnexpectedResponseError        a response the client cannot interpret
    ├── TransportError                     the request could not be completed on the network
    ├── AmbiguousCreateError               a create may or may not have happened
    └── NameTakenError                     provisioning: services already have this name

Secrets never appear in any message: errors carry SIDs, statuses and URLs, not tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "AmbiguousCreateError",
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "NameTakenError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "TwilioChatError",
    "UnexpectedResponseError",
]


class TwilioChatError(Exception):
    """Base class of every error this package raises."""


class ConfigurationError(TwilioChatError, ValueError):
    """Raised before any request for missing or malformed arguments, credentials or settings."""


# --- Twilio answered --------------------------------------------------------------------------


class ApiError(TwilioChatError):
    """Raised when Twilio answers with an error status.

    `code`, `message`, `more_info` and `details` come from Twilio's error body (either of its
    two shapes); when the body is not JSON, `message` is a short excerpt of it.
    """

    def __init__(
        self,
        *,
        status: int,
        method: str,
        url: str,
        code: int | None = None,
        message: str | None = None,
        more_info: str | None = None,
        details: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.code = code
        self.message = message
        self.more_info = more_info
        self.details = details
        self.retry_after = retry_after
        self.request_id = request_id
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"HTTP {self.status}"
        if self.code is not None:
            text += f" (Twilio error {self.code})"
        if self.message:
            text += f": {self.message}"
        text += f" [{self.method} {self.url}]"
        if self.retry_after is not None:
            text += f" retry-after={self.retry_after:g}s"
        if self.request_id:
            text += f" request-id={self.request_id}"
        return text


class AuthenticationError(ApiError):
    """Raised on 401 or 403: the credentials were refused (retrying will not help)."""


class NotFoundError(ApiError):
    """Raised on 404: the service does not exist (Twilio error 20404), for example a fetch,
    update or delete of a SID that was deleted or never existed."""


class RateLimitError(ApiError):
    """Raised on 429 once retries are spent, or at once when Retry-After is beyond the cap."""


class ServerError(ApiError):
    """Raised on a 5xx that is known not to have changed anything (for example 503 with
    Retry-After after retries, or any 5xx on a read). On a create, other 5xx are ambiguous."""


class UnexpectedResponseError(ApiError):
    """Raised for a response the client cannot interpret: an unknown status, or a body that
    does not match the spec. `message` holds a short excerpt of the body."""


# --- No usable answer ------------------------------------------------------------------------


class TransportError(TwilioChatError):
    """Raised when the request could not be completed on the network.

    For a create this is raised only when the request certainly never reached Twilio (connect
    errors, connect and pool timeouts); failures after sending are `AmbiguousCreateError`.
    `__cause__` is an exception of the underlying httpx class with a masked message only: the
    original, which holds the request and its credentials, is not chained.
    """

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self.method = method
        self.url = url
        super().__init__(f"{message} [{method} {url}]")


class AmbiguousCreateError(TwilioChatError):
    """Raised when a create may or may not have happened: the request may have reached Twilio
    but no usable answer came back (read timeout, dropped connection, 500/502/504, 503 without
    Retry-After, a 201 whose body cannot be parsed).

    It is not retried by default, because a blind retry can create a duplicate service. The
    cause (an `ApiError`, or a credential-free copy of the httpx exception) is `__cause__`;
    a cut-off attempt (attempt timeout or retry deadline) and a response body beyond
    `max_response_bytes` are ambiguous too. `status` is the
    HTTP status when a response arrived. List the account's services to find out, as
    `create_services` does.
    """

    def __init__(self, friendly_name: str, *, reason: str, status: int | None = None) -> None:
        self.friendly_name = friendly_name
        self.reason = reason
        self.status = status
        where = f" (HTTP {status})" if status is not None else ""
        super().__init__(
            f"service {friendly_name!r} may or may not have been created: {reason}{where}"
        )


class NameTakenError(TwilioChatError):
    """Provisioning found services with this name that it will not adopt: several (a
    conflict, none picked) or one with `on_existing="fail"`. `sids` are those services."""

    def __init__(self, friendly_name: str, sids: tuple[str, ...], *, reason: str) -> None:
        self.friendly_name = friendly_name
        self.sids = sids
        super().__init__(f"service {friendly_name!r}: {reason} ({', '.join(sids)})")
