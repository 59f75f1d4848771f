"""Credentials: which pair is sent as HTTP Basic, where it comes from, and what is refused."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests._bodies import service_body
from tests.conftest import TestCredentials
from twilio_chat import ChatClient, ConfigurationError
from twilio_chat._auth import Credentials, resolve_credentials

pytestmark = pytest.mark.usefixtures("secrets_stay_hidden")


def _basic(username: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode("ascii")


async def _authorization(**kwargs: Any) -> str:
    """The Authorization header a ChatClient built from `kwargs` sends."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=service_body())

    async with ChatClient(**kwargs, transport=httpx.MockTransport(handler)) as chat:
        await chat.create_service("x")
    return seen[0].headers["Authorization"]


def _env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


async def test_auth_account_sid_and_auth_token(creds: TestCredentials) -> None:
    """Account SID + auth token are sent as Basic account_sid:auth_token."""
    header = await _authorization(account_sid=creds.account_sid, auth_token=creds.auth_token)
    assert header == _basic(creds.account_sid, creds.auth_token)


async def test_auth_api_key_and_secret(creds: TestCredentials) -> None:
    """An API key pair is sent as Basic api_key:api_secret; the account SID is not the user."""
    header = await _authorization(
        account_sid=creds.account_sid, api_key=creds.api_key, api_secret=creds.api_secret
    )
    assert header == _basic(creds.api_key, creds.api_secret)


