"""The spec digest: facts only and stable; check-spec catches drift; spec-update marks changes.

Every test writes its own small Twilio-like upstream file (or copies the repo's openapi.yaml)
into tmp_path, so nothing here needs Twilio's document and nothing skips on a fresh clone.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import spec_digest
from tests.conftest import ROOT

PROSE = "Prose-7f3a that Twilio wrote"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _thing_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": PROSE,
        "properties": {
            "sid": {
                "type": "string",
                "minLength": 34,
                "maxLength": 34,
                "pattern": "^TH[0-9a-fA-F]{32}$",
                "nullable": True,
                "description": PROSE,
            },
            "friendly_name": {"type": "string", "nullable": True, "description": PROSE},
            "date_created": {"type": "string", "format": "date-time", "nullable": True},
            "status": {"type": "string", "nullable": True},
            "webhook_method": {"$ref": "#/components/schemas/thing_enum_method"},
            "limits": {"nullable": True, "description": PROSE},
        },
    }


def _ok(code: str) -> dict[str, Any]:
    return {
        code: {
            "description": PROSE,
            "headers": {
                "Access-Control-Allow-Origin": {
                    "description": PROSE,
                    "schema": {"type": "string", "example": "*"},
                }
            },
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/thing"},
                    "examples": {"create": {"value": {"sid": PROSE}}},
                }
            },
        }
    }


def _upstream() -> dict[str, Any]:
    """A small document shaped like Twilio's: form bodies, $refs, enums, prose everywhere."""
    sid = {
        "name": "Sid",
        "in": "path",
        "required": True,
        "description": PROSE,
        "schema": {"type": "string", "pattern": "^TH[0-9a-fA-F]{32}$"},
    }
    return {
        "openapi": "3.0.1",
        "info": {"title": "Twilio - Things", "version": "1.0.0", "description": PROSE},
        "tags": [{"name": "ThingsV2", "description": PROSE}],
        "paths": {
            "/v2/Things": {
                "description": PROSE,
                "post": {
                    "operationId": "CreateThing",
                    "summary": PROSE,
                    "description": PROSE,
                    "tags": ["ThingsV2"],
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "title": "CreateThingRequest",
                                    "properties": {
                                        "FriendlyName": {"type": "string", "description": PROSE},
                                        "Count": {"type": "integer", "description": PROSE},
                                        "Note": {"type": "string", "nullable": True},
                                        "Method": {
                                            "type": "string",
                                            "format": "http-method",
                                            "enum": ["GET", "POST"],
                                        },
                                    },
                                    "required": ["FriendlyName"],
                                },
                                "examples": {"create": {"value": {"FriendlyName": PROSE}}},
                            }
                        }
                    },
                    "responses": _ok("201"),
                },
                "get": {
                    "operationId": "ListThing",
                    "parameters": [
                        {
                            "name": "PageSize",
                            "in": "query",
                            "description": PROSE,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        }
                    ],
                    "responses": _ok("200"),
                },
            },
            "/v2/Things/{Sid}": {
                "get": {"operationId": "FetchThing", "parameters": [sid], "responses": _ok("200")},
                "delete": {
                    "operationId": "DeleteThing",
                    "parameters": [sid],
                    "responses": {"204": {"description": PROSE}},
                },
            },
        },
        "components": {
            "schemas": {
                "thing": _thing_schema(),
                "thing_enum_method": {"type": "string", "enum": ["GET", "POST"], "nullable": True},
            }
        },
    }


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = spec_digest.main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def upstream_doc() -> dict[str, Any]:
    return _upstream()


@pytest.fixture
def workspace(tmp_path: Path, upstream_doc: dict[str, Any]) -> dict[str, Path]:
    """An upstream file, a local spec identical in structure, its digest and no deviations."""
    local = copy.deepcopy(upstream_doc)
    local["info"]["description"] = "our own words"
    local["paths"]["/v2/Things"]["post"]["tags"] = ["Things"]
    paths = {
        "upstream": _write(tmp_path / "twilio_things_v2.yaml", upstream_doc),
        "spec": _write(tmp_path / "openapi.yaml", local),
        "digest": tmp_path / "spec" / "things.digest.json",
        "deviations": tmp_path / "spec" / "deviations.yaml",
    }
    spec_digest.update(paths["upstream"], COMMIT, paths["spec"], paths["digest"])
    return paths


