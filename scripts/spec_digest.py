"""Keep openapi.yaml faithful to Twilio's spec: a facts-only digest, a check and an update.

`check`  compares openapi.yaml with the committed digest of Twilio's document and fails on any
         difference that spec/deviations.yaml does not list with a reason, or on a listed
         deviation that no longer matches any difference (stale).
`update` rebuilds the digest from a newer Twilio file for the operations openapi.yaml covers
         (matched by path and method) and prints what changed, breaking changes marked.

The digest keeps structure only: paths, methods, operationIds, parameters, request body fields
and encoding, status codes, response headers and schema facts with every `$ref` resolved. It
never keeps Twilio's descriptions, summaries, examples or tags, so the repo holds facts only.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "openapi.yaml"
DEFAULT_DIGEST = ROOT / "spec" / "twilio_ip_messaging_v2.digest.json"
DEFAULT_DEVIATIONS = ROOT / "spec" / "deviations.yaml"
DIGEST_FORMAT = 1
UNKNOWN_COMMIT = "unknown"

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
FORM = "application/x-www-form-urlencoded"
JSON_MEDIA = "application/json"
# Schema keywords whose values are kept as they are.
SCHEMA_SCALARS = (
    "type",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "default",
)
# Flags whose `false` is the same as their absence: the digest keeps them only when true.
FLAGS = ("nullable", "readOnly", "writeOnly", "uniqueItems", "deprecated")
COMBINERS = ("allOf", "anyOf", "oneOf")
# Keys of the digest's own nodes (beside schema keywords), never elided from a difference path.
META = ("mediaTypes", "bodyRequired", "encoding", "headers", "schema", "in", "style", "explode")
RESERVED = frozenset(
    (*SCHEMA_SCALARS, *FLAGS, *COMBINERS, *META, "enum", "required", "items", "properties")
) | {"additionalProperties", "not"}
MIN_KEYS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
MAX_KEYS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")


class SpecError(Exception):
    """An input the tool cannot use: unreadable file, unresolvable $ref, malformed deviations."""


class _Missing:
    """Marks a side of a difference where the node does not exist."""

    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


# --- Building a digest ---------------------------------------------------------------------


def load_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML (or JSON) document that must be a mapping."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(loaded, dict):
        raise SpecError(f"{path} is not a mapping at the top level")
    return loaded


def _jsonable(value: Any) -> Any:
    """YAML may load dates and such; the digest holds only what JSON can say."""
    return json.loads(json.dumps(value, default=str))


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class _Resolver:
    """Follows local `$ref`s, refusing cycles and references that lead nowhere."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def target(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise SpecError(f"only local $refs are supported, got {ref!r}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise SpecError(f"$ref {ref} points to nothing")
            node = node[part]
        return node

    def deref(self, node: Any) -> Any:
        """A non-schema object (parameter, response, header, body) with its $ref chain followed."""
        seen: set[str] = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise SpecError(f"$ref cycle at {ref}")
            seen.add(ref)
            node = self.target(ref)
        return node

    def schema(self, node: Any, chain: tuple[str, ...] = ()) -> dict[str, Any]:
        """The facts of one schema, recursively, with descriptions and examples dropped."""
        if isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in chain:
                return {"recursive": True}
            return self.schema(self.target(ref), (*chain, ref))
        if not isinstance(node, dict):
            return {}
        facts: dict[str, Any] = {}
        for key in SCHEMA_SCALARS:
            if key in node:
                facts[key] = _jsonable(node[key])
        for key in FLAGS:
            if node.get(key) is True:
                facts[key] = True
        if "enum" in node and isinstance(node["enum"], list):
            facts["enum"] = sorted(_jsonable(node["enum"]), key=_sort_key)
        if isinstance(node.get("required"), list) and node["required"]:
            facts["required"] = sorted(str(name) for name in node["required"])
        if "items" in node:
            facts["items"] = self.schema(node["items"], chain)
        if isinstance(node.get("properties"), dict):
            facts["properties"] = {
                str(name): self.schema(prop, chain) for name, prop in node["properties"].items()
            }
        extra = node.get("additionalProperties")
        if isinstance(extra, bool):
            facts["additionalProperties"] = extra
        elif isinstance(extra, dict):
            facts["additionalProperties"] = self.schema(extra, chain)
        for key in COMBINERS:
            if isinstance(node.get(key), list):
                parts = [self.schema(part, chain) for part in node[key]]
                facts[key] = sorted(parts, key=_sort_key)
        if "not" in node:
            facts["not"] = self.schema(node["not"], chain)
        return facts


