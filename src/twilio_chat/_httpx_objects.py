"""httpx `Headers`, `Request` and `Response` objects made without their constructors.

The constructors normalise whatever they are given (str or bytes, mappings or lists, content
to encode), which is most of their cost; on the send path everything is already in httpx's
own form: header lists of bytes, an encoded body. These functions set the attributes the
constructors would set, and nothing else. `tests/test_httpx_objects.py` builds each object
both ways and fails if an httpx upgrade changes what the constructors set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

__all__ = ["copy_headers", "headers_from_raw", "new_request", "new_response"]


def copy_headers(headers: httpx.Headers) -> httpx.Headers:
    """`httpx.Headers(headers, encoding=headers.encoding)`: a copy, its encoding kept."""
    copy = httpx.Headers.__new__(httpx.Headers)
    copy._list = headers._list.copy()
    copy._encoding = headers._encoding
    return copy


def headers_from_raw(raw: Iterable[tuple[bytes, bytes]]) -> httpx.Headers:
    """`httpx.Headers(raw)` for (name, value) pairs of bytes, as a transport receives them."""
    headers = httpx.Headers.__new__(httpx.Headers)
    headers._list = [(name, name.lower(), value) for name, value in raw]
    headers._encoding = None
    return headers


def new_request(
    method: str,
    url: httpx.URL,
    headers: httpx.Headers,
    stream: httpx.ByteStream,
    content: bytes,
    extensions: dict[str, Any],
) -> httpx.Request:
    """`httpx.Request(method, url, headers=headers, stream=stream, extensions=extensions)`
    after `read()`: `content` is the bytes `stream` yields. The objects are used as given
    (the constructor would copy `url` and `headers`)."""
    request = httpx.Request.__new__(httpx.Request)
    request.method = method
    request.url = url
    request.headers = headers
    request.extensions = extensions
    request.stream = stream
    request._content = content
    return request


def new_response(
    status_code: int,
    headers: httpx.Headers,
    stream: httpx.AsyncByteStream | httpx.ByteStream,
    request: httpx.Request,
    extensions: dict[str, Any],
) -> httpx.Response:
    """`httpx.Response(status_code, headers=headers, stream=stream, request=request,
    extensions=extensions)`, with `headers` and `extensions` used as given."""
    response = httpx.Response.__new__(httpx.Response)
    response.status_code = status_code
    response.headers = headers
    response._request = request
    response.next_request = None
    response.extensions = extensions
    response.history = []
    response.is_closed = False
    response.is_stream_consumed = False
    response.default_encoding = "utf-8"
    response.stream = stream
    response._num_bytes_downloaded = 0
    return response
