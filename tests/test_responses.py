"""Reading Twilio's answers: both error shapes, non-JSON bodies, Retry-After, malformed 201s."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from tests.conftest import TestCredentials, offline_transport
from twilio_chat import (
    AmbiguousCreateError,
    ApiError,
    AuthenticationError,
    ChatClient,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    UnexpectedResponseError,
)
from twilio_chat._responses import api_error, excerpt, parse_retry_after

pytestmark = pytest.mark.usefixtures("secrets_stay_hidden")

URL = "https://ip-messaging.twilio.com/v2/Services"
NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def _response(status: int, content: bytes = b"", **headers: str) -> httpx.Response:
    return httpx.Response(
        status, content=content, headers=headers, request=httpx.Request("POST", URL)
    )


def _json(status: int, body: object, **headers: str) -> httpx.Response:
    return _response(status, json.dumps(body).encode(), **headers)


def _http_date(offset: float) -> str:
    return email.utils.formatdate(NOW + offset, usegmt=True)


# --- Retry-After -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "now", "expected"),
    [
        pytest.param({}, NOW, None, id="absent"),
        pytest.param({"Retry-After": "3"}, NOW, 3.0, id="seconds"),
        pytest.param({"Retry-After": "0"}, NOW, 0.0, id="zero"),
        pytest.param({"Retry-After": "1.5"}, NOW, 1.5, id="fractional"),
        pytest.param({"retry-after": " 20 "}, NOW, 20.0, id="lowercase-padded"),
        pytest.param({"retry-after-ms": "250"}, NOW, 0.25, id="ms"),
        pytest.param({"retry-after-ms": "1500", "Retry-After": "9"}, NOW, 1.5, id="ms-wins"),
        pytest.param({"retry-after-ms": "junk", "Retry-After": "9"}, NOW, 9.0, id="bad-ms-falls"),
        pytest.param({"Retry-After": _http_date(30)}, NOW, 30.0, id="http-date"),
        pytest.param({"Retry-After": _http_date(-30)}, NOW, 0.0, id="http-date-past"),
        pytest.param({"Retry-After": "Wed, 21 Oct 2015 07:28:00"}, NOW, None, id="date-no-zone"),
        pytest.param({"Retry-After": "soon"}, NOW, None, id="garbage"),
        pytest.param({"Retry-After": ""}, NOW, None, id="empty"),
        pytest.param({"Retry-After": "-5"}, NOW, None, id="negative"),
        pytest.param({"Retry-After": "nan"}, NOW, None, id="nan"),
        pytest.param({"Retry-After": "inf"}, NOW, None, id="inf"),
        pytest.param({"Retry-After": "1e999"}, NOW, None, id="overflow"),
        pytest.param({"Retry-After": "Mon, 99 Foo 2020 00:00:00 GMT"}, NOW, None, id="bad-date"),
        pytest.param({"retry-after-ms": "-1"}, NOW, None, id="negative-ms"),
    ],
)
def test_responses_parse_retry_after(
    headers: dict[str, str], now: float, expected: float | None
) -> None:
    """Retry-After in seconds, milliseconds or as an HTTP-date; anything else is ignored."""
    assert parse_retry_after(httpx.Headers(headers), clock=lambda: now) == pytest.approx(expected)


def test_responses_parse_retry_after_uses_the_clock() -> None:
    """The HTTP-date form is measured from the injected clock, not the wall clock."""
    headers = httpx.Headers({"Retry-After": _http_date(60)})
    assert parse_retry_after(headers, clock=lambda: NOW + 45) == pytest.approx(15.0)


# --- Error bodies ----------------------------------------------------------------------------


def test_responses_legacy_error_shape() -> None:
    """`{code, message, more_info, status, details}` fills every field of the error."""
    body = {
        "code": 20001,
        "message": "Invalid FriendlyName",
        "more_info": "https://www.twilio.com/docs/errors/20001",
        "status": 400,
        "details": {"param": "FriendlyName"},
    }
    error = api_error(_json(400, body, **{"Twilio-Request-Id": "RQ0001"}))
    assert type(error) is ApiError
    assert (error.status, error.code, error.message) == (400, 20001, "Invalid FriendlyName")
    assert error.more_info == "https://www.twilio.com/docs/errors/20001"
    assert error.details == {"param": "FriendlyName"}
    assert (error.method, error.url, error.request_id) == ("POST", URL, "RQ0001")


@pytest.mark.parametrize(
    ("body", "message", "more_info"),
    [
        pytest.param(
            {
                "type": "https://www.twilio.com/docs/errors/20001",
                "title": "Invalid parameter",
                "status": 400,
                "code": 20001,
                "detail": "FriendlyName is too long",
            },
            "FriendlyName is too long",
            "https://www.twilio.com/docs/errors/20001",
            id="detail-wins",
        ),
        pytest.param(
            {"type": "https://www.twilio.com/docs/errors/20001", "title": "Invalid", "code": 20001},
            "Invalid",
            "https://www.twilio.com/docs/errors/20001",
            id="title-without-detail",
        ),
        pytest.param(
            {"type": "about:blank", "title": "Bad Request", "status": 400},
            "Bad Request",
            None,
            id="type-not-a-url",
        ),
    ],
)
def test_responses_rfc9457_error_shape(
    body: dict[str, Any], message: str, more_info: str | None
) -> None:
    """RFC 9457-style bodies: message from `detail` else `title`, more_info from a URL `type`."""
    error = api_error(_json(400, body))
    assert error.message == message
    assert error.more_info == more_info
    assert error.code == body.get("code")


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        pytest.param(400, ApiError, id="400"),
        pytest.param(401, AuthenticationError, id="401"),
        pytest.param(403, AuthenticationError, id="403"),
        pytest.param(404, NotFoundError, id="404"),
        pytest.param(429, RateLimitError, id="429"),
        pytest.param(500, ServerError, id="500"),
        pytest.param(520, ServerError, id="520"),
        pytest.param(200, UnexpectedResponseError, id="200"),
        pytest.param(302, UnexpectedResponseError, id="302"),
        pytest.param(600, UnexpectedResponseError, id="600"),
    ],
)
def test_responses_error_class_by_status(status: int, cls: type[ApiError]) -> None:
    """The error class follows the status."""
    error = api_error(_json(status, {"code": 1, "message": "m"}))
    assert type(error) is cls
    assert error.status == status


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            b"<html>\n<body>  <h1>Bad   request</h1>\n</body></html>",
            "<html> <body> <h1>Bad request</h1> </body></html>",
            id="html",
        ),
        pytest.param(b"", "(empty body)", id="empty"),
        pytest.param(b"   \n\t", "(empty body)", id="blank"),
        pytest.param(b"upstream connect error", "upstream connect error", id="text"),
        pytest.param(b"\xff\xfe not utf-8", "\ufffd\ufffd not utf-8", id="bad-utf8"),
        pytest.param(b"[1, 2]", "[1, 2]", id="json-array"),
        pytest.param(b'"just a string"', '"just a string"', id="json-string"),
    ],
)
def test_responses_non_json_error_body(content: bytes, expected: str) -> None:
    """A body that is not a JSON object still yields a typed error with a short excerpt."""
    error = api_error(_response(400, content))
    assert type(error) is ApiError
    assert error.status == 400
    assert error.code is None
    assert error.message == expected


def test_responses_json_object_without_message_gets_excerpt() -> None:
    """A JSON object without message/detail/title falls back to the body excerpt."""
    error = api_error(_json(400, {"code": "20001", "details": ["not", "a", "dict"]}))
    assert error.code is None  # a string code is not taken as a number
    assert error.details is None
    assert error.message == '{"code": "20001", "details": ["not", "a", "dict"]}'


def test_responses_deeply_nested_json_error_body() -> None:
    """A pathologically nested body does not escape as RecursionError."""
    error = api_error(_response(400, b"[" * 100_000))
    assert type(error) is ApiError
    assert error.message is not None
    assert len(error.message) <= 200


def test_responses_excerpt_is_short() -> None:
    """Long bodies are cut to 200 characters with an ellipsis."""
    text = excerpt(_response(500, b"x" * 10_000))
    assert len(text) == 200
    assert text.endswith("…")


def test_responses_error_carries_retry_after() -> None:
    """The error keeps the parsed Retry-After."""
    error = api_error(_json(429, {"code": 20429, "message": "Too Many"}, **{"Retry-After": "7"}))
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7.0


# --- Through the client ----------------------------------------------------------------------


def _client(creds: TestCredentials) -> ChatClient:
    return ChatClient(
        creds.account_sid,
        creds.auth_token,
        retry=RetryPolicy(base_delay=0, max_attempts=1),
        transport=offline_transport(),
    )


@pytest.mark.parametrize(
    ("response", "cls", "message"),
    [
        pytest.param(
            httpx.Response(400, html="<html><body>Bad Request</body></html>"),
            ApiError,
            "<html><body>Bad Request</body></html>",
            id="html-400",
        ),
        pytest.param(httpx.Response(404), NotFoundError, "(empty body)", id="empty-404"),
        pytest.param(
            httpx.Response(401, text="Unauthorized"),
            AuthenticationError,
            "Unauthorized",
            id="text-401",
        ),
        pytest.param(
            httpx.Response(
                401,
                json={
                    "code": 20003,
                    "message": "Authenticate",
                    "more_info": "https://www.twilio.com/docs/errors/20003",
                    "status": 401,
                },
            ),
            AuthenticationError,
            "Authenticate",
            id="twilio-401",
        ),
        pytest.param(
            httpx.Response(
                400,
                json={
                    "type": "https://www.twilio.com/docs/errors/20001",
                    "title": "Invalid",
                    "status": 400,
                    "code": 20001,
                    "detail": "FriendlyName rejected",
                },
            ),
            ApiError,
            "FriendlyName rejected",
            id="rfc9457-400",
        ),
    ],
)
async def test_responses_client_error_bodies(
    creds: TestCredentials,
    response: httpx.Response,
    cls: type[ApiError],
    message: str,
    assert_no_secret: Callable[[object], None],
) -> None:
    """4xx bodies of any shape become the typed error, with status, method and URL."""
    response.headers["Twilio-Request-Id"] = "RQfeed"
    with respx.mock(using="httpx") as mock:
        mock.post(URL).mock(return_value=response)
        async with _client(creds) as chat:
            with pytest.raises(ApiError) as info:
                await chat.create_service("x")
    error = info.value
    assert type(error) is cls
    assert error.status == response.status_code
    assert error.message == message
    assert (error.method, error.url, error.request_id) == ("POST", URL, "RQfeed")
    assert_no_secret(error)


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(httpx.Response(201, html="<html>Created</html>"), id="html"),
        pytest.param(httpx.Response(201), id="empty"),
        pytest.param(httpx.Response(201, json=[]), id="array"),
        pytest.param(httpx.Response(201, json="IS" + "0" * 32), id="string"),
        pytest.param(httpx.Response(201, json=None), id="null"),
        pytest.param(httpx.Response(201, json={"friendly_name": "x"}), id="no-sid"),
        pytest.param(httpx.Response(201, json={"sid": None}), id="null-sid"),
        pytest.param(httpx.Response(201, json={"sid": 12345}), id="int-sid"),
        pytest.param(
            httpx.Response(201, json={"sid": "IS" + "0" * 32, "date_created": "yesterday"}),
            id="bad-date",
        ),
        pytest.param(
            httpx.Response(201, json={"sid": "IS" + "0" * 32, "date_updated": 1438286400}),
            id="numeric-date",
        ),
        pytest.param(
            httpx.Response(201, json={"sid": "IS" + "0" * 32, "links": "nope"}), id="bad-links"
        ),
    ],
)
async def test_responses_malformed_201_is_ambiguous(
    creds: TestCredentials,
    response: httpx.Response,
    assert_no_secret: Callable[[object], None],
) -> None:
    """A 201 whose body cannot be parsed means "created, SID unknown": AmbiguousCreateError."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(URL).mock(return_value=response)
        async with _client(creds) as chat:
            with pytest.raises(AmbiguousCreateError) as info:
                await chat.create_service("x")
    assert route.call_count == 1
    assert info.value.status == 201
    assert info.value.friendly_name == "x"
    assert isinstance(info.value.__cause__, UnexpectedResponseError)
    assert info.value.__cause__.status == 201
    assert_no_secret(info.value)


