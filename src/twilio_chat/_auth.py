"""Credentials: account SID + auth token, or API key SID + secret, sent as HTTP Basic.

Arguments beat the environment (`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `TWILIO_API_KEY`,
`TWILIO_API_SECRET`); within one source an API key pair beats an auth token. Shapes are checked
here, before any request, and no message ever contains a secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from ._errors import ConfigurationError

__all__ = ["Credentials", "resolve_credentials"]

_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_API_KEY_SID = re.compile(r"SK[0-9a-fA-F]{32}")
_HEX = frozenset("0123456789abcdefABCDEF")


@attrs.frozen(kw_only=True)
class Credentials:
    """The resolved HTTP Basic pair. The secret is kept out of repr, str and comparisons."""

    account_sid: str
    username: str
    secret: str = attrs.field(repr=False, eq=False)

    @property
    def kind(self) -> str:
        """`"api_key"` or `"auth_token"`: which credential the username names."""
        return "api_key" if self.username.startswith("SK") else "auth_token"


def resolve_credentials(
    *,
    account_sid: str | None,
    auth_token: str | None,
    api_key: str | None,
    api_secret: str | None,
    environ: Mapping[str, str],
) -> Credentials:
    """Pick the credentials from the arguments, else the environment, and check their shape."""
    account_sid = _pick(account_sid, environ.get("TWILIO_ACCOUNT_SID"))
    if account_sid is None:
        raise ConfigurationError("missing account SID: pass account_sid= or set TWILIO_ACCOUNT_SID")
    _check_sid(account_sid, _ACCOUNT_SID, "account SID", "AC")

    if (api_key is None) != (api_secret is None):  # half a pair: the rest may be in the env
        api_key = api_key if api_key is not None else environ.get("TWILIO_API_KEY") or None
        api_secret = (
            api_secret if api_secret is not None else environ.get("TWILIO_API_SECRET") or None
        )
    pair = _secret_from(api_key, api_secret, auth_token, source="argument")
    if pair is None:
        pair = _secret_from(
            environ.get("TWILIO_API_KEY"),
            environ.get("TWILIO_API_SECRET"),
            environ.get("TWILIO_AUTH_TOKEN"),
            source="environment",
        )
    if pair is None:
        raise ConfigurationError(
            "missing credentials: pass auth_token= (or api_key= and api_secret=), "
            "or set TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET)"
        )
    username, secret = pair
    if username is None:
        username = account_sid
    else:
        _check_sid(username, _API_KEY_SID, "API key SID", "SK")
    return Credentials(account_sid=account_sid, username=username, secret=secret)


def _pick(argument: str | None, environment: str | None) -> str | None:
    """An argument wins; an empty environment variable counts as unset."""
    if argument is not None:
        return argument
    return environment or None


def _secret_from(
    api_key: str | None, api_secret: str | None, auth_token: str | None, *, source: str
) -> tuple[str | None, str] | None:
    """The (username or None for the account SID, secret) one source provides, if any."""
    names = (
        ("api_key", "api_secret", "auth_token")
        if source == "argument"
        else ("TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_AUTH_TOKEN")
    )
    if source == "environment":
        api_key, api_secret, auth_token = api_key or None, api_secret or None, auth_token or None
    if (api_key is None) != (api_secret is None):
        given, missing = (names[0], names[1]) if api_secret is None else (names[1], names[0])
        raise ConfigurationError(f"{given} was given without {missing} ({source})")
    if api_key is not None and api_secret is not None:
        _check_secret(api_secret, names[1])
        return api_key, api_secret
    if auth_token is not None:
        _check_secret(auth_token, names[2])
        return None, auth_token
    return None


def _check_sid(value: str, pattern: re.Pattern[str], what: str, prefix: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        # Says what is wrong without echoing the value: a secret pasted there must not leak.
        raise ConfigurationError(
            f"malformed {what}: must be {prefix!r} followed by 32 hex digits; got "
            f"{_sid_problem(value, prefix)}"
        )


def _sid_problem(value: object, prefix: str) -> str:
    """What is wrong with a would-be SID, in counts and positions, never its characters."""
    if not isinstance(value, str):
        return f"a {type(value).__name__}"
    problems = []
    if not value.startswith(prefix):
        problems.append(f"no {prefix!r} prefix")
    rest = value[len(prefix) :] if value.startswith(prefix) else value
    non_hex = sum(char not in _HEX for char in rest)
    if non_hex:
        problems.append(f"{non_hex} non-hex character{'s' if non_hex != 1 else ''}")
    if any(char.isspace() for char in value):
        problems.append("whitespace")
    return f"{len(value)} characters" + (f" with {', '.join(problems)}" if problems else "")


def _check_secret(value: str, name: str) -> None:
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ConfigurationError(f"{name} is empty")
    if not value.isprintable() or value != value.strip():
        raise ConfigurationError(f"{name} contains whitespace or control characters")
