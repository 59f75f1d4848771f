"""The emulator answers every operation in openapi.yaml as the spec says, success and errors.

The cases are built from the spec itself: for each operation, a valid request (path
parameters filled with an existing service, a form body with every property) must get the
spec's success status and a body valid for its schema; each way a request can be wrong
(credentials, an unknown resource, each parameter or property given a value its schema
forbids, a required property missing) must get a 4xx valid for the spec's error schema; and
each injected fault (429s, 503, 500 after processing) keeps Twilio's error shape. A new
operation in the spec is covered without touching this file.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx
import jsonschema
import pytest
import yaml

from tests.testing.conftest import client_for
from twilio_chat.testing import TEST_ACCOUNT_SID, ChatEmulator, Faults

SPEC_PATH = Path(__file__).parents[2] / "openapi.yaml"
METHODS = ("get", "post", "put", "patch", "delete")


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
ERROR_SCHEMA = _resolve(SPEC["components"]["schemas"]["TwilioError"])


def _validate(body: Any, schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(_json_schema(schema), format_checker=FORMATS).validate(body)


# -- the spec's operations -------------------------------------------------------------------


class Operation(NamedTuple):
    """One operation of the spec, resolved."""

    path: str
    method: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.spec.get("operationId", f"{self.method} {self.path}"))

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)

    @property
    def query_params(self) -> list[dict[str, Any]]:
        params = [_resolve(param) for param in self.spec.get("parameters", [])]
        return [param for param in params if param["in"] == "query"]

    @property
    def form(self) -> dict[str, Any] | None:
        """The form body's schema, or None if the operation takes no body."""
        body = _resolve(self.spec.get("requestBody"))
        if not body:
            return None
        schema: dict[str, Any] = body["content"]["application/x-www-form-urlencoded"]["schema"]
        return schema

    @property
    def success(self) -> int:
        (status,) = [int(code) for code in self.spec["responses"] if str(code).startswith("2")]
        return status

    def response_schema(self, status: int) -> dict[str, Any] | None:
        """The schema the spec gives this status (exact, then `4XX`), None for no body."""
        responses = self.spec["responses"]
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        if response is None:
            assert status >= 500, f"{self.name} declares no {status} response"
            return ERROR_SCHEMA
        content = _resolve(response).get("content")
        if not content:
            return None
        schema: dict[str, Any] = content["application/json"]["schema"]
        return schema


def _operations() -> list[Operation]:
    found = []
    for path, item in SPEC["paths"].items():
        for method in METHODS:
            if method in item:
                found.append(Operation(path, method, _resolve(item[method])))
    return found


OPERATIONS = _operations()


# -- values from schemas ---------------------------------------------------------------------


def _valid(schema: dict[str, Any]) -> Any:
    """A value the schema accepts, as a form or query string would carry it."""
    if "enum" in schema:
        return str(schema["enum"][0])
    kind = schema.get("type")
    if kind == "boolean":
        return "true"
    if kind == "integer":
        low = schema.get("minimum", 1)
        return str(max(low, min(5, schema.get("maximum", 5))))
    if kind == "array":
        return [_valid(schema.get("items", {}))] * 2
    pattern = schema.get("pattern")
    if pattern:
        match = re.fullmatch(r"\^([A-Z]{2})\[0-9a-fA-F\]\{32\}\$", pattern)
        assert match, f"no sample for pattern {pattern}"
        return match.group(1) + "0123456789abcdef" * 2
    if schema.get("format") == "uri":
        return "https://hooks.example.com/chat"
    return "x" * max(schema.get("minLength", 0), min(8, schema.get("maxLength", 8)))


