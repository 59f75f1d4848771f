"""The exception hierarchy: types, attributes and messages."""

from __future__ import annotations

import pytest

from twilio_chat import (
    AmbiguousCreateError,
    ApiError,
    AuthenticationError,
    ConfigurationError,
    RateLimitError,
    ServerError,
    TransportError,
    TwilioChatError,
    UnexpectedResponseError,
)

URL = "https://ip-messaging.twilio.com/v2/Services"


@pytest.mark.parametrize(
    ("cls", "base"),
    [
        pytest.param(ConfigurationError, TwilioChatError, id="configuration"),
        pytest.param(ConfigurationError, ValueError, id="configuration-is-valueerror"),
        pytest.param(ApiError, TwilioChatError, id="api"),
        pytest.param(AuthenticationError, ApiError, id="authentication"),
        pytest.param(RateLimitError, ApiError, id="rate-limit"),
        pytest.param(ServerError, ApiError, id="server"),
        pytest.param(UnexpectedResponseError, ApiError, id="unexpected"),
        pytest.param(TransportError, TwilioChatError, id="transport"),
        pytest.param(AmbiguousCreateError, TwilioChatError, id="ambiguous"),
    ],
)
def test_errors_hierarchy(cls: type[Exception], base: type[Exception]) -> None:
    """Each error sits where the hierarchy in `_errors.py` draws it."""
    assert issubclass(cls, base)


@pytest.mark.parametrize(
    "cls",
    [
        pytest.param(TransportError, id="transport"),
        pytest.param(AmbiguousCreateError, id="ambiguous"),
    ],
)
def test_errors_no_answer_is_not_an_api_error(cls: type[Exception]) -> None:
    """Failures without a usable answer are not `ApiError`s, so `except ApiError` misses them."""
    assert not issubclass(cls, ApiError)


def test_errors_api_error_carries_every_field() -> None:
    """An `ApiError` keeps status, code, message, more_info, details, method, url and headers."""
    error = ApiError(
        status=400,
        method="POST",
        url=URL,
        code=20001,
        message="Invalid parameter",
        more_info="https://www.twilio.com/docs/errors/20001",
        details={"field": "FriendlyName"},
        retry_after=2.5,
        request_id="RQ123",
    )
    assert (error.status, error.code, error.message) == (400, 20001, "Invalid parameter")
    assert error.more_info == "https://www.twilio.com/docs/errors/20001"
    assert error.details == {"field": "FriendlyName"}
    assert (error.method, error.url) == ("POST", URL)
    assert (error.retry_after, error.request_id) == (2.5, "RQ123")


def test_errors_api_error_message_names_status_code_and_request() -> None:
    """`str()` gives status, Twilio code, message, request line, Retry-After and request id."""
    error = RateLimitError(
        status=429,
        method="POST",
        url=URL,
        code=20429,
        message="Too Many Requests",
        retry_after=1.5,
        request_id="RQabc",
    )
    text = str(error)
    for part in ("HTTP 429", "20429", "Too Many Requests", f"POST {URL}", "1.5", "RQabc"):
        assert part in text


def test_errors_api_error_minimal_message() -> None:
    """Without a code or message, `str()` still names status and request."""
    assert str(ApiError(status=418, method="GET", url=URL)) == f"HTTP 418 [GET {URL}]"


def test_errors_transport_error_names_request() -> None:
    """`TransportError` keeps method and url and names them in its message."""
    error = TransportError("request not sent (ConnectError)", method="POST", url=URL)
    assert (error.method, error.url) == ("POST", URL)
    assert "ConnectError" in str(error)
    assert URL in str(error)


def test_errors_ambiguous_create_says_it_may_have_happened() -> None:
    """`AmbiguousCreateError` names the service, the reason and the status."""
    error = AmbiguousCreateError("My Service", reason="ReadTimeout", status=502)
    assert (error.friendly_name, error.reason, error.status) == ("My Service", "ReadTimeout", 502)
    text = str(error)
    assert "'My Service'" in text
    assert "may or may not have been created" in text
    assert "ReadTimeout" in text
    assert "502" in text


def test_errors_ambiguous_create_without_status() -> None:
    """Without a response, `status` is None and the message shows no HTTP status."""
    error = AmbiguousCreateError("x", reason="ReadError")
    assert error.status is None
    assert "HTTP" not in str(error)