def _flags(node: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: True for name in names if node.get(name) is True}


def _parameters(resolver: _Resolver, path_item: dict[str, Any], op: dict[str, Any]) -> Any:
    """Path-level parameters overridden by operation-level ones (same name and location)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*path_item.get("parameters", []), *op.get("parameters", [])]:
        param = resolver.deref(raw)
        if not isinstance(param, dict) or "name" not in param:
            raise SpecError(f"a parameter without a name: {raw!r}")
        merged[(str(param["name"]), str(param.get("in")))] = param
    digest: dict[str, Any] = {}
    for (name, where), param in sorted(merged.items()):
        key = name if name not in digest else f"{name} ({where})"
        facts: dict[str, Any] = {"in": where, **_flags(param, "required", "deprecated")}
        for attr in ("style", "explode", "allowEmptyValue"):
            if attr in param:
                facts[attr] = param[attr]
        if "schema" in param:
            facts["schema"] = resolver.schema(param["schema"])
        if isinstance(param.get("content"), dict):
            facts["mediaTypes"] = sorted(param["content"])
        digest[key] = facts
    return digest


def _pick_media(content: dict[str, Any], preferred: str) -> Any:
    if preferred in content:
        return content[preferred]
    return content[sorted(content)[0]]


def _request_body(resolver: _Resolver, raw: Any) -> dict[str, Any]:
    """Media types, whether a body is required, the form encoding and the body schema's facts."""
    body = resolver.deref(raw)
    content = body.get("content") or {}
    facts: dict[str, Any] = {"mediaTypes": sorted(content)}
    if body.get("required") is True:
        facts["bodyRequired"] = True
    if content:
        media = _pick_media(content, FORM)
        facts.update(resolver.schema(media.get("schema", {})))
        encoding = {
            str(field): {
                key: value
                for key, value in (rule or {}).items()
                if key in ("contentType", "style", "explode", "allowReserved")
            }
            for field, rule in (media.get("encoding") or {}).items()
        }
        if encoding:
            facts["encoding"] = encoding
    return facts


def _responses(resolver: _Resolver, responses: dict[str, Any]) -> dict[str, Any]:
    digest: dict[str, Any] = {}
    for status, raw in responses.items():
        response = resolver.deref(raw)
        facts: dict[str, Any] = {}
        headers = {}
        for name, header_raw in (response.get("headers") or {}).items():
            header = resolver.deref(header_raw)
            header_facts = _flags(header, "required", "deprecated")
            if "schema" in header:
                header_facts["schema"] = resolver.schema(header["schema"])
            headers[str(name)] = header_facts
        if headers:
            facts["headers"] = headers
        content = response.get("content") or {}
        if content:
            facts["mediaTypes"] = sorted(content)
            facts["schema"] = resolver.schema(_pick_media(content, JSON_MEDIA).get("schema", {}))
        digest[str(status)] = facts
    return digest


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(METHOD, path, path item, operation) for every operation of a document."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield method.upper(), str(path), item, item[method]