def _invalid(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(what is wrong, value) for each value the schema forbids and a form can carry."""
    kind = schema.get("type")
    if "enum" in schema:
        yield "enum", "NOT-" + str(schema["enum"][0])
    if kind == "boolean":
        yield "type", "maybe"
    if kind == "integer":
        yield "type", "five"
        if "minimum" in schema:
            yield "minimum", str(schema["minimum"] - 1)
        if "maximum" in schema:
            yield "maximum", str(schema["maximum"] + 1)
    if kind == "string":
        if "pattern" in schema:
            yield "pattern", "XX" + "0" * 32
        if schema.get("format") == "uri":
            yield "format", "not a uri"
        if schema.get("minLength", 0) >= 1:
            yield "minLength", ""
        if "maxLength" in schema and "pattern" not in schema:
            yield "maxLength", "x" * (schema["maxLength"] + 1)


def _full_form(operation: Operation) -> dict[str, Any]:
    form = operation.form
    assert form is not None
    return {name: _valid(prop) for name, prop in form.get("properties", {}).items()}


def _required_form(operation: Operation) -> dict[str, Any]:
    form = operation.form or {}
    props = form.get("properties", {})
    return {name: _valid(props[name]) for name in form.get("required", [])}


# -- the requests ----------------------------------------------------------------------------

UNKNOWN_SID = "IS" + "f" * 32


class Case(NamedTuple):
    """A request to send and the status it must get."""

    operation: Operation
    status: int
    path_value: str | None = None
    """What each path parameter is (None: the existing service's SID)."""
    params: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    auth_ok: bool = True
    faults: Faults | None = None
    concurrent: bool = False


def _cases() -> Iterator[Any]:
    for op in OPERATIONS:
        base_data = _full_form(op) if op.form else None
        yield pytest.param(Case(op, op.success, data=base_data), id=f"{op.name}-{op.success}")
        if op.form:
            required = _required_form(op)
            yield pytest.param(
                Case(op, op.success, data=required), id=f"{op.name}-{op.success}-required-only"
            )
            for name in required:
                data = {key: value for key, value in required.items() if key != name}
                yield pytest.param(Case(op, 400, data=data), id=f"{op.name}-400-missing-{name}")
            for name, prop in op.form.get("properties", {}).items():
                for wrong, value in _invalid(prop):
                    data = {**required, name: value}
                    yield pytest.param(Case(op, 400, data=data), id=f"{op.name}-400-{name}-{wrong}")
        for param in op.query_params:
            for wrong, value in _invalid(param["schema"]):
                case = Case(op, 400, params={param["name"]: value})
                yield pytest.param(case, id=f"{op.name}-400-{param['name']}-{wrong}")
        yield pytest.param(Case(op, 401, data=base_data, auth_ok=False), id=f"{op.name}-401")
        if op.path_params:
            for which, sid in (("unknown", UNKNOWN_SID), ("malformed", "IS123")):
                case = Case(op, 404, path_value=sid, data=base_data)
                yield pytest.param(case, id=f"{op.name}-404-{which}")
        for label, status, faults in (
            ("429", 429, Faults(rate_limit=1.0, rate_limit_retry_after=1)),
            ("503", 503, Faults(unavailable=1.0, unavailable_retry_after=1)),
            ("500-after", 500, Faults(error_after_processing=1.0)),
        ):
            case = Case(op, status, data=base_data, faults=faults)
            yield pytest.param(case, id=f"{op.name}-{label}")
        cap = Faults(max_concurrency=1, latency=0.02)
        case = Case(op, 429, data=base_data, faults=cap, concurrent=True)
        yield pytest.param(case, id=f"{op.name}-429-concurrency")


CASES = list(_cases())


def _instance_update() -> Operation | None:
    """The spec's update of one service, used to give the existing service every setting."""
    for op in OPERATIONS:
        if op.method == "post" and op.path_params and op.form:
            return op
    return None


async def _prepared_emulator() -> tuple[ChatEmulator, str]:
    """An emulator with three services, the first one updated with every setting the spec has."""
    emulator = ChatEmulator()
    records = [emulator.seed_service(f"existing-{index}") for index in range(3)]
    update = _instance_update()
    if update is not None:
        path = update.path.replace("{" + update.path_params[0] + "}", records[0].sid)
        async with client_for(emulator) as client:
            response = await client.post(path, data=_full_form(update))
        assert response.status_code == update.success, response.text
    return emulator, records[0].sid


async def _send(client: httpx.AsyncClient, case: Case, sid: str) -> httpx.Response:
    path = case.operation.path
    for name in case.operation.path_params:
        path = path.replace("{" + name + "}", case.path_value or sid)
    auth = None if case.auth_ok else (TEST_ACCOUNT_SID, "wrong-token")
    kwargs: dict[str, Any] = {"params": case.params}
    if case.data is not None:
        kwargs["data"] = case.data
    if auth is not None:
        kwargs["auth"] = auth
    return await client.request(case.operation.method.upper(), path, **kwargs)


def test_spec_walk_covers_every_operation() -> None:
    """Every operation of the spec has a success case, a 401 and the fault cases."""
    assert len(OPERATIONS) >= 2
    ids = {param.id for param in CASES}
    for op in OPERATIONS:
        for suffix in (str(op.success), "401", "429", "503", "500-after", "429-concurrency"):
            assert f"{op.name}-{suffix}" in ids


@pytest.mark.parametrize("case", CASES)
async def test_spec_operation_answers_validate(case: Case) -> None:
    """The emulator's answer has the status the case expects and a body valid for the spec."""
    emulator, sid = await _prepared_emulator()
    before = emulator.stats
    if case.faults is not None:
        emulator.faults = case.faults
    async with client_for(emulator) as client:
        if case.concurrent:
            responses = await asyncio.gather(_send(client, case, sid), _send(client, case, sid))
            statuses = sorted(response.status_code for response in responses)
            assert statuses == sorted([case.operation.success, 429])
            (response,) = [r for r in responses if r.status_code == 429]
        else:
            response = await _send(client, case, sid)
    assert response.status_code == case.status, response.text
    schema = case.operation.response_schema(case.status)
    if schema is None:
        assert response.content == b""
    else:
        _validate(response.json(), schema)
    if case.status >= 400:
        assert response.json()["status"] == case.status
    if case.status in (400, 401, 404, 429, 503) and not case.concurrent:  # refused unprocessed
        after = emulator.stats
        assert (after.created, after.updated, after.deleted) == (
            before.created,
            before.updated,
            before.deleted,
        )


def _assert_exact_keys(body: Any, schema: dict[str, Any], where: str) -> None:
    """Objects whose schema lists properties carry exactly those keys, at every depth."""
    if isinstance(body, dict) and "properties" in schema:
        assert set(body) == set(schema["properties"]), where
        for key, value in body.items():
            _assert_exact_keys(value, schema["properties"][key], f"{where}.{key}")
    elif isinstance(body, list) and "items" in schema:
        for item in body:
            _assert_exact_keys(item, schema["items"], f"{where}[]")


@pytest.mark.parametrize(
    "op", [pytest.param(op, id=op.name) for op in OPERATIONS if op.response_schema(op.success)]
)
async def test_spec_success_bodies_have_exactly_the_schema_fields(op: Operation) -> None:
    """Success bodies (a default service and a fully updated one) have no field missing or extra."""
    emulator, sid = await _prepared_emulator()
    async with client_for(emulator) as client:
        response = await _send(client, Case(op, op.success, data=_required_form(op)), sid)
        assert response.status_code == op.success
        schema = op.response_schema(op.success)
        assert schema is not None
        _assert_exact_keys(response.json(), schema, op.name)


def test_spec_format_checks_active() -> None:
    """date-time, uri and uri-map formats are really checked, so bad values would fail."""
    assert {"date-time", "uri", "uri-map"} <= set(FORMATS.checkers)
    schema = _resolve(SPEC["components"]["schemas"]["Service"])
    for bad in (
        {"date_created": "yesterday"},
        {"url": "/v2/Services/relative"},
        {"links": {"users": "not a url"}},
        {"sid": "IS123"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            _validate(bad, schema)
