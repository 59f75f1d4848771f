"""Checked settings: where requests go (base URL, region/edge), how long they may take, and
the one argument Twilio constrains (the friendly name)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx

from ._errors import ConfigurationError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "MAX_FRIENDLY_NAME",
    "check_friendly_name",
    "check_int",
    "resolve_base_url",
    "resolve_timeout",
]

DEFAULT_BASE_URL = "https://ip-messaging.twilio.com"
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=10.0, pool=30.0)
MAX_FRIENDLY_NAME = 64
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def resolve_base_url(
    *,
    base_url: str | None,
    region: str | None,
    edge: str | None,
    environ: Mapping[str, str],
) -> str:
    """An explicit base URL (argument, else `TWILIO_CHAT_BASE_URL`) is used exactly as given;
    otherwise region and edge are inserted into the default host the way Twilio's SDKs do."""
    base_url = base_url if base_url is not None else environ.get("TWILIO_CHAT_BASE_URL") or None
    if base_url is not None:
        if not isinstance(base_url, str):
            raise ConfigurationError("base_url must be a str")
        try:
            url = httpx.URL(base_url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise ConfigurationError(f"invalid base_url: {exc}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigurationError("base_url must be an absolute http:// or https:// URL")
        if url.userinfo:
            raise ConfigurationError("base_url must not carry credentials")
        return base_url
    region = region if region is not None else environ.get("TWILIO_REGION") or None
    edge = edge if edge is not None else environ.get("TWILIO_EDGE") or None
    for name, value in (("region", region), ("edge", edge)):
        if value is not None and not (isinstance(value, str) and _LABEL.fullmatch(value)):
            raise ConfigurationError(f"invalid {name} {value!r}: expected a DNS label like 'ie1'")
    if edge is not None and region is None:
        region = "us1"
    labels = [label for label in ("ip-messaging", edge, region) if label]
    return f"https://{'.'.join(labels)}.twilio.com"


def resolve_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    """Seconds or an `httpx.Timeout`; every phase must be finite and positive."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float | httpx.Timeout):
        raise ConfigurationError("timeout must be seconds (a number) or an httpx.Timeout")
    resolved = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(float(timeout))
    for phase in ("connect", "read", "write", "pool"):
        value = getattr(resolved, phase)
        if value is None or not 0 < value < float("inf"):
            raise ConfigurationError(f"timeout.{phase} must be a finite number of seconds > 0")
    return resolved


def check_friendly_name(friendly_name: object) -> None:
    """Twilio accepts 1 to 64 characters; anything else is refused before a request."""
    if not isinstance(friendly_name, str):
        raise ConfigurationError(f"friendly_name must be a str, not {type(friendly_name).__name__}")
    if not friendly_name:
        raise ConfigurationError("friendly_name must not be empty")
    try:
        friendly_name.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: no request could carry it
        raise ConfigurationError(
            f"friendly_name cannot be encoded as UTF-8 (a lone surrogate at index {exc.start})"
        ) from None
    if len(friendly_name) > MAX_FRIENDLY_NAME:
        raise ConfigurationError(
            f"friendly_name is {len(friendly_name)} characters; Twilio allows at most "
            f"{MAX_FRIENDLY_NAME}"
        )


def check_int(value: object, what: str, minimum: int, maximum: int | None = None) -> None:
    """The one check for integer arguments: an int (not a bool) within bounds."""
    in_range = (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= minimum
        and (maximum is None or value <= maximum)
    )
    if not in_range:
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ConfigurationError(f"{what} must be an integer {bounds}")


_SERVICE_SID = re.compile(r"IS[0-9a-fA-F]{32}")


def check_service_sid(sid: object) -> None:
    """A service SID is `IS` and 32 hex digits; anything else is refused before a request
    (it would otherwise become part of the URL path)."""
    if not isinstance(sid, str):
        raise ConfigurationError(f"service SID must be a str, not {type(sid).__name__}")
    if not _SERVICE_SID.fullmatch(sid):
        problem = (
            f"got {len(sid)} characters"
            if len(sid) != 34
            else "it does not start with IS"
            if not sid.startswith("IS")
            else "the 32 characters after IS are not all hex digits"
        )
        raise ConfigurationError(f"service SID must be IS followed by 32 hex digits; {problem}")


def check_text(value: str, what: str) -> None:
    """Text Twilio receives must be encodable as UTF-8 (a lone surrogate is not)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigurationError(f"{what} contains characters that cannot be sent") from None
