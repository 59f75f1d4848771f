"""Property tests: whatever Twilio (or a proxy) answers, the caller gets a Service or a
`TwilioChatError`, never a parser's JSONDecodeError, KeyError, TypeError or ValueError."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from twilio_chat import (
    ApiError,
    AuthenticationError,
    ChatClient,
    ConfigurationError,
    RateLimitError,
    RetryPolicy,
    Service,
    TwilioChatError,
)

pytestmark = pytest.mark.usefixtures("secrets_stay_hidden")

SPEC: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "openapi.yaml").read_text(encoding="utf-8")
)
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "authtoken-7c1f0e93d2b84a6f"
SETTINGS = settings(
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def json_schema(name: str) -> dict[str, Any]:
    """The spec's component as JSON Schema: `$ref`s inlined, OpenAPI 3.0 `nullable: true`
    turned into `anyOf [..., null]`, and the non-standard `format: uri-map` dropped."""
    components = SPEC["components"]["schemas"]

    def convert(node: Any, *, in_properties: bool = False) -> Any:
        if isinstance(node, list):
            return [convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        if in_properties:  # keys are property names, values are schemas
            return {key: convert(value) for key, value in node.items()}
        if "$ref" in node:
            return convert(components[node["$ref"].rsplit("/", 1)[-1]])
        out = {
            key: convert(value, in_properties=key == "properties")
            for key, value in node.items()
            if key not in ("description", "example", "nullable")
        }
        if out.get("format") == "uri-map":
            del out["format"]
        if node.get("nullable"):
            return {"anyOf": [out, {"type": "null"}]}
        return out

    converted: dict[str, Any] = convert(components[name])
    return converted


SERVICE_VALIDATOR = jsonschema.Draft7Validator(json_schema("Service"))
ERROR_VALIDATOR = jsonschema.Draft7Validator(json_schema("TwilioError"))


def strategy(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against `schema`. Objects, arrays and unions are built here because
    hypothesis-jsonschema 0.23's object strategy relies on Hypothesis internals that this
    Hypothesis no longer has; every other schema goes to `from_schema`."""
    if "anyOf" in schema:
        return st.one_of([strategy(option) for option in schema["anyOf"]])
    if not schema:
        return JSON
    if schema.get("type") == "array":
        return st.lists(strategy(schema.get("items", {})), max_size=4)
    if schema.get("type") != "object":
        return from_schema(schema)
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    known = st.fixed_dictionaries(
        {name: strategy(sub) for name, sub in properties.items() if name in required},
        optional={name: strategy(sub) for name, sub in properties.items() if name not in required},
    )
    if schema.get("additionalProperties", True) is False:
        return known
    extra = st.dictionaries(
        st.text(max_size=12).filter(lambda name: name not in properties), JSON, max_size=3
    )
    return st.builds(lambda k, e: {**e, **k}, known, extra)


def run_create(
    status: int, content: bytes, headers: dict[str, str] | None = None, **policy: Any
) -> Service | TwilioChatError:
    """One create against a transport that always answers `status`/`content`; returns the
    Service or the TwilioChatError raised. Anything else propagates and fails the test."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers or {})

    async def noop_sleep(seconds: float) -> None:
        return None

    async def create() -> Service | TwilioChatError:
        retry = RetryPolicy(base_delay=0, sleep=noop_sleep, **policy)
        async with ChatClient(
            ACCOUNT_SID, AUTH_TOKEN, retry=retry, transport=httpx.MockTransport(handler)
        ) as chat:
            try:
                return await chat.create_service("property")
            except TwilioChatError as error:
                return error

    return asyncio.run(create())


def run_list(
    status: int, content: bytes, headers: dict[str, str] | None = None
) -> list[Service] | TwilioChatError:
    """List services against a transport that always answers `status`/`content`."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers or {})

    async def noop_sleep(seconds: float) -> None:
        return None

    async def read() -> list[Service] | TwilioChatError:
        retry = RetryPolicy(base_delay=0, sleep=noop_sleep, max_attempts=2)
        async with ChatClient(
            ACCOUNT_SID, AUTH_TOKEN, retry=retry, transport=httpx.MockTransport(handler)
        ) as chat:
            try:
                return [service async for service in chat.list_services()]
            except TwilioChatError as error:
                return error

    return asyncio.run(read())


def test_properties_json_schema_conversion() -> None:
    """The converted Service schema is the spec's, with nullable fields accepting null."""
    schema = json_schema("Service")
    assert schema["properties"]["sid"]["pattern"] == "^IS[0-9a-fA-F]{32}$"
    assert {"type": "null"} in schema["properties"]["pre_webhook_url"]["anyOf"]
    assert "sid" in schema["required"]
    assert "nullable" not in json.dumps(schema)
    assert "$ref" not in json.dumps(json_schema("ServicePage"))


