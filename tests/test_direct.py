"""The direct path: requests equal to what httpx.AsyncClient would send, and every private API
of httpx and of the generated code it relies on, pinned so an upgrade fails here, loudly."""

from __future__ import annotations

import gzip
import inspect
from typing import Any

import httpx
import pytest
import respx
from httpx._content import encode_urlencoded_data
from twilio_chat_api.api.services import (
    create_service,
    delete_service,
    fetch_service,
    list_service,
    update_service,
)
from twilio_chat_api.models import CreateServiceRequest, Service, UpdateServiceRequest

from tests._bodies import service_body
from tests.conftest import TestCredentials
from twilio_chat import AmbiguousCreateError, ChatClient, RetryPolicy, TransportError
from twilio_chat._direct import DirectSender, basic_authorization
from twilio_chat._models import _check_for, _checks, conforms

pytestmark = pytest.mark.usefixtures("secrets_stay_hidden")

BASE = "https://ip-messaging.twilio.com"
SID = "IS" + "0123456789abcdef" * 2

# Every generated call the facade makes, as `_get_kwargs()` returns it.
GENERATED_CALLS = [
    pytest.param(
        create_service._get_kwargs(body=CreateServiceRequest(friendly_name="Tom & Jerry 東京")),
        id="create",
    ),
    pytest.param(fetch_service._get_kwargs(SID), id="fetch"),
    pytest.param(
        update_service._get_kwargs(
            SID,
            body=UpdateServiceRequest(
                friendly_name="x", read_status_enabled=True, webhook_filters=["a", "b c"]
            ),
        ),
        id="update",
    ),
    pytest.param(delete_service._get_kwargs(SID), id="delete"),
    pytest.param(list_service._get_kwargs(page_size=50, page_token="PT1=2"), id="list"),
]


def _client(**kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=BASE + "/prefix",
        headers={"Accept": "application/json", "User-Agent": "ua"},
        transport=httpx.MockTransport(lambda request: httpx.Response(200)),
        **kwargs,
    )


# --- Private APIs this path relies on ----------------------------------------------------------


