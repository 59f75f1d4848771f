"""The canned response body and the fake credentials used by every benchmark."""

from __future__ import annotations

import json
import secrets
from functools import cache
from pathlib import Path

import yaml  # type: ignore[import-untyped]

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"

#: A valid-shaped Account SID (``AC`` + 32 hex digits) and an arbitrary token.
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = secrets.token_hex(16)


@cache
def service_created() -> dict[str, object]:
    """Twilio's example 201 body for ``POST /v2/Services`` (``ServiceCreated`` in the spec)."""
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    value = spec["components"]["examples"]["ServiceCreated"]["value"]
    if not isinstance(value, dict):
        raise TypeError("components/examples/ServiceCreated/value is not an object")
    return value


@cache
def service_created_bytes() -> bytes:
    """The example body as compact JSON bytes, exactly as the servers send it."""
    return json.dumps(service_created(), separators=(",", ":")).encode()


def expected_sid() -> str:
    """The ``sid`` every successful create must return."""
    sid = service_created()["sid"]
    if not isinstance(sid, str):
        raise TypeError("example sid is not a string")
    return sid