def build_operations(
    document: dict[str, Any], scope: set[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """The digest of each operation (optionally only those in `scope`), keyed by operationId."""
    resolver = _Resolver(document)
    digest: dict[str, Any] = {}
    for method, path, item, op in operations(document):
        if scope is not None and (method, path) not in scope:
            continue
        op_id = str(op.get("operationId") or f"{method} {path}")
        facts: dict[str, Any] = {"method": method, "path": path, "operationId": op_id}
        facts.update(_flags(op, "deprecated"))
        facts["parameters"] = _parameters(resolver, item, op)
        if "requestBody" in op:
            facts["requestBody"] = _request_body(resolver, op["requestBody"])
        facts["responses"] = _responses(resolver, op.get("responses") or {})
        if op_id in digest:
            raise SpecError(f"operationId {op_id} is used twice")
        digest[op_id] = facts
    return digest


def build_digest(
    upstream: Path, scope: set[tuple[str, str]], commit: str | None = None
) -> dict[str, Any]:
    """The committed form: a header naming the source, then the covered operations."""
    if commit is not None and not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise SpecError(f"COMMIT must be a full twilio-oai commit sha (40 hex), got {commit!r}")
    try:
        raw = upstream.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read {upstream}: {exc.strerror}") from None
    document = load_yaml(upstream)
    info = document.get("info") or {}
    found = info.get("x-twilio-oai-commit") if isinstance(info, dict) else None
    return {
        "format": DIGEST_FORMAT,
        "source": {
            "file": upstream.name,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "twilio_oai_commit": commit or (str(found) if found else UNKNOWN_COMMIT),
        },
        "operations": build_operations(document, scope),
    }


def dumps(digest: dict[str, Any]) -> str:
    """Deterministic text: sorted keys, two-space indent, one trailing newline."""
    return json.dumps(digest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_digest(path: Path) -> dict[str, Any]:
    try:
        digest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read the digest {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise SpecError(f"the digest {path} is not valid JSON: {exc}") from None
    if not isinstance(digest, dict) or not isinstance(digest.get("operations"), dict):
        raise SpecError(f"the digest {path} has no 'operations' mapping")
    return digest


def scope_of(operations_digest: dict[str, Any]) -> set[tuple[str, str]]:
    return {(op["method"], op["path"]) for op in operations_digest.values()}


# --- Differences ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One node where the two digests disagree; MISSING marks the side that lacks it."""

    operation: str
    method: str
    path: str
    field: tuple[str, ...]
    upstream: Any
    local: Any

    @property
    def name(self) -> str:
        """The flat path deviations match, e.g. `UpdateService.requestBody.WebhookMethod.enum`."""
        return ".".join((self.operation, *display_field(self.field)))

    def describe(self, old: str = "upstream", new: str = "local") -> str:
        return (
            f"{self.name} ({self.method} {self.path}): "
            f"{old} {show(self.upstream, self.local)}, {new} {show(self.local, self.upstream)}"
        )


def display_field(field: tuple[str, ...]) -> list[str]:
    """Drop `properties` segments unless the property's name could be mistaken for a keyword."""
    shown = []
    for index, segment in enumerate(field):
        following = field[index + 1] if index + 1 < len(field) else None
        if segment == "properties" and following is not None and following not in RESERVED:
            continue
        shown.append(segment)
    return shown


def show(value: Any, other: Any) -> str:
    if value is MISSING:
        return "false" if isinstance(other, bool) else "(absent)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def _walk(a: Any, b: Any, field: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from _walk(a.get(key, MISSING), b.get(key, MISSING), (*field, key))
    elif a != b:
        yield field, a, b


def differences(upstream: dict[str, Any], local: dict[str, Any]) -> list[Difference]:
    """Every difference between two operation digests, operations matched by method and path."""
    theirs = {(op["method"], op["path"]): op for op in upstream.values()}
    ours = {(op["method"], op["path"]): op for op in local.values()}
    found = []
    for key in sorted(set(theirs) | set(ours)):
        a, b = theirs.get(key, MISSING), ours.get(key, MISSING)
        label = (a if a is not MISSING else b)["operationId"]
        for field, old, new in _walk(a, b, ()):
            found.append(Difference(label, key[0], key[1], field, old, new))
    return found


# --- check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deviation:
    """A difference openapi.yaml keeps on purpose: its path (fnmatch glob) and why."""

    path: str
    reason: str

    def matches(self, difference: Difference) -> bool:
        return fnmatch.fnmatchcase(difference.name, self.path)


def load_deviations(path: Path) -> list[Deviation]:
    """Each entry needs a non-empty `path` and `reason`; nothing else, no duplicates."""
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        return []
    loaded = load_yaml(path)
    entries = loaded.get("deviations")
    if set(loaded) != {"deviations"} or not isinstance(entries, list):
        raise SpecError(f"{path}: expected one key, 'deviations', holding a list")
    result: list[Deviation] = []
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or set(entry) != {"path", "reason"}:
            raise SpecError(f"{path}: entry {index} must have exactly 'path' and 'reason'")
        if not all(isinstance(entry[key], str) and entry[key].strip() for key in entry):
            raise SpecError(f"{path}: entry {index} needs a non-empty path and reason")
        if any(known.path == entry["path"] for known in result):
            raise SpecError(f"{path}: entry {index} repeats the path {entry['path']}")
        result.append(Deviation(entry["path"].strip(), entry["reason"].strip()))
    return result


def check(spec: Path, digest_path: Path, deviations_path: Path) -> tuple[bool, str]:
    """(ok, report): every difference must be a listed deviation, every deviation must match."""
    digest = load_digest(digest_path)
    local = build_operations(load_yaml(spec))
    deviations = load_deviations(deviations_path)
    found = differences(digest["operations"], local)
    unlisted = [diff for diff in found if not any(dev.matches(diff) for dev in deviations)]
    stale = [dev for dev in deviations if not any(dev.matches(diff) for diff in found)]
    source = digest.get("source", {})
    commit = str(source.get("twilio_oai_commit", UNKNOWN_COMMIT))[:12]
    lines = []
    if unlisted:
        lines.append(
            f"check-spec: {len(unlisted)} difference(s) between {spec.name} and Twilio's spec "
            f"(twilio-oai {commit}) not listed in {deviations_path.name}:"
        )
        lines += [f"  {diff.describe()}" for diff in unlisted]
        if any(not diff.field for diff in unlisted):
            lines.append(
                "  (an operation missing on one side: after adding or removing operations in "
                "openapi.yaml, run `make spec-update UPSTREAM=...` to rebuild the digest)"
            )
    if stale:
        lines.append(
            f"check-spec: {len(stale)} stale deviation(s) in {deviations_path.name} "
            "match no difference any more; remove them:"
        )
        lines += [f"  {dev.path}  ({dev.reason})" for dev in stale]
    if lines:
        return False, "\n".join(lines)
    return True, (
        f"check-spec: OK, {spec.name} matches Twilio's spec (twilio-oai {commit}, "
        f"{len(digest['operations'])} operations) apart from {len(found)} listed deviation(s)"
    )


# --- update --------------------------------------------------------------------------------


def _added_removed(old: Any, new: Any) -> tuple[list[Any], list[Any]]:
    before = [] if old is MISSING else list(old)
    after = [] if new is MISSING else list(new)
    return [v for v in after if v not in before], [v for v in before if v not in after]


def _bound(key: str, old: Any, new: Any) -> bool:
    """Whether a min/max constraint got tighter (it accepts fewer values than before)."""
    if new is MISSING:
        return False
    if old is MISSING:
        return True
    return bool(new > old) if key in MIN_KEYS else bool(new < old)


def _schema_change(sub: tuple[str, ...], old: Any, new: Any, request: bool) -> tuple[bool, str]:
    """Breaking or not, and why, for a change inside a request or response schema."""
    side = "request" if request else "response"
    if not sub or (len(sub) >= 2 and sub[-2] == "properties"):
        what = "parameter" if request else "property"
        if new is MISSING:
            return True, f"{what} removed"
        if old is MISSING:
            return False, "new parameter (optional)" if request else "new response property"
    key = sub[-1] if sub else ""
    if key == "properties":
        return (True, f"{side} properties removed") if new is MISSING else (False, "new fields")
    if key == "enum":
        if old is MISSING:
            return True, ("now restricted to an enum" if request else "became an enum (ienum)")
        if new is MISSING:
            return (False, "no longer an enum") if request else (True, "no longer an enum")
        added, removed = _added_removed(old, new)
        if removed:
            return True, f"enum value(s) removed: {json.dumps(removed)}"
        return False, f"new enum value(s): {json.dumps(added)}"
    if key == "nullable":
        now_nullable = new is True
        if request:
            return (not now_nullable), ("nullable" if now_nullable else "no longer nullable")
        return now_nullable, ("may now be null" if now_nullable else "no longer nullable")
    if key == "required":
        added, removed = _added_removed(old, new)
        if request and added:
            return True, f"newly required: {', '.join(map(str, added))}"
        if not request and removed:
            return True, f"no longer always present: {', '.join(map(str, removed))}"
        return False, "required list changed"
    if key in MIN_KEYS or key in MAX_KEYS:
        tighter = _bound(key, old, new)
        return request and tighter, f"{key} {'tightened' if tighter else 'loosened'}"
    if key in ("pattern", "multipleOf"):
        return request and new is not MISSING, f"{key} changed"
    if key == "default":
        return request, "default changed"
    if key in ("readOnly", "writeOnly", "deprecated"):
        return False, f"{key} changed"
    if key in ("type", "format", "items"):
        return True, f"{key} changed"
    return True, f"{key or 'schema'} changed"


def classify(field: tuple[str, ...], old: Any, new: Any) -> tuple[bool, str]:
    """Breaking or not, and a few words why, for one difference between two upstream digests."""
    if not field:
        return (True, "operation removed") if new is MISSING else (False, "new operation")
    head = field[0]
    if head == "parameters":
        if len(field) == 2:
            if new is MISSING:
                return True, "parameter removed"
            if old is MISSING:
                required = bool(new.get("required"))
                return required, "new required parameter" if required else "new optional parameter"
        attr = field[2]
        if attr == "required":
            return (new is True), ("became required" if new is True else "became optional")
        if attr == "schema":
            return _schema_change(field[3:], old, new, request=True)
        if attr == "deprecated":
            return False, "deprecated"
        return True, f"parameter {attr} changed"
    if head == "requestBody":
        if len(field) == 1:
            if new is MISSING:
                return True, "request body removed"
            needed = bool(new.get("bodyRequired") or new.get("required"))
            return needed, "new request body"
        attr = field[1]
        if attr == "mediaTypes":
            return bool(_added_removed(old, new)[1]), "request media types changed"
        if attr == "bodyRequired":
            return (new is True), "request body requirement changed"
        if attr == "encoding":
            return True, "form encoding changed"
        return _schema_change(field[1:], old, new, request=True)
    if head == "responses":
        if len(field) == 2:
            return (True, "status code removed") if new is MISSING else (False, "new status code")
        attr = field[2]
        if attr == "headers":
            if len(field) == 4:
                return (True, "header removed") if new is MISSING else (False, "new header")
            if len(field) > 4 and field[4] == "schema":
                return _schema_change(field[5:], old, new, request=False)
            return False, "header changed"
        if attr == "mediaTypes":
            return bool(_added_removed(old, new)[1]), "response media types changed"
        if attr == "schema":
            return _schema_change(field[3:], old, new, request=False)
    if head == "deprecated":
        return False, "operation deprecated"
    return True, f"{head} changed"


def update(upstream: Path, commit: str | None, spec: Path, digest_path: Path) -> str:
    """Rebuild the digest from `upstream`, write it and return the report of what changed."""
    local = build_operations(load_yaml(spec))
    old = load_digest(digest_path) if digest_path.exists() else None
    scope = scope_of(local) | (scope_of(old["operations"]) if old else set())
    new = build_digest(upstream, scope, commit)
    lines = []
    old_source = old.get("source", {}) if old else {}
    new_source = new["source"]
    lines.append(
        "spec-update: twilio-oai "
        f"{old_source.get('twilio_oai_commit', '(none)')} -> {new_source['twilio_oai_commit']}, "
        f"sha256 {str(old_source.get('sha256', '(none)'))[:16]} -> {new_source['sha256'][:16]}"
    )
    if new_source["twilio_oai_commit"] == UNKNOWN_COMMIT:
        lines.append("  warning: no COMMIT given; pass COMMIT=<twilio-oai sha> to record it")
    changes = differences(old["operations"] if old else {}, new["operations"])
    breaking = 0
    for change in changes:
        is_breaking, why = classify(change.field, change.upstream, change.local)
        breaking += is_breaking
        mark = "BREAKING    " if is_breaking else "non-breaking"
        values = ""
        before, after = change.upstream, change.local
        if not isinstance(before, dict) and not isinstance(after, dict):
            values = f" ({show(before, after)} -> {show(after, before)})"
        lines.append(f"  {mark}  {change.name}: {why}{values}")
    if not changes:
        lines.append("  no changes in the covered operations")
    else:
        lines.append(
            f"{breaking} breaking, {len(changes) - breaking} non-breaking change(s) in "
            f"{len(new['operations'])} covered operation(s)"
        )
    digest_path.parent.mkdir(parents=True, exist_ok=True)
    digest_path.write_text(dumps(new), encoding="utf-8")
    lines.append(f"wrote {digest_path.name}")
    lines.append(
        "next: edit openapi.yaml for the breaking changes, `make generate`, list deliberate "
        "differences in spec/deviations.yaml, then run `make check-spec` and `make test`"
    )
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spec_digest", description=__doc__.split("\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="our openapi.yaml")
    parser.add_argument("--digest", type=Path, default=DEFAULT_DIGEST, help="the digest file")
    commands = parser.add_subparsers(dest="command", required=True)
    check_cmd = commands.add_parser("check", help="compare openapi.yaml with the digest")
    check_cmd.add_argument("--deviations", type=Path, default=DEFAULT_DEVIATIONS)
    update_cmd = commands.add_parser("update", help="rebuild the digest from a Twilio file")
    update_cmd.add_argument("--upstream", type=Path, required=True)
    update_cmd.add_argument("--commit", default=None, help="the twilio-oai commit of the file")
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    args = _parser().parse_args(None if argv is None else list(argv))
    try:
        if args.command == "check":
            ok, report = check(args.spec, args.digest, args.deviations)
            print(report, file=sys.stdout if ok else sys.stderr)
            return 0 if ok else 1
        print(update(args.upstream, args.commit, args.spec, args.digest))
        return 0
    except SpecError as exc:
        print(f"spec_digest: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