@SETTINGS
@given(body=strategy(json_schema("Service")))
def test_properties_valid_201_bodies_parse(body: dict[str, Any]) -> None:
    """Every 201 body valid against the spec returns the Service, unknown properties kept."""
    SERVICE_VALIDATOR.validate(body)
    result = run_create(201, json.dumps(body).encode())
    assert isinstance(result, Service), result
    assert result.sid == body["sid"]
    assert result.additional_properties == {
        k: v for k, v in body.items() if k not in Service.__annotations__
    }


@SETTINGS
@given(
    body=strategy(json_schema("TwilioError")),
    status=st.integers(400, 499),
)
def test_properties_valid_error_bodies_become_api_errors(body: dict[str, Any], status: int) -> None:
    """A 4xx with a valid Twilio error body becomes an ApiError carrying its code and message."""
    ERROR_VALIDATOR.validate(body)
    result = run_create(status, json.dumps(body).encode(), max_attempts=1)
    assert isinstance(result, ApiError), result
    assert result.status == status
    assert result.code == body["code"]
    assert result.message == body["message"]
    if status in (401, 403):
        assert isinstance(result, AuthenticationError)
    if status == 429:
        assert isinstance(result, RateLimitError)


TWILIO_KEYS = [
    "code",
    "message",
    "more_info",
    "status",
    "details",
    "type",
    "title",
    "detail",
    "sid",
    "date_created",
    "date_updated",
    "links",
    "webhook_filters",
    "friendly_name",
]
LOOKALIKE = st.dictionaries(st.sampled_from(TWILIO_KEYS), JSON, max_size=len(TWILIO_KEYS))
BODIES = st.one_of(
    st.binary(max_size=200),
    JSON.map(lambda value: json.dumps(value).encode()),
    LOOKALIKE.map(lambda value: json.dumps(value).encode()),
)
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
HEADERS = st.dictionaries(
    st.sampled_from(["Retry-After", "retry-after-ms", "Twilio-Request-Id", "Content-Type"]),
    HEADER_TEXT | st.integers(0, 100).map(str),
    max_size=3,
)


@SETTINGS
@given(status=st.integers(100, 599), content=BODIES, headers=HEADERS)
def test_properties_any_answer_is_typed(
    status: int, content: bytes, headers: dict[str, str]
) -> None:
    """Any status from 100 to 599 with any body and headers gives a Service or a
    TwilioChatError; ConfigurationError never (the arguments were fine)."""
    result = run_create(status, content, headers, max_attempts=2)
    assert isinstance(result, Service | TwilioChatError), result
    assert not isinstance(result, ConfigurationError)
    if isinstance(result, Service):
        assert status == 201
    if 400 <= status < 500 and isinstance(result, TwilioChatError):
        assert isinstance(result, ApiError)
        assert result.status == status


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"[" * 100_000, id="deep-array"),
        pytest.param(b'{"a":' * 100_000, id="deep-object"),
        pytest.param(json.dumps({"code": 1e400}).encode(), id="infinite-code"),
        pytest.param(b'{"code": NaN, "message": Infinity}', id="nan"),
        pytest.param("\udcff".encode("utf-8", "surrogatepass"), id="lone-surrogate"),
    ],
)
@pytest.mark.parametrize("status", [201, 400, 429, 500])
def test_properties_hostile_bodies_are_typed(content: bytes, status: int) -> None:
    """Pathological bodies (deep nesting, NaN, bad UTF-8) still give a TwilioChatError."""
    result = run_create(status, content, max_attempts=1)
    assert isinstance(result, TwilioChatError), result


NEXT_PAGE_URLS = st.one_of(
    st.none(),
    HEADER_TEXT,
    st.text(max_size=30),
    st.builds(
        "https://ip-messaging.twilio.com/v2/Services?PageSize={}&Page={}&PageToken={}".format,
        st.text(max_size=4),
        st.text(max_size=4),
        st.text(max_size=6),
    ),
    JSON,
)


@SETTINGS
@given(
    page=strategy(json_schema("ServicePage")),
    next_page_url=NEXT_PAGE_URLS,
    status=st.sampled_from([200, 200, 200, 400, 429, 500, 503]),
)
def test_properties_list_pages_are_typed(
    page: dict[str, Any], next_page_url: Any, status: int
) -> None:
    """A page body of any shape, with any next_page_url, yields Services or a TwilioChatError
    (a page that always points onward ends as "repeats", never as a loop or a raw error)."""
    meta = page.get("meta")
    if isinstance(meta, dict) and next_page_url is not None:
        meta["next_page_url"] = next_page_url
    result = run_list(status, json.dumps(page).encode())
    if isinstance(result, list):
        assert status == 200
        assert all(isinstance(service, Service) for service in result)
    else:
        assert isinstance(result, TwilioChatError), result
        assert not isinstance(result, ConfigurationError)


@SETTINGS
@given(status=st.integers(100, 599), content=BODIES, headers=HEADERS)
def test_properties_list_any_answer_is_typed(
    status: int, content: bytes, headers: dict[str, str]
) -> None:
    """Any answer to a list request gives services or a TwilioChatError."""
    result = run_list(status, content, headers)
    assert isinstance(result, list | TwilioChatError), result