def test_direct_httpx_transport_for_url_is_the_clients_transport() -> None:
    """`AsyncClient._transport_for_url(url)` exists and returns the client's transport."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    client = httpx.AsyncClient(transport=transport)
    assert client._transport_for_url(httpx.URL(BASE)) is transport


def test_direct_httpx_merge_url_joins_like_build_request() -> None:
    """`AsyncClient._merge_url` joins a path to the base URL as `build_request` does."""
    client = _client()
    for path in ("/v2/Services", "/v2/Services/IS%2F1"):
        assert client._merge_url(path) == client.build_request("GET", path).url


def test_direct_httpx_form_encoder_gives_the_bytes_httpx_sends() -> None:
    """`httpx._content.encode_urlencoded_data` encodes a form as `Request(data=...)` does."""
    data = {"FriendlyName": "a b&c=東京", "Flag": True, "Filters": ["x", "y z"], "Count": 3}
    headers, stream = encode_urlencoded_data(data)
    expected = httpx.Request("POST", BASE, data=data)
    assert b"".join(stream) == expected.content
    assert headers["Content-Type"] == expected.headers["Content-Type"]
    assert headers["Content-Length"] == expected.headers["Content-Length"]


async def test_direct_httpx_response_content_attribute_is_the_body() -> None:
    """`Response._content` set by a transport is what `.content` and `aread()` return, and
    the stream is left unread."""

    class Untouchable(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            raise AssertionError("the stream was read")
            yield b""  # pragma: no cover

    response = httpx.Response(200, stream=Untouchable())
    response._content = b'{"a": 1}'
    assert response.content == b'{"a": 1}'
    assert await response.aread() == b'{"a": 1}'
    assert response.json() == {"a": 1}


@pytest.mark.parametrize("kwargs", GENERATED_CALLS)
def test_direct_generated_get_kwargs_has_only_known_keys(kwargs: dict[str, Any]) -> None:
    """Every generated `_get_kwargs()` gives only method, url, params, data and headers."""
    assert kwargs.keys() <= {"method", "url", "params", "data", "headers"}
    assert isinstance(kwargs["method"], str)
    assert kwargs["url"].startswith("/v2/Services")


@pytest.mark.parametrize(
    "module", [create_service, fetch_service, update_service, delete_service, list_service]
)
def test_direct_generated_get_kwargs_exists(module: Any) -> None:
    """Each generated operation module still has a module-level `_get_kwargs` function."""
    assert inspect.isfunction(module._get_kwargs)


def test_direct_refuses_request_arguments_it_does_not_know() -> None:
    """A generator that starts sending json= or files= fails here instead of being dropped."""
    sender = DirectSender(_client(), authorization="Basic eA==", max_response_bytes=1024)
    with pytest.raises(TypeError, match="json"):
        sender.build({"method": "post", "url": "/v2/Services", "json": {"a": 1}})


# --- Equivalence with httpx.AsyncClient ---------------------------------------------------------


@pytest.mark.parametrize("kwargs", GENERATED_CALLS)
def test_direct_request_equals_what_async_client_builds(kwargs: dict[str, Any]) -> None:
    """Method, URL, every header and the body equal AsyncClient.build_request plus BasicAuth."""
    client = _client()
    sender = DirectSender(
        client,
        authorization=basic_authorization("AC" + "1" * 32, "s3cr3t:é"),
        max_response_bytes=1024,
    )
    ours = sender.build(kwargs)
    theirs = client.build_request(**kwargs)
    theirs = next(httpx.BasicAuth("AC" + "1" * 32, "s3cr3t:é").sync_auth_flow(theirs))
    assert (ours.method, ours.url) == (theirs.method, theirs.url)
    assert sorted(ours.headers.multi_items()) == sorted(theirs.headers.multi_items())
    assert ours.content == theirs.content
    assert ours.extensions["timeout"] == client.timeout.as_dict()


async def test_direct_respx_sees_every_attempt_with_every_header(creds: TestCredentials) -> None:
    """respx.mock(using="httpx") sees each retry of a create with auth, Accept and body."""
    with respx.mock(using="httpx") as mock:
        route = mock.post(f"{BASE}/v2/Services").mock(
            side_effect=[httpx.Response(429), httpx.Response(201, json=service_body())]
        )
        async with ChatClient(
            creds.account_sid, creds.auth_token, retry=RetryPolicy(base_delay=0)
        ) as chat:
            await chat.create_service("x")
    assert route.call_count == 2
    for call in route.calls:
        assert call.request.headers["Authorization"].startswith("Basic ")
        assert call.request.headers["Accept"] == "application/json"
        assert call.request.headers["Accept-Encoding"] == "identity"
        assert call.request.content == b"FriendlyName=x"


# --- Compressed bodies and the size cap ---------------------------------------------------------


def _gzip_transport(body: bytes, status: int = 201) -> httpx.MockTransport:
    """A server that compresses although asked not to, streaming the body."""
    packed = gzip.compress(body)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(packed)
        )

    return httpx.MockTransport(handler)


async def test_direct_compressed_body_is_decoded(creds: TestCredentials) -> None:
    """A gzip body sent despite Accept-Encoding: identity still parses."""
    body = httpx.Response(200, json=service_body(friendly_name="zipped")).content
    async with ChatClient(
        creds.account_sid, creds.auth_token, transport=_gzip_transport(body)
    ) as chat:
        service = await chat.create_service("zipped")
    assert service.friendly_name == "zipped"


async def test_direct_compressed_body_is_capped_after_decoding(creds: TestCredentials) -> None:
    """A small gzip body that expands past max_response_bytes is refused: a create is
    ambiguous, and the cap holds although the compressed bytes were under it."""
    bomb = b'{"sid": "' + b"A" * 200_000 + b'"}'
    assert len(gzip.compress(bomb)) < 4096
    async with ChatClient(
        creds.account_sid,
        creds.auth_token,
        transport=_gzip_transport(bomb),
        max_response_bytes=4096,
    ) as chat:
        with pytest.raises(AmbiguousCreateError, match="max_response_bytes"):
            await chat.create_service("x")


async def test_direct_compressed_read_past_cap_is_transport_error(creds: TestCredentials) -> None:
    """The same expansion on a fetch is a TransportError, not retried."""
    calls = 0
    inner = _gzip_transport(b"[" + b"0," * 100_000 + b"0]", status=200)

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return await inner.handle_async_request(request)

    async with ChatClient(
        creds.account_sid,
        creds.auth_token,
        transport=httpx.MockTransport(handler),
        max_response_bytes=4096,
        retry=RetryPolicy(base_delay=0),
    ) as chat:
        with pytest.raises(TransportError, match="max_response_bytes"):
            await chat.fetch_service(SID)
    assert calls == 1


# --- The precomputed model check ----------------------------------------------------------------

_PROBES: list[object] = [None, "s", "", 0, 7, -1, 1.5, True, False, [], ["a"], [1], {}, {"a": 1}]


def test_direct_conforms_fast_form_agrees_with_the_exact_check() -> None:
    """For every Service field and many JSON-ish values, the precomputed check and the
    exact per-annotation predicate give the same answer."""
    import typing

    import twilio_chat_api.models

    hints = typing.get_type_hints(Service, localns=vars(twilio_chat_api.models))
    base = Service.from_dict({**service_body(), "limits": {}, "notifications": {}, "media": {}})
    assert conforms(base)
    probes = [*_PROBES, base.date_created, base.limits, base.links, base.notifications]
    for check in _checks(Service):
        exact = _check_for(hints[check.name])
        for value in probes:
            original = getattr(base, check.name)
            setattr(base, check.name, value)
            try:
                assert conforms(base) == exact(value), (check.name, value)
            finally:
                setattr(base, check.name, original)


@pytest.mark.parametrize(
    "base",
    [
        "https://ip-messaging.twilio.com",
        "http://127.0.0.1:8080/prefix/",
        "https://[::1]",
        "http://127.0.0.1:8080/pre%20fix/caf%C3%A9",
        "https://h.example/p?x=1#frag",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/v2/Services",
        "/v2/Services/IS0123456789abcdef0123456789abcdef",
        "/v2/Services/IS%2F1",
        "/v2/Services/a%2fb",
        "/v2/Services/~a-b_c.d!$&'()*+,;=:@",
        "/v2/Services/東京",
        "/v2/Services/a b",
        "/v2/Services/a%zz",
        "/v2/Services/a?b",
        "/v2/Services/a#b",
        "//evil.example/x",
        "relative",
    ],
)
def test_direct_joins_paths_like_merge_url(base: str, path: str) -> None:
    """Every path gives the URL `AsyncClient._merge_url` gives, whether joined directly (a
    path already in httpx's encoded form) or handed to httpx."""
    client = httpx.AsyncClient(base_url=base)
    sender = DirectSender(client, authorization="Basic eA==", max_response_bytes=1024)
    ours, theirs = sender._join(path), client._merge_url(path)
    assert ours == theirs
    assert (str(ours), ours.raw_path, ours.query, ours.host, ours.port) == (
        str(theirs),
        theirs.raw_path,
        theirs.query,
        theirs.host,
        theirs.port,
    )
