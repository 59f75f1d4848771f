"""Every kind of emulator response validates against openapi.yaml, so the two cannot drift."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema
import pytest
import yaml

from tests.testing.conftest import client_for, create
from twilio_chat.testing import TEST_ACCOUNT_SID, ChatEmulator, Faults

SPEC_PATH = Path(__file__).parents[2] / "openapi.yaml"
SERVICES = "/v2/Services"


def _load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.safe_load(fh)
    return spec


SPEC = _load_spec()


def _resolve(node: Any) -> Any:
    """Inline the spec's local `$ref`s."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = SPEC
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(target)
        return {key: _resolve(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    return node


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` becomes JSON Schema's `anyOf [..., null]`."""
    if isinstance(node, dict):
        out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
        return {"anyOf": [out, {"type": "null"}]} if node.get("nullable") else out
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    return node


FORMATS = jsonschema.FormatChecker()


def _is_uri(value: object) -> bool:
    """An absolute http(s) URL (jsonschema checks `uri` only with an optional package)."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_uri_map(value: object) -> bool:
    """Twilio's `uri-map`: an object whose values are absolute URLs."""
    if not isinstance(value, dict):
        return True
    return all(isinstance(url, str) and _is_uri(url) for url in value.values())


FORMATS.checks("uri")(_is_uri)
FORMATS.checks("uri-map")(_is_uri_map)


def _schema(method: str, status: str) -> dict[str, Any]:
    responses = SPEC["paths"][SERVICES][method]["responses"]
    response = responses.get(status) or responses[f"{status[0]}XX"]
    schema: dict[str, Any] = _json_schema(
        _resolve(response["content"]["application/json"]["schema"])
    )
    return schema


ERROR_SCHEMA = _json_schema(_resolve(SPEC["components"]["schemas"]["TwilioError"]))


def _validate(body: Any, schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema, format_checker=FORMATS).validate(body)


Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def _create_named(client: httpx.AsyncClient) -> httpx.Response:
    return await create(client, "spec ✓")


async def _list_page(client: httpx.AsyncClient) -> httpx.Response:
    for index in range(3):
        await create(client, f"svc-{index}")
    first = await client.get(SERVICES, params={"PageSize": 2})
    return await client.get(first.json()["meta"]["next_page_url"])


CASES = [
    pytest.param(Faults(), _create_named, "post", 201, id="201-created"),
    pytest.param(Faults(), lambda c: c.get(SERVICES), "get", 200, id="200-empty-list"),
    pytest.param(Faults(), _list_page, "get", 200, id="200-second-page"),
    pytest.param(Faults(), lambda c: create(c, ""), "post", 400, id="400-no-name"),
    pytest.param(Faults(), lambda c: create(c, "x" * 65), "post", 400, id="400-too-long"),
    pytest.param(
        Faults(), lambda c: c.get(SERVICES, params={"PageSize": 0}), "get", 400, id="400-page-size"
    ),
    pytest.param(
        Faults(), lambda c: c.post(SERVICES, auth=(TEST_ACCOUNT_SID, "x")), "post", 401, id="401"
    ),
    pytest.param(Faults(), lambda c: c.delete(SERVICES), "post", 405, id="405"),
    pytest.param(
        Faults(rate_limit=1.0, rate_limit_retry_after=1), _create_named, "post", 429, id="429"
    ),
]


@pytest.mark.parametrize(("faults", "call", "method", "status"), CASES)
async def test_spec_response_validates(
    faults: Faults, call: Call, method: str, status: int
) -> None:
    """The emulator's body for this kind of response is valid for the spec's schema."""
    emulator = ChatEmulator(faults=faults)
    async with client_for(emulator) as client:
        response = await call(client)
    assert response.status_code == status
    _validate(response.json(), _schema(method, str(status)))


@pytest.mark.parametrize(
    ("faults", "path", "status"),
    [
        pytest.param(Faults(), "/v2/Other", 404, id="404"),
        pytest.param(Faults(max_concurrency=1, latency=0.02), SERVICES, 429, id="429-concurrency"),
        pytest.param(Faults(unavailable=1.0), SERVICES, 503, id="503"),
        pytest.param(Faults(error_after_create=1.0), SERVICES, 500, id="500-json"),
    ],
)
async def test_spec_errors_use_twilio_error_shape(faults: Faults, path: str, status: int) -> None:
    """Errors outside the spec's paths or statuses still have the TwilioError shape."""
    emulator = ChatEmulator(faults=faults)
    async with client_for(emulator) as client:
        if status == 429:
            first, response = await _concurrent_pair(client)
            assert first.status_code == 201
        else:
            response = await client.post(path, data={"FriendlyName": "err"})
    assert response.status_code == status
    _validate(response.json(), ERROR_SCHEMA)


async def _concurrent_pair(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
    """Two creates at once: the admitted one first, the one beyond the cap second."""
    first, second = await asyncio.gather(create(client, "a"), create(client, "b"))
    return (first, second) if first.status_code == 201 else (second, first)


async def test_spec_service_fields_match_schema_exactly() -> None:
    """The created service has exactly the schema's properties: none missing, none extra."""
    emulator = ChatEmulator()
    async with client_for(emulator) as client:
        service = (await create(client, "fields")).json()
    schema_fields = set(SPEC["components"]["schemas"]["Service"]["properties"])
    assert set(service) == schema_fields
    meta = await _list_meta(emulator)
    assert set(meta) == set(SPEC["components"]["schemas"]["PageMeta"]["properties"])


async def _list_meta(emulator: ChatEmulator) -> dict[str, Any]:
    async with client_for(emulator) as client:
        meta: dict[str, Any] = (await client.get(SERVICES)).json()["meta"]
    return meta


def test_spec_format_checks_active() -> None:
    """date-time, uri and uri-map formats are really checked, so bad values would fail."""
    assert {"date-time", "uri", "uri-map"} <= set(FORMATS.checkers)
    schema = _json_schema(_resolve(SPEC["components"]["schemas"]["Service"]))
    for bad in (
        {"date_created": "yesterday"},
        {"url": "/v2/Services/relative"},
        {"links": {"users": "not a url"}},
        {"sid": "IS123"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            _validate(bad, schema)
