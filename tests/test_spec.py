"""openapi.yaml is a valid spec and its examples match its schemas.

Fidelity to Twilio's own document is checked against the committed digest: test_spec_digest.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_python_client.config import ConfigFile
from openapi_spec_validator import validate

from tests.conftest import ROOT


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    """Inline local `$ref`s so a fragment can be checked with plain JSON Schema."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(spec, target)
        return {key: _resolve(spec, value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(spec, item) for item in node]
    return node


def _to_json_schema(node: Any) -> Any:
    """Turn OpenAPI 3.0 `nullable: true` into JSON Schema's null type."""
    if isinstance(node, dict):
        out = {key: _to_json_schema(value) for key, value in node.items() if key != "nullable"}
        if node.get("nullable"):
            out = {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    return node


def _examples(spec: dict[str, Any]) -> list[Any]:
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += list(operation["responses"].items())
            for where, body in bodies:
                for media in body.get("content", {}).values():
                    for name, example in media.get("examples", {}).items():
                        example = _resolve(spec, example)
                        found.append(
                            pytest.param(
                                _resolve(spec, media["schema"]),
                                example["value"],
                                id=f"{method}-{path}-{where}-{name}",
                            )
                        )
    return found


def test_spec_is_valid_openapi(spec: dict[str, Any]) -> None:
    """The spec passes openapi-spec-validator."""
    validate(spec)


def test_spec_examples_validate_against_their_schemas(spec: dict[str, Any]) -> None:
    """Every request and response example in the spec is valid for its own schema."""
    params = _examples(spec)
    assert len(params) >= 4
    for param in params:
        schema, value = param.values
        jsonschema.validate(value, _to_json_schema(schema))


def test_spec_operations_and_servers(spec: dict[str, Any]) -> None:
    """CreateService is a form POST with basic auth; the first server is ip-messaging."""
    create = spec["paths"]["/v2/Services"]["post"]
    assert create["operationId"] == "CreateService"
    assert create["tags"] == ["Services"]
    assert "application/x-www-form-urlencoded" in create["requestBody"]["content"]
    assert "default" not in create["responses"]
    assert spec["servers"][0]["url"] == "https://ip-messaging.twilio.com"
    assert spec["components"]["securitySchemes"]["accountSid_authToken"]["scheme"] == "basic"


def test_generator_config_has_only_known_keys() -> None:
    """openapi-python-client ignores unknown keys silently, so a typo must fail here."""
    config = yaml.safe_load(Path(ROOT / "generator-config.yaml").read_text(encoding="utf-8"))
    unknown = set(config) - set(ConfigFile.model_fields)
    assert not unknown, f"keys the pinned generator does not know: {sorted(unknown)}"
    for override in config.get("class_overrides", {}).values():
        assert set(override) <= {"class_name", "module_name"}
    ConfigFile.model_validate(config)