async def test_responses_201_returns_generated_service(
    creds: TestCredentials, service_example: dict[str, Any]
) -> None:
    """A well-formed 201 returns the generated Service model, parsed."""
    from twilio_chat import Service

    with respx.mock(using="httpx") as mock:
        mock.post(URL).mock(return_value=httpx.Response(201, json=service_example))
        async with _client(creds) as chat:
            service = await chat.create_service("friendly_name")
    assert isinstance(service, Service)
    assert service.sid == service_example["sid"]
    assert service.date_created is not None
    assert not isinstance(service.date_created, str)


@pytest.mark.parametrize(
    "content",
    [
        b'{"a": 1}',
        b'{"a": "\\u00e9"}',
        '{"a": "é"}'.encode(),
        '{"a": 1}'.encode("utf-16-le"),
        '{"a": 1}'.encode("utf-16"),
        '{"a": 1}'.encode("utf-32"),
        b"\xef\xbb\xbf{}",
        b"{",
        b"{\x00",
        b'{"a": "\xff"}',
        b'{"a": "\xed\xa0\x80"}',  # a lone surrogate, as json.loads reads bytes
        b"[1]",
        b"",
    ],
)
def test_responses_json_body_reads_bytes_as_json_loads_does(content: bytes) -> None:
    """The body is decoded as `json.loads(bytes)` would (UTF-16/32, BOMs, surrogates)."""
    from twilio_chat._responses import json_body

    response = httpx.Response(200, content=content)
    try:
        expected = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        expected = None
    assert json_body(response) == (expected if isinstance(expected, dict) else None)