def _check(capsys: pytest.CaptureFixture[str], ws: dict[str, Path]) -> tuple[int, str]:
    return _run(
        capsys,
        *("--spec", str(ws["spec"]), "--digest", str(ws["digest"])),
        *("check", "--deviations", str(ws["deviations"])),
    )


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


# --- The digest ----------------------------------------------------------------------------


def test_digest_keeps_facts_and_drops_prose(workspace: dict[str, Path]) -> None:
    """No description, summary, example or tag survives; $refs are resolved into their facts."""
    text = workspace["digest"].read_text(encoding="utf-8")
    assert "Prose-7f3a" not in text
    digest = json.loads(text)
    assert not {"description", "summary", "example", "examples", "tags", "title"} & set(
        _keys(digest["operations"])
    )
    create = digest["operations"]["CreateThing"]
    assert create["requestBody"]["mediaTypes"] == ["application/x-www-form-urlencoded"]
    assert create["requestBody"]["properties"]["Method"]["enum"] == ["GET", "POST"]
    sid = create["responses"]["201"]["schema"]["properties"]["sid"]
    assert sid == {
        "type": "string",
        "minLength": 34,
        "maxLength": 34,
        "pattern": "^TH[0-9a-fA-F]{32}$",
        "nullable": True,
    }
    method = create["responses"]["201"]["schema"]["properties"]["webhook_method"]
    assert method == {"type": "string", "enum": ["GET", "POST"], "nullable": True}
    assert digest["operations"]["DeleteThing"]["responses"] == {"204": {}}


def test_digest_header_names_commit_and_sha256(workspace: dict[str, Path]) -> None:
    """The header records the source file's name, its sha256 and the twilio-oai commit."""
    digest = json.loads(workspace["digest"].read_text(encoding="utf-8"))
    raw = workspace["upstream"].read_bytes()
    assert digest["source"] == {
        "file": "twilio_things_v2.yaml",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "twilio_oai_commit": COMMIT,
    }


def test_digest_is_stable_across_key_and_enum_order(
    tmp_path: Path, upstream_doc: dict[str, Any]
) -> None:
    """Reordered keys, properties and enum values give byte-identical digests."""

    def reverse(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: reverse(node[key]) for key in reversed(list(node))}
        if isinstance(node, list):
            return [reverse(item) for item in reversed(node)]
        return node

    first = spec_digest.build_operations(upstream_doc)
    again = spec_digest.build_operations(copy.deepcopy(upstream_doc))
    shuffled = spec_digest.build_operations(reverse(upstream_doc))
    assert spec_digest.dumps(first) == spec_digest.dumps(again) == spec_digest.dumps(shuffled)


def test_digest_covers_only_the_local_operations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], upstream_doc: dict[str, Any]
) -> None:
    """Operations openapi.yaml does not have stay out of the digest (matched by path + method)."""
    local = copy.deepcopy(upstream_doc)
    del local["paths"]["/v2/Things/{Sid}"]
    local["paths"]["/v2/Things"]["post"]["operationId"] = "MakeThing"
    spec = _write(tmp_path / "openapi.yaml", local)
    upstream = _write(tmp_path / "up.yaml", upstream_doc)
    digest = tmp_path / "d.json"
    code, _ = _run(
        capsys, "--spec", str(spec), "--digest", str(digest), "update", "--upstream", str(upstream)
    )
    assert code == 0
    assert sorted(json.loads(digest.read_text())["operations"]) == ["CreateThing", "ListThing"]


# --- check ---------------------------------------------------------------------------------


