"""Who may call the emulator: HTTP Basic with the account SID or an API key, as Twilio checks it."""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Mapping
from typing import Final

__all__ = ["TEST_ACCOUNT_SID", "TEST_AUTH_TOKEN", "Authenticator"]

TEST_ACCOUNT_SID: Final = "AC00000000000000000000000000000000"
"""The emulator's default account SID (well-formed, never a real account)."""

TEST_AUTH_TOKEN: Final = "0123456789abcdef0123456789abcdef"  # noqa: S105 - a public test value
"""The emulator's default auth token (32 characters, like Twilio's)."""

_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_API_KEY_SID = re.compile(r"SK[0-9a-fA-F]{32}")


def _basic(username: str, password: str) -> bytes:
    token = base64.b64encode(f"{username}:{password}".encode())
    return b"Basic " + token


class Authenticator:
    """Checks an `Authorization` header against the account and its API keys.

    The canonical header of each credential is precomputed, so a well-formed request costs one
    set lookup; anything else is decoded and compared in constant time.
    """

    __slots__ = ("_accepted", "_secrets")

    def __init__(self, account_sid: str, auth_token: str, api_keys: Mapping[str, str]) -> None:
        if not _ACCOUNT_SID.fullmatch(account_sid):
            raise ValueError(f"account_sid must be 'AC' + 32 hex digits, got {account_sid!r}")
        if not auth_token:
            raise ValueError("auth_token must not be empty")
        for key_sid, secret in api_keys.items():
            if not _API_KEY_SID.fullmatch(key_sid):
                raise ValueError(f"API key SIDs must be 'SK' + 32 hex digits, got {key_sid!r}")
            if not secret:
                raise ValueError(f"the secret of API key {key_sid} must not be empty")
        self._secrets: dict[str, bytes] = {account_sid: auth_token.encode()}
        self._secrets.update({sid: secret.encode() for sid, secret in api_keys.items()})
        self._accepted = frozenset(
            _basic(sid, secret.decode()) for sid, secret in self._secrets.items()
        )

    def __call__(self, header: bytes | None) -> bool:
        """Whether `header` (the raw `Authorization` value, or None) names a valid credential."""
        if header is None:
            return False
        if header in self._accepted:
            return True
        scheme, _, encoded = header.strip().partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            return False
        username, colon, password = decoded.partition(b":")
        if not colon:
            return False
        try:
            expected = self._secrets.get(username.decode())
        except UnicodeDecodeError:
            return False
        return expected is not None and hmac.compare_digest(expected, password)