async def test_auth_from_environment_auth_token(
    creds: TestCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are used when nothing is passed."""
    _env(monkeypatch, TWILIO_ACCOUNT_SID=creds.account_sid, TWILIO_AUTH_TOKEN=creds.auth_token)
    assert await _authorization() == _basic(creds.account_sid, creds.auth_token)


async def test_auth_from_environment_api_key(
    creds: TestCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TWILIO_API_KEY and TWILIO_API_SECRET are used with TWILIO_ACCOUNT_SID."""
    _env(
        monkeypatch,
        TWILIO_ACCOUNT_SID=creds.account_sid,
        TWILIO_API_KEY=creds.api_key,
        TWILIO_API_SECRET=creds.api_secret,
    )
    assert await _authorization() == _basic(creds.api_key, creds.api_secret)


async def test_auth_arguments_beat_environment(
    creds: TestCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Explicit arguments win over every TWILIO_* variable."""
    other_sid = "AC" + "9" * 32
    _env(
        monkeypatch,
        TWILIO_ACCOUNT_SID=other_sid,
        TWILIO_AUTH_TOKEN="env-token",
        TWILIO_API_KEY="SK" + "1" * 32,
        TWILIO_API_SECRET="env-secret",
    )
    header = await _authorization(account_sid=creds.account_sid, auth_token=creds.auth_token)
    assert header == _basic(creds.account_sid, creds.auth_token)


def test_auth_argument_token_beats_environment_key_pair(
    creds: TestCredentials,
) -> None:
    """An auth token argument wins over an API key pair that only the environment has."""
    resolved = resolve_credentials(
        account_sid=creds.account_sid,
        auth_token=creds.auth_token,
        api_key=None,
        api_secret=None,
        environ={"TWILIO_API_KEY": creds.api_key, "TWILIO_API_SECRET": creds.api_secret},
    )
    assert (resolved.username, resolved.secret) == (creds.account_sid, creds.auth_token)


def test_auth_argument_account_sid_with_environment_token(creds: TestCredentials) -> None:
    """A missing secret argument is taken from the environment; the SID argument still wins."""
    resolved = resolve_credentials(
        account_sid=creds.account_sid,
        auth_token=None,
        api_key=None,
        api_secret=None,
        environ={"TWILIO_ACCOUNT_SID": "AC" + "9" * 32, "TWILIO_AUTH_TOKEN": creds.auth_token},
    )
    assert (resolved.account_sid, resolved.secret) == (creds.account_sid, creds.auth_token)


@pytest.mark.parametrize(
    "source",
    [pytest.param("argument", id="arguments"), pytest.param("environment", id="environment")],
)
def test_auth_api_key_beats_auth_token_within_one_source(
    creds: TestCredentials, source: str
) -> None:
    """Given an API key pair and an auth token from the same source, the API key is used."""
    values = {
        "auth_token": creds.auth_token,
        "api_key": creds.api_key,
        "api_secret": creds.api_secret,
    }
    if source == "argument":
        resolved = resolve_credentials(account_sid=creds.account_sid, environ={}, **values)
    else:
        environ = {f"TWILIO_{name.upper()}": value for name, value in values.items()}
        resolved = resolve_credentials(
            account_sid=creds.account_sid,
            auth_token=None,
            api_key=None,
            api_secret=None,
            environ=environ,
        )
    assert (resolved.username, resolved.secret) == (creds.api_key, creds.api_secret)
    assert resolved.kind == "api_key"
    assert resolved.account_sid == creds.account_sid


def test_auth_empty_environment_variables_count_as_unset(creds: TestCredentials) -> None:
    """An empty TWILIO_API_KEY/TWILIO_API_SECRET does not shadow the auth token."""
    resolved = resolve_credentials(
        account_sid=None,
        auth_token=None,
        api_key=None,
        api_secret=None,
        environ={
            "TWILIO_ACCOUNT_SID": creds.account_sid,
            "TWILIO_AUTH_TOKEN": creds.auth_token,
            "TWILIO_API_KEY": "",
            "TWILIO_API_SECRET": "",
        },
    )
    assert resolved.kind == "auth_token"
    assert resolved.secret == creds.auth_token


GOOD = TestCredentials()


@pytest.mark.parametrize(
    ("kwargs", "environ", "expected"),
    [
        pytest.param({}, {}, "missing account SID", id="nothing"),
        pytest.param(
            {"auth_token": GOOD.auth_token}, {}, "missing account SID", id="no-account-sid"
        ),
        pytest.param({"account_sid": GOOD.account_sid}, {}, "missing credentials", id="no-secret"),
        pytest.param(
            {"account_sid": "AC123", "auth_token": GOOD.auth_token},
            {},
            "malformed account SID",
            id="short-account-sid",
        ),
        pytest.param(
            {"account_sid": "SK" + "0" * 32, "auth_token": GOOD.auth_token},
            {},
            "malformed account SID",
            id="account-sid-wrong-prefix",
        ),
        pytest.param(
            {"account_sid": "AC" + "g" * 32, "auth_token": GOOD.auth_token},
            {},
            "malformed account SID",
            id="account-sid-not-hex",
        ),
        pytest.param(
            {"account_sid": " " + GOOD.account_sid, "auth_token": GOOD.auth_token},
            {},
            "malformed account SID",
            id="account-sid-whitespace",
        ),
        pytest.param(
            {},
            {"TWILIO_ACCOUNT_SID": "ACnope", "TWILIO_AUTH_TOKEN": GOOD.auth_token},
            "malformed account SID",
            id="env-account-sid-malformed",
        ),
        pytest.param(
            {"account_sid": GOOD.account_sid, "api_key": "AC" + "0" * 32, "api_secret": "s3"},
            {},
            "malformed API key SID",
            id="api-key-wrong-prefix",
        ),
        pytest.param(
            {"account_sid": GOOD.account_sid, "api_key": GOOD.api_key},
            {},
            "api_key was given without api_secret",
            id="api-key-without-secret",
        ),
        pytest.param(
            {"account_sid": GOOD.account_sid, "api_secret": GOOD.api_secret},
            {},
            "api_secret was given without api_key",
            id="api-secret-without-key",
        ),
        pytest.param(
            {"account_sid": GOOD.account_sid},
            {"TWILIO_API_KEY": GOOD.api_key, "TWILIO_AUTH_TOKEN": GOOD.auth_token},
            "TWILIO_API_KEY was given without TWILIO_API_SECRET",
            id="env-half-key-pair",
        ),
        pytest.param(
            {"account_sid": GOOD.account_sid, "auth_token": ""},
            {},
            "auth_token is empty",
            id="empty-auth-token",
        ),
        pytest.param(
            {"account_sid": GOOD.account_sid, "api_key": GOOD.api_key, "api_secret": ""},
            {},
            "api_secret is empty",
            id="empty-api-secret",
        ),
        pytest.param(
            {"account_sid": GOOD.account_sid, "auth_token": GOOD.auth_token + "\n"},
            {},
            "auth_token contains whitespace",
            id="token-trailing-newline",
        ),
    ],
)
def test_auth_refuses_bad_credentials(
    kwargs: dict[str, str],
    environ: dict[str, str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    assert_no_secret: Callable[[object], None],
) -> None:
    """Missing or malformed credentials raise ConfigurationError naming the problem."""
    _env(monkeypatch, **environ)
    with pytest.raises(ConfigurationError, match=expected) as info:
        ChatClient(**kwargs)
    assert isinstance(info.value, ValueError)
    assert_no_secret(info.value)


@pytest.mark.parametrize(
    ("kwargs", "secret"),
    [
        pytest.param(
            {"account_sid": GOOD.auth_token, "auth_token": GOOD.auth_token},
            GOOD.auth_token,
            id="token-in-sid-slot",
        ),
        pytest.param(
            {"account_sid": GOOD.account_sid, "api_key": GOOD.api_secret, "api_secret": "x"},
            GOOD.api_secret,
            id="secret-in-key-slot",
        ),
        pytest.param(
            {"account_sid": GOOD.account_sid, "auth_token": GOOD.auth_token + " "},
            GOOD.auth_token,
            id="token-with-space",
        ),
    ],
)
def test_auth_error_never_echoes_a_misplaced_secret(kwargs: dict[str, str], secret: str) -> None:
    """A secret passed in the wrong slot is not repeated in the error message."""
    with pytest.raises(ConfigurationError) as info:
        ChatClient(**kwargs)
    assert secret not in str(info.value)
    assert secret not in repr(info.value)


def test_auth_credentials_repr_hides_secret(creds: TestCredentials) -> None:
    """`Credentials` repr shows SIDs but never the secret."""
    credentials = Credentials(
        account_sid=creds.account_sid, username=creds.api_key, secret=creds.api_secret
    )
    assert creds.api_secret not in repr(credentials)
    assert creds.api_secret not in str(credentials)
    assert creds.api_key in repr(credentials)


def test_auth_credentials_kind(creds: TestCredentials) -> None:
    """`kind` tells an API key from an auth token by the username."""
    token = Credentials(
        account_sid=creds.account_sid, username=creds.account_sid, secret=creds.auth_token
    )
    key = Credentials(account_sid=creds.account_sid, username=creds.api_key, secret="x")
    assert (token.kind, key.kind) == ("auth_token", "api_key")


async def test_auth_client_repr_hides_secret(
    creds: TestCredentials, assert_no_secret: Callable[[object], None]
) -> None:
    """`repr(chat)` names the account and the credential kind, never the secret."""
    for kwargs in (
        {"auth_token": creds.auth_token},
        {"api_key": creds.api_key, "api_secret": creds.api_secret},
    ):
        async with ChatClient(creds.account_sid, **kwargs) as chat:
            assert creds.account_sid in repr(chat)
            assert_no_secret(chat)


def test_api_key_argument_takes_its_secret_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Missing arguments come from the environment, half a key pair included."""
    monkeypatch.setenv("TWILIO_API_SECRET", "env-secret")
    credentials = resolve_credentials(
        account_sid="AC" + "a" * 32,
        auth_token=None,
        api_key="SK" + "b" * 32,
        api_secret=None,
        environ=os.environ,
    )
    assert (credentials.username, credentials.secret) == ("SK" + "b" * 32, "env-secret")


@pytest.mark.parametrize(
    ("account_sid", "expected"),
    [
        pytest.param("AC" + "x" * 32, "got 34 characters with 32 non-hex characters", id="x-fill"),
        pytest.param("AC" + "0" * 31, "got 33 characters$", id="one-short"),
        pytest.param("AC" + "0" * 31 + " ", "34 characters with 1 non-hex character, whitespace"),
        pytest.param("ab" + "0" * 32, "34 characters with no 'AC' prefix", id="lower-prefix"),
    ],
)
def test_auth_malformed_sid_message_says_what_is_wrong(account_sid: str, expected: str) -> None:
    """A malformed SID's message states the rule and what breaks it, by counts, not content."""
    with pytest.raises(ConfigurationError, match="must be 'AC' followed by 32 hex digits") as info:
        ChatClient(account_sid, GOOD.auth_token)
    assert re.search(expected, str(info.value)), str(info.value)
    assert "xxxx" not in str(info.value)