def test_check_passes_on_the_repo() -> None:
    """`make check-spec`'s command accepts the committed openapi.yaml, digest and deviations."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "spec_digest.py"), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("check-spec: OK")
    assert len(result.stdout.strip().splitlines()) == 1


def test_check_passes_when_only_prose_differs(
    capsys: pytest.CaptureFixture[str], workspace: dict[str, Path]
) -> None:
    """Our own descriptions, tags and examples are not differences."""
    code, out = _check(capsys, workspace)
    assert code == 0, out
    assert "OK" in out


def _repo_copy(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> list[str]:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    edit(spec)
    copy_path = _write(tmp_path / "openapi.yaml", spec)
    return ["--spec", str(copy_path), "check"]


def _page_size_type(spec: dict[str, Any]) -> None:
    params = spec["paths"]["/v2/Services"]["get"]["parameters"]
    next(p for p in params if p["name"] == "PageSize")["schema"]["type"] = "string"


def _drop_201(spec: dict[str, Any]) -> None:
    del spec["paths"]["/v2/Services"]["post"]["responses"]["201"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            _page_size_type,
            'ListService.parameters.PageSize.schema.type (GET /v2/Services): upstream "integer", '
            'local "string"',
            id="parameter-type",
        ),
        pytest.param(
            _drop_201,
            "CreateService.responses.201 (POST /v2/Services): upstream {",
            id="removed-status-code",
        ),
    ],
)
def test_check_fails_on_planted_drift_in_openapi_yaml(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[dict[str, Any]], None],
    expected: str,
) -> None:
    """A drift in a copy of openapi.yaml fails, naming the operation, field and both values."""
    code, out = _run(capsys, *_repo_copy(tmp_path, edit))
    assert code == 1
    assert expected in out
    assert "not listed in deviations.yaml" in out


def test_check_fails_on_a_removed_enum_value(
    capsys: pytest.CaptureFixture[str], workspace: dict[str, Path]
) -> None:
    """A request enum that lost a value locally is reported with both value lists."""
    local = yaml.safe_load(workspace["spec"].read_text(encoding="utf-8"))
    body = local["paths"]["/v2/Things"]["post"]["requestBody"]
    body["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]["Method"][
        "enum"
    ] = ["GET"]
    _write(workspace["spec"], local)
    code, out = _check(capsys, workspace)
    assert code == 1
    assert (
        'CreateThing.requestBody.Method.enum (POST /v2/Things): upstream ["GET", "POST"], '
        'local ["GET"]'
    ) in out


def test_check_reports_a_local_operation_missing_from_the_digest(
    capsys: pytest.CaptureFixture[str], workspace: dict[str, Path]
) -> None:
    """A new operation in openapi.yaml that the digest lacks fails and says to rebuild it."""
    local = yaml.safe_load(workspace["spec"].read_text(encoding="utf-8"))
    local["paths"]["/v2/Things/{Sid}"]["post"] = {
        "operationId": "UpdateThing",
        "responses": {"200": {"description": "OK"}},
    }
    _write(workspace["spec"], local)
    code, out = _check(capsys, workspace)
    assert code == 1
    assert "UpdateThing (POST /v2/Things/{Sid}): upstream (absent), local {" in out
    assert "make spec-update" in out


def test_listed_deviations_pass_and_globs_cover_families(
    capsys: pytest.CaptureFixture[str], workspace: dict[str, Path]
) -> None:
    """Differences listed with a reason, exactly or by glob, do not fail the check."""
    local = yaml.safe_load(workspace["spec"].read_text(encoding="utf-8"))
    for path, method in (("/v2/Things", "post"), ("/v2/Things", "get")):
        local["paths"][path][method]["responses"]["4XX"] = {"description": "error"}
    local["components"]["schemas"]["thing"]["required"] = ["sid"]
    _write(workspace["spec"], local)
    workspace["deviations"].write_text(
        "deviations:\n"
        "  - path: '*.responses.4XX'\n    reason: Twilio declares no errors.\n"
        "  - path: '*.schema.required'\n    reason: Twilio always sends sid.\n",
        encoding="utf-8",
    )
    code, out = _check(capsys, workspace)
    assert code == 0, out
    assert "apart from 5 listed deviation(s)" in out


def test_stale_deviation_fails(
    capsys: pytest.CaptureFixture[str], workspace: dict[str, Path]
) -> None:
    """A deviation that matches no difference any more is an error naming the entry."""
    workspace["deviations"].write_text(
        "deviations:\n  - path: CreateThing.requestBody.Count.type\n    reason: once true\n",
        encoding="utf-8",
    )
    code, out = _check(capsys, workspace)
    assert code == 1
    assert "1 stale deviation(s)" in out
    assert "CreateThing.requestBody.Count.type  (once true)" in out


def test_repo_stale_deviation_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Adding an entry that matches nothing to the repo's own deviations fails the repo check."""
    deviations = yaml.safe_load((ROOT / "spec" / "deviations.yaml").read_text(encoding="utf-8"))
    deviations["deviations"].append({"path": "CreateService.parameters.Nope", "reason": "gone"})
    path = _write(tmp_path / "deviations.yaml", deviations)
    code, out = _run(capsys, "check", "--deviations", str(path))
    assert code == 1
    assert "CreateService.parameters.Nope  (gone)" in out


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("deviations:\n  - path: X.y\n", id="no-reason"),
        pytest.param("deviations:\n  - path: X.y\n    reason: ' '\n", id="blank-reason"),
        pytest.param("deviations:\n  - path: X.y\n    reason: a\n    extra: b\n", id="extra-key"),
        pytest.param("devs: []\n", id="wrong-top-key"),
        pytest.param("deviations:\n  - {path: a, reason: b}\n  - {path: a, reason: c}\n", id="dup"),
        pytest.param("deviations: [\n", id="not-yaml"),
    ],
)
def test_malformed_deviations_file_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], workspace: dict[str, Path], text: str
) -> None:
    """A malformed deviations file exits 2 with one line, never a traceback."""
    workspace["deviations"].write_text(text, encoding="utf-8")
    code, out = _check(capsys, workspace)
    assert code == 2
    assert out.startswith("spec_digest: error: ")
    assert "Traceback" not in out


