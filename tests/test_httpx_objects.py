"""httpx objects made without their constructors hold exactly what the constructors would
set: the same attributes, the same values. An httpx upgrade that adds or renames one fails
here, loudly, instead of leaving a half-built object on the send path."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from twilio_chat._httpx_objects import copy_headers, headers_from_raw, new_request, new_response

RAW = [
    (b"Content-Type", b"application/json"),
    (b"Set-Cookie", b"a=1"),
    (b"set-cookie", b"b=2"),
    (b"X-Caf\xc3\xa9", b"\xe6\x9d\xb1"),
]


def _state(obj: object) -> dict[str, Any]:
    """An object's attributes, with headers as their raw list and streams by type."""
    state: dict[str, Any] = {}
    for name, value in vars(obj).items():
        if isinstance(value, httpx.Headers):
            value = (value.raw, value.encoding)
        elif isinstance(value, httpx.ByteStream | httpx.AsyncByteStream):
            value = type(value)
        state[name] = value
    return state


def test_headers_from_raw_equal_the_constructors() -> None:
    ours, theirs = headers_from_raw(RAW), httpx.Headers(RAW)
    assert vars(ours).keys() == vars(theirs).keys()
    assert ours._list == theirs._list
    assert ours.encoding == theirs.encoding
    assert ours.get_list("set-cookie") == ["a=1", "b=2"]


def test_copy_headers_is_a_copy_with_the_encoding() -> None:
    original = httpx.Headers(RAW)
    assert original.encoding == "utf-8"
    copy = copy_headers(original)
    assert _state(copy) == _state(httpx.Headers(original, encoding=original.encoding))
    copy["X-New"] = "1"
    assert "X-New" not in original


@pytest.mark.parametrize(
    ("method", "content"), [("GET", b""), ("POST", b"FriendlyName=a+b"), ("DELETE", b"")]
)
def test_new_request_equals_the_constructors(method: str, content: bytes) -> None:
    url = httpx.URL("https://ip-messaging.twilio.com/v2/Services?PageSize=5")
    headers = httpx.Headers({"Host": "ip-messaging.twilio.com", "Accept": "application/json"})
    extensions = {"timeout": {"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0}}
    theirs = httpx.Request(
        method, url, headers=headers, stream=httpx.ByteStream(content), extensions=extensions
    )
    theirs.read()
    ours = new_request(
        method, url, copy_headers(headers), httpx.ByteStream(content), content, extensions
    )
    assert _state(ours) == _state(theirs)
    assert ours.content == content
    assert b"".join(ours.stream) == content  # type: ignore[arg-type]


async def test_new_response_equals_the_constructors() -> None:
    request = httpx.Request("GET", "https://ip-messaging.twilio.com/v2/Services")
    extensions = {"http_version": b"HTTP/1.1", "reason_phrase": b"OK"}
    theirs = httpx.Response(
        200,
        headers=RAW,
        stream=httpx.ByteStream(b'{"a": 1}'),
        request=request,
        extensions=extensions,
    )
    ours = new_response(
        200, headers_from_raw(RAW), httpx.ByteStream(b'{"a": 1}'), request, extensions
    )
    assert _state(ours) == _state(theirs)
    assert await ours.aread() == b'{"a": 1}'
    assert ours.json() == {"a": 1}
    assert ours.request is request
    assert ours.reason_phrase == "OK"
    assert ours.http_version == "HTTP/1.1"
    ours.raise_for_status()
