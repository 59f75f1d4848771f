"""The direct path: each attempt is an `httpx.Request` built from a generated `_get_kwargs()`
and handed straight to the client's transport, `AsyncClient._transport_for_url(url)`.

`httpx.AsyncClient.send` costs about as much CPU per call as aiohttp itself: it re-parses
and merges the URL, runs the auth-flow generator, the event hooks and the cookie jar on every
response, and reads the body through a chain of async iterators. None of that does anything
for this API (one fixed Basic header, no cookies, no redirects), so the facade builds the
request itself, with headers computed once per client, and reads the body once. The transport
still sees an ordinary `httpx.Request` with every header, so an injected transport, the
emulator and `respx.mock(using="httpx")` (which patches `_transport_for_url`) see every
attempt. README "The direct path" lists what this bypasses; `tests/test_direct.py` fails
loudly if an httpx or generator upgrade changes a private API used here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

import httpx
from httpx._content import encode_urlencoded_data  # httpx's own form encoder: same bytes

from ._aiohttp_transport import ResponseTooLargeError
from ._httpx_objects import copy_headers, new_request

__all__ = ["DirectSender", "basic_authorization"]

_FORM_METHODS = frozenset({"POST", "PUT", "PATCH"})
_EMPTY = httpx.ByteStream(b"")
_KNOWN_ARGUMENTS = frozenset({"method", "url", "params", "data", "headers"})
# A path httpx leaves as it is: absolute (not "//", which names a host), of unreserved
# characters, sub-delimiters, ":" and "@" (RFC 3986 pchar) and percent-escapes.
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@%][A-Za-z0-9\-._~!$&'()*+,;=:@%/]*")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def basic_authorization(username: str, secret: str) -> str:
    """The `Authorization` value httpx's `BasicAuth` would send, computed once per client."""
    token = base64.b64encode(f"{username}:{secret}".encode()).decode("ascii")
    return f"Basic {token}"


def _is_read(response: httpx.Response) -> bool:
    try:
        response.content  # noqa: B018 - raises until the body is read
    except httpx.ResponseNotRead:
        return False
    return True


class DirectSender:
    """Builds and sends one attempt of a generated call through `http`'s transport.

    `http` supplies the base URL, the default headers, the timeout (as the request's
    `timeout` extension, which the transports read) and the transport; `authorization` is
    added to every request. A body past `max_response_bytes` after decoding is refused, so
    the size cap holds on transports that hand over a stream, and for compressed bodies.
    """

    def __init__(
        self, http: httpx.AsyncClient, *, authorization: str, max_response_bytes: int
    ) -> None:
        self._http = http
        self._max_response_bytes = max_response_bytes
        self._timeout = http.timeout.as_dict()
        base = http.base_url
        fixed = httpx.Headers({"Host": base.netloc.decode("ascii")})
        fixed.update(http.headers)
        fixed["Authorization"] = authorization
        self._fixed = fixed
        self._templates: dict[tuple[tuple[str, str], ...], tuple[httpx.Headers, bool]] = {}

    def build(self, kwargs: Mapping[str, Any]) -> httpx.Request:
        """The `httpx.Request` for one attempt of the call `kwargs` (from `_get_kwargs()`)
        describes: method, path relative to the base URL, optional query `params`, form
        `data` and `headers`. Anything else there (json, files, cookies) is a generator
        change this path does not know, and is refused rather than dropped."""
        if not kwargs.keys() <= _KNOWN_ARGUMENTS:
            unknown = sorted(kwargs.keys() - _KNOWN_ARGUMENTS)
            raise TypeError(f"generated request arguments not supported: {unknown}")
        method = kwargs["method"].upper()
        url = self._url(kwargs["url"], kwargs.get("params"))
        template, typed = self._template(kwargs.get("headers"))
        headers = copy_headers(template)
        data = kwargs.get("data")
        if data is not None:
            body_headers, stream = encode_urlencoded_data(data)
            content = b"".join(stream)
            headers["Content-Length"] = body_headers["Content-Length"]
            if not typed:
                headers["Content-Type"] = body_headers["Content-Type"]
        else:
            content = b""
            stream = _EMPTY  # stateless: one for every request without a body
            if method in _FORM_METHODS:
                headers["Content-Length"] = "0"
        return new_request(method, url, headers, stream, content, {"timeout": self._timeout})

    def transport(self, request: httpx.Request) -> httpx.AsyncBaseTransport:
        """The client's transport for `request` (a mount, or the default one)."""
        return self._http._transport_for_url(request.url)

    def complete(self, request: httpx.Request, response: httpx.Response) -> bool:
        """Tie `response` to `request`; True when it needs nothing more (a body already
        read, as our transport hands over small ones), else `finish` it. (Sending is
        `transport(request).handle_async_request(request)`, then this: no coroutine of its
        own on the hot path.)"""
        response.request = request
        return isinstance(response.stream, httpx.ByteStream) and _is_read(response)

    async def finish(self, response: httpx.Response) -> None:
        """Read the body unless it is, then close the stream (freeing the connection)."""
        try:
            if not _is_read(response):
                await self._read(response)
        finally:
            await response.aclose()

    async def _read(self, response: httpx.Response) -> None:
        """Read the decoded body, at most `max_response_bytes` of it."""
        chunks: list[bytes] = []
        received = 0
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > self._max_response_bytes:
                raise ResponseTooLargeError(
                    f"response body larger than max_response_bytes "
                    f"({self._max_response_bytes} bytes)",
                    request=response.request,
                )
            chunks.append(chunk)
        response._content = b"".join(chunks)

    def _template(self, extra: Mapping[str, str] | None) -> tuple[httpx.Headers, bool]:
        """The fixed headers plus the operation's own (the generated Content-Type), cached,
        with whether they include a Content-Type."""
        key = tuple(extra.items()) if extra else ()
        cached = self._templates.get(key)
        if cached is None:
            template = httpx.Headers(self._fixed)
            template.update(dict(key))
            template.encoding  # noqa: B018 - computed once here, copied with the template
            cached = self._templates[key] = (template, "Content-Type" in template)
        return cached

    def _url(self, path: str, params: Mapping[str, Any] | None) -> httpx.URL:
        """`path` joined to the base URL as httpx does (`AsyncClient._merge_url`); query
        parameters replace any query, as in `httpx.Request(params=...)`. Not cached: nearly
        every path of a fetch, update or delete is new (its SID), and a cache of them would
        only give the garbage collector long-lived objects to scan."""
        url = self._join(path)
        return url.copy_with(params=params) if params else url

    def _join(self, path: str) -> httpx.URL:
        """`AsyncClient._merge_url(path)`. httpx re-parses and re-validates the whole URL,
        character by character (about as much CPU as the rest of a call); a path that is
        already in httpx's encoded form (as generated paths are: the generated code quotes
        each path parameter) is joined to the parsed base URL instead."""
        base = self._http.base_url._uri_reference  # its path encoded: "" or ending in "/"
        if (
            base.query is not None
            or base.fragment is not None
            or not _PLAIN_PATH.fullmatch(path)
            or ("%" in path and _BAD_ESCAPE.search(path))
        ):
            return self._http._merge_url(path)
        url = httpx.URL.__new__(httpx.URL)
        prefix = base.path if base.path.endswith("/") else base.path + "/"
        url._uri_reference = base._replace(path=prefix + path[1:])
        return url