# --- update --------------------------------------------------------------------------------


def _body_props(doc: dict[str, Any]) -> dict[str, Any]:
    media = doc["paths"]["/v2/Things"]["post"]["requestBody"]["content"]
    props: dict[str, Any] = media["application/x-www-form-urlencoded"]["schema"]["properties"]
    return props


def _thing_props(doc: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = doc["components"]["schemas"]["thing"]["properties"]
    return props


def _list_params(doc: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = doc["paths"]["/v2/Things"]["get"]["parameters"]
    return params


def _rename_201(doc: dict[str, Any]) -> None:
    responses = doc["paths"]["/v2/Things"]["post"]["responses"]
    responses["200"] = responses.pop("201")


def _require_count(doc: dict[str, Any]) -> None:
    media = doc["paths"]["/v2/Things"]["post"]["requestBody"]["content"]
    media["application/x-www-form-urlencoded"]["schema"]["required"].append("Count")


BREAKING = "BREAKING    "
NON_BREAKING = "non-breaking"

UPDATE_CASES = [
    pytest.param(
        lambda d: d["paths"]["/v2/Things/{Sid}"].pop("get"),
        [(BREAKING, "FetchThing: operation removed")],
        id="removed-operation",
    ),
    pytest.param(
        lambda d: _list_params(d).clear(),
        [(BREAKING, "ListThing.parameters.PageSize: parameter removed")],
        id="removed-parameter",
    ),
    pytest.param(
        lambda d: _body_props(d).pop("Count"),
        [(BREAKING, "CreateThing.requestBody.Count: parameter removed")],
        id="removed-body-parameter",
    ),
    pytest.param(
        lambda d: _thing_props(d).pop("friendly_name"),
        [(BREAKING, "FetchThing.responses.200.schema.friendly_name: property removed")],
        id="removed-property",
    ),
    pytest.param(
        _rename_201,
        [
            (BREAKING, "CreateThing.responses.201: status code removed"),
            (NON_BREAKING, "CreateThing.responses.200: new status code"),
        ],
        id="status-201-to-200",
    ),
    pytest.param(
        lambda d: _body_props(d)["Count"].update(type="string"),
        [(BREAKING, 'CreateThing.requestBody.Count.type: type changed ("integer" -> "string")')],
        id="type-change",
    ),
    pytest.param(
        lambda d: _thing_props(d)["date_created"].update(format="date"),
        [(BREAKING, "ListThing.responses.200.schema.date_created.format: format changed")],
        id="format-change",
    ),
    pytest.param(
        lambda d: _list_params(d).append(
            {"name": "Filter", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        [(BREAKING, "ListThing.parameters.Filter: new required parameter")],
        id="new-required-parameter",
    ),
    pytest.param(
        _require_count,
        [(BREAKING, "CreateThing.requestBody.required: newly required: Count")],
        id="body-field-becomes-required",
    ),
    pytest.param(
        lambda d: _body_props(d)["Method"].update(enum=["GET"]),
        [(BREAKING, 'CreateThing.requestBody.Method.enum: enum value(s) removed: ["POST"]')],
        id="enum-value-removed",
    ),
    pytest.param(
        lambda d: _body_props(d)["Note"].pop("nullable"),
        [(BREAKING, "CreateThing.requestBody.Note.nullable: no longer nullable (true -> false)")],
        id="request-nullable-to-non-nullable",
    ),
    pytest.param(
        lambda d: _thing_props(d)["status"].update(enum=["active", "closed"]),
        [(BREAKING, "CreateThing.responses.201.schema.status.enum: became an enum (ienum)")],
        id="response-property-becomes-enum",
    ),
    pytest.param(
        lambda d: _list_params(d).append(
            {"name": "PageToken", "in": "query", "schema": {"type": "string"}}
        ),
        [(NON_BREAKING, "ListThing.parameters.PageToken: new optional parameter")],
        id="new-optional-parameter",
    ),
    pytest.param(
        lambda d: _body_props(d).update(Region={"type": "string"}),
        [(NON_BREAKING, "CreateThing.requestBody.Region: new parameter (optional)")],
        id="new-optional-body-parameter",
    ),
    pytest.param(
        lambda d: _thing_props(d).update(region={"type": "string", "nullable": True}),
        [(NON_BREAKING, "FetchThing.responses.200.schema.region: new response property")],
        id="new-response-property",
    ),
    pytest.param(
        lambda d: _body_props(d)["Method"].update(enum=["GET", "POST", "PUT"]),
        [(NON_BREAKING, 'CreateThing.requestBody.Method.enum: new enum value(s): ["PUT"]')],
        id="new-request-enum-value",
    ),
    pytest.param(
        lambda d: d["components"]["schemas"]["thing_enum_method"].update(
            enum=["GET", "POST", "PATCH"]
        ),
        [(NON_BREAKING, "FetchThing.responses.200.schema.webhook_method.enum: new enum value(s)")],
        id="new-response-enum-value",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), UPDATE_CASES)
def test_spec_update_marks_breaking_and_non_breaking(
    capsys: pytest.CaptureFixture[str],
    workspace: dict[str, Path],
    upstream_doc: dict[str, Any],
    mutate: Callable[[dict[str, Any]], Any],
    expected: list[tuple[str, str]],
) -> None:
    """Each kind of upstream change is printed with the right mark, then the check reminder."""
    newer = copy.deepcopy(upstream_doc)
    mutate(newer)
    new_file = _write(workspace["upstream"].parent / "newer.yaml", newer)
    code, out = _run(
        capsys,
        *("--spec", str(workspace["spec"]), "--digest", str(workspace["digest"])),
        *("update", "--upstream", str(new_file), "--commit", "f" * 40),
    )
    assert code == 0, out
    for mark, text in expected:
        assert f"  {mark}  {text}" in out, out
    assert "make check-spec" in out.splitlines()[-1]
    digest = json.loads(workspace["digest"].read_text(encoding="utf-8"))
    assert digest["source"]["twilio_oai_commit"] == "f" * 40


def test_spec_update_with_the_same_file_reports_no_change(
    capsys: pytest.CaptureFixture[str], workspace: dict[str, Path]
) -> None:
    """Rebuilding from the same upstream file changes nothing and says so."""
    before = workspace["digest"].read_bytes()
    code, out = _run(
        capsys,
        *("--spec", str(workspace["spec"]), "--digest", str(workspace["digest"])),
        *("update", "--upstream", str(workspace["upstream"]), "--commit", COMMIT),
    )
    assert code == 0
    assert "no changes in the covered operations" in out
    assert workspace["digest"].read_bytes() == before


def test_spec_update_then_check_shows_the_drift(
    capsys: pytest.CaptureFixture[str], workspace: dict[str, Path], upstream_doc: dict[str, Any]
) -> None:
    """After a breaking upstream change, check-spec fails until openapi.yaml follows."""
    newer = copy.deepcopy(upstream_doc)
    _body_props(newer)["Count"]["type"] = "string"
    _run(
        capsys,
        *("--spec", str(workspace["spec"]), "--digest", str(workspace["digest"])),
        *("update", "--upstream", str(_write(workspace["spec"].parent / "n.yaml", newer))),
    )
    code, out = _check(capsys, workspace)
    assert code == 1
    assert 'CreateThing.requestBody.Count.type (POST /v2/Things): upstream "string"' in out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            lambda d: _body_props(d).update(Bad={"$ref": "#/components/schemas/nowhere"}),
            "$ref #/components/schemas/nowhere points to nothing",
            id="dangling-ref",
        ),
        pytest.param(lambda d: d.clear(), "", id="empty-document"),
    ],
)
def test_update_with_a_broken_upstream_file_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str],
    workspace: dict[str, Path],
    upstream_doc: dict[str, Any],
    edit: Callable[[dict[str, Any]], Any],
    message: str,
) -> None:
    """An unusable upstream file exits 2 with one line and leaves the digest untouched."""
    before = workspace["digest"].read_bytes()
    broken = copy.deepcopy(upstream_doc)
    edit(broken)
    path = workspace["upstream"].parent / "broken.yaml"
    path.write_text(yaml.safe_dump(broken) if broken else "", encoding="utf-8")
    code, out = _run(
        capsys,
        *("--spec", str(workspace["spec"]), "--digest", str(workspace["digest"])),
        *("update", "--upstream", str(path)),
    )
    assert code == 2
    assert out.startswith("spec_digest: error: ")
    assert message in out
    assert workspace["digest"].read_bytes() == before


def test_update_refuses_a_malformed_commit(
    capsys: pytest.CaptureFixture[str], workspace: dict[str, Path]
) -> None:
    """COMMIT must be a full 40-hex sha: the header field keeps one format."""
    code, out = _run(
        capsys,
        *("--spec", str(workspace["spec"]), "--digest", str(workspace["digest"])),
        *("update", "--upstream", str(workspace["upstream"]), "--commit", "main"),
    )
    assert code == 2
    assert "40 hex" in out


# --- The committed digest ------------------------------------------------------------------


def test_committed_digest_header_and_form() -> None:
    """The committed digest names a twilio-oai commit and sha256 and is in canonical form."""
    path = spec_digest.DEFAULT_DIGEST
    text = path.read_text(encoding="utf-8")
    digest = json.loads(text)
    assert text == spec_digest.dumps(digest)
    assert digest["format"] == spec_digest.DIGEST_FORMAT
    source = digest["source"]
    assert set(source) == {"file", "sha256", "twilio_oai_commit"}
    assert source["file"] == "twilio_ip_messaging_v2.yaml"
    assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"])
    assert re.fullmatch(r"[0-9a-f]{40}", source["twilio_oai_commit"])
    assert not {"description", "summary", "example", "examples", "tags"} & set(_keys(digest))
