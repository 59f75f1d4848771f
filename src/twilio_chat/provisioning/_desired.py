"""The desired state: which services should exist, configured how, read from a file.

A YAML file (JSON is read the same way) has `services:`, a list of entries with a
`friendly_name` and settings nested like Twilio's service resource, and optional `defaults:`
merged into every entry (an entry's own value wins, leaf by leaf). Any other file is a names
file: one name per line, no settings. Every problem (unknown or read-only key, wrong type,
value out of range, duplicate key or name, control character) is collected with its file,
line and key, and raised together as one `DesiredStateError` before any request is sent.
"""

from __future__ import annotations

import contextlib
import difflib
import enum
import functools
import os
import re
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

import attrs
import twilio_chat_api.models
import yaml  # type: ignore[import-untyped]  # PyYAML ships no type stubs
from twilio_chat_api.models import Service
from twilio_chat_api.types import Unset
from yaml.constructor import ConstructorError, SafeConstructor  # type: ignore[import-untyped]

from .._errors import ConfigurationError
from ._fields import SettingField, check_name, check_value, field_tree, setting_fields
from ._names import read_names

__all__ = [
    "MAX_PROBLEMS",
    "DesiredService",
    "DesiredState",
    "DesiredStateError",
    "DesiredStateProblem",
    "load_desired",
]

MAX_PROBLEMS: Final = 50
"""Problems reported at most per file: enough to fix a file in one pass, never a flood."""

FileFormat = Literal["auto", "yaml", "json", "names"]
_STRUCTURED: Final = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
_MERGE: Final = "tag:yaml.org,2002:merge"
_STR: Final = "tag:yaml.org,2002:str"
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


@attrs.frozen
class DesiredStateProblem:
    """One thing wrong in a desired-state file: where (file, 1-based line, key) and what."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        key = f" {self.key}:" if self.key else ""
        return f"{self.file}:{self.line}:{key} {self.message}"


class DesiredStateError(ConfigurationError):
    """Raised by `load_desired` when the file cannot be used: every problem found (up to
    `MAX_PROBLEMS`), each with file, line and key, in `problems`. Nothing was sent."""

    def __init__(self, problems: list[DesiredStateProblem], *, truncated: bool = False) -> None:
        self.problems = tuple(problems)
        self.truncated = truncated
        if len(problems) == 1 and not truncated:  # one problem: one line, as any other error
            super().__init__(str(problems[0]))
            return
        count = f"{len(problems)}{'+' if truncated else ''}"
        lines = [f"{count} problem(s) in the desired state:"]
        lines += [f"  {problem}" for problem in problems]
        if truncated:
            lines.append(f"  (stopped after {len(problems)}; fix these and load it again)")
        super().__init__("\n".join(lines))


def _frozen_mapping(value: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(value))


@attrs.frozen
class DesiredService:
    """One service that should exist: its name (the key Twilio lists it by), the settings it
    should have (`update_service` keywords -> values, defaults merged in), and the line of
    its entry in the file (0 for a generated one)."""

    friendly_name: str
    settings: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_mapping)
    line: int = 0

    @settings.validator
    def _known(self, _attribute: object, settings: Mapping[str, object]) -> None:
        unknown = set(settings) - _keywords()
        if unknown:
            raise ConfigurationError(
                f"not update_service settings: {', '.join(sorted(unknown))} "
                "(friendly_name is the service's key, not a setting)"
            )


@functools.cache
def _keywords() -> frozenset[str]:
    return frozenset(field.keyword for field in setting_fields()) - {"friendly_name"}


@attrs.frozen
class DesiredState:
    """Every service that should exist, in file order, names unique; `source` is the file."""

    source: str
    services: tuple[DesiredService, ...]

    def __len__(self) -> int:
        return len(self.services)

    def __iter__(self) -> Iterator[DesiredService]:
        return iter(self.services)

    @property
    def names(self) -> list[str]:
        """The friendly names, in file order."""
        return [service.friendly_name for service in self.services]


def load_desired(path: str | os.PathLike[str], *, format: FileFormat = "auto") -> DesiredState:
    """Read a desired state from `path`: YAML (`.yaml`, `.yml`), JSON (`.json`) or a names
    file (anything else), or as `format` says. Raises `DesiredStateError` listing every
    problem with file, line and key; nothing is sent to Twilio either way."""
    file = Path(path)
    kind = _STRUCTURED.get(file.suffix.lower(), "names") if format == "auto" else format
    if kind not in ("yaml", "json", "names"):
        raise ConfigurationError(f"format must be auto, yaml, json or names, got {format!r}")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {file}: {exc.strerror}") from None
    problems = _Problems(str(file))
    text = _decode(data, problems)
    services: list[DesiredService] = []
    if text is not None:
        try:
            if kind == "names":
                services = [
                    DesiredService(name, {}, line)
                    for line, name in read_names(text, str(file), problems.add)
                ]
            else:
                root = _compose(text, json=kind == "json", problems=problems)
                if root is not None:
                    services = _Reader(problems).document(root)
        except _TooMany:
            pass
    problems.raise_if_any()
    return DesiredState(str(file), tuple(services))


# --- Problems ---------------------------------------------------------------------------------


class _TooMany(Exception):
    """Raised inside the reader once `MAX_PROBLEMS` are collected: stop reading."""


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[DesiredStateProblem] = []
        self.truncated = False

    def add(self, line: int, key: str, message: str) -> None:
        if len(self.found) == MAX_PROBLEMS:
            self.truncated = True
            raise _TooMany
        self.found.append(DesiredStateProblem(self.file, line, key, message))

    def at(self, node: Any, key: str, message: str) -> None:
        self.add(node.start_mark.line + 1, key, message)

    def raise_if_any(self) -> None:
        if self.found:
            self.found.sort(key=lambda problem: problem.line)
            raise DesiredStateError(self.found, truncated=self.truncated)


def _decode(data: bytes, problems: _Problems) -> str | None:
    """UTF-8 text with a BOM dropped, or None after reporting the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(data.count(b"\n", 0, exc.start) + 1, "", "not UTF-8 text")
        return None


# --- YAML and JSON: compose the node tree (for line numbers), then read it -------------------


def _compose(text: str, *, json: bool, problems: _Problems) -> Any:
    """The document's root node, or None after reporting why there is none."""
    if json:
        text = text.replace("\t", " ")  # JSON whitespace; a raw tab inside a string is invalid
    loaders = [getattr(yaml, "CSafeLoader", yaml.SafeLoader)]
    if json:  # JSON escapes a non-BMP character as a surrogate pair, which libyaml refuses
        loaders.append(yaml.SafeLoader)
    error: Any = None
    for loader in loaders:
        try:
            root = yaml.compose(text, Loader=loader)
        except yaml.YAMLError as exc:
            error = exc
            continue
        if root is None:
            problems.add(1, "", "the file is empty: expected a mapping with `services:`")
        return root
    mark = getattr(error, "problem_mark", None)
    if mark is None:  # a ReaderError: a character YAML does not allow, at a position
        position = getattr(error, "position", 0)
        line = text.count("\n", 0, position) + 1
        problems.add(line, "", f"not valid {'JSON' if json else 'YAML'}: {error.reason}")
    else:
        what = error.problem or str(error)
        problems.add(mark.line + 1, "", f"not valid {'JSON' if json else 'YAML'}: {what}")
    return None


class _Reader:
    """Walks the composed nodes, checking every key and value against the field tree."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems
        self.constructor = SafeConstructor()

    def document(self, root: Any) -> list[DesiredService]:
        pairs = self.mapping(root, "", {"defaults", "services"})
        if pairs is None:
            return []
        defaults: dict[str, object] = {}
        if "defaults" in pairs:
            _, node = pairs["defaults"]
            defaults = self.settings(node, "defaults")
        if "services" not in pairs:
            self.problems.at(root, "services", "missing: the list of services to provision")
            return []
        _, node = pairs["services"]
        if not isinstance(node, yaml.SequenceNode):
            self.problems.at(node, "services", "must be a list of services")
            return []
        services: list[DesiredService] = []
        first_line: dict[str, int] = {}
        for index, item in enumerate(node.value):
            where = f"services[{index}]"
            entry = self.service(item, where)
            if entry is None:
                continue
            name, own = entry
            line = item.start_mark.line + 1
            if name in first_line:
                self.problems.at(
                    item,
                    f"{where}.friendly_name",
                    f"{name!r} is already on line {first_line[name]}: names must be unique",
                )
                continue
            first_line[name] = line
            merged = {**defaults, **own}
            order = [field.keyword for field in setting_fields() if field.keyword in merged]
            services.append(DesiredService(name, {key: merged[key] for key in order}, line))
        return services

    def service(self, node: Any, where: str) -> tuple[str, dict[str, object]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problems.at(node, where, "must be a mapping with a friendly_name")
            return None
        pairs = self.mapping(node, where, None)
        if pairs is None:
            return None
        settings: dict[str, object] = {}
        self.walk(pairs, where, field_tree(), (), settings, allow_name=True)
        if "friendly_name" not in pairs:
            self.problems.at(node, f"{where}.friendly_name", "missing")
            return None
        _, name_node = pairs["friendly_name"]
        if not isinstance(name_node, yaml.ScalarNode):
            self.problems.at(name_node, f"{where}.friendly_name", "must be a string")
            return None
        name = self.scalar(name_node)
        try:
            check_name(name)
        except ConfigurationError as exc:
            self.problems.at(name_node, f"{where}.friendly_name", str(exc))
            return None
        assert isinstance(name, str)
        return name, settings

    def settings(self, node: Any, where: str) -> dict[str, object]:
        """Every setting under `node` (a mapping), flattened to `update_service` keywords."""
        found: dict[str, object] = {}
        pairs = self.mapping(node, where, None)
        if pairs is not None:
            self.walk(pairs, where, field_tree(), (), found, allow_name=False)
        return found

    def walk(
        self,
        pairs: Mapping[str, tuple[Any, Any]],
        where: str,
        tree: Mapping[str, Any],
        path: tuple[str, ...],
        found: dict[str, object],
        *,
        allow_name: bool = False,
    ) -> None:
        for key, (key_node, value_node) in pairs.items():
            here = f"{where}.{key}" if where else key
            child = tree.get(key)
            if key == "friendly_name" and not path:
                if not allow_name:
                    self.problems.at(key_node, here, "a name cannot be a default")
                continue
            if child is None:
                self.problems.at(key_node, here, _unknown(key, tree, path))
            elif isinstance(child, SettingField):
                self.leaf(child, value_node, here, found)
            else:
                nested = self.mapping(value_node, here, None)
                if nested is not None:
                    self.walk(nested, here, child, (*path, key), found)

    def leaf(self, field: SettingField, node: Any, where: str, found: dict[str, object]) -> None:
        if field.kind is list and isinstance(node, yaml.SequenceNode):
            if not all(isinstance(item, yaml.ScalarNode) for item in node.value):
                self.problems.at(node, where, "must be a list of strings")
                return
            value: object = [self.scalar(item) for item in node.value]
        elif isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
        else:
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            self.problems.at(node, where, f"must be a {_kind_name(field.kind)}, not {kind}")
            return
        if value is None:
            self.problems.at(node, where, f"must be a {_kind_name(field.kind)}, not null")
            return
        try:
            found[field.keyword] = check_value(field, value)
        except ConfigurationError as exc:
            wants_text = field.kind is str or issubclass(field.kind, enum.Enum)
            plain = isinstance(node, yaml.ScalarNode) and not node.style
            hint = " (quote it to make it a string)" if wants_text and plain else ""
            self.problems.at(node, where, f"{exc}{hint}")

    def mapping(
        self, node: Any, where: str, allowed: set[str] | None
    ) -> dict[str, tuple[Any, Any]] | None:
        """The node's keys (strings, each once) -> (key node, value node), merge keys
        resolved; None, reported, when it is not a mapping. `allowed` limits the keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problems.at(node, where or "(top level)", "must be a mapping")
            return None
        own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
        try:
            self.constructor.flatten_mapping(node)  # `<<: *anchor` merges, placed first
        except ConstructorError as exc:
            self.problems.at(node, where, str(exc.problem))
            return None
        merged = len(node.value) - own
        pairs: dict[str, tuple[Any, Any]] = {}
        own_lines: dict[str, int] = {}
        for index, (key_node, value_node) in enumerate(node.value):
            if index < merged:  # a merged key is overridden by the mapping's own, silently
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if isinstance(key, str):
                    pairs[key] = (key_node, value_node)
                continue
            key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.problems.at(key_node, where, "every key must be a string")
                continue
            here = f"{where}.{key}" if where else key
            if allowed is not None and key not in allowed:
                self.problems.at(key_node, here, _close(key, allowed, "unknown key"))
            elif key in own_lines:
                first = own_lines[key]
                self.problems.at(key_node, here, f"duplicate key (first on line {first})")
            else:
                own_lines[key] = key_node.start_mark.line + 1
                pairs[key] = (key_node, value_node)
        return pairs

    def scalar(self, node: Any) -> object:
        """A scalar node's value as YAML reads it; a surrogate pair from a JSON escape joined."""
        if node.tag == _STR:  # the common case, without the constructor's bookkeeping
            value: object = node.value
        else:
            value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, str) and _SURROGATE.search(value):
            with contextlib.suppress(UnicodeDecodeError):  # a lone surrogate stays: refused
                value = value.encode("utf-16", "surrogatepass").decode("utf-16")
        return value


def _kind_name(kind: type) -> str:
    names = {bool: "boolean", int: "integer", list: "list of strings"}
    return names.get(kind, "string")  # str, and enums of strings


def _unknown(key: str, tree: Mapping[str, Any], path: tuple[str, ...]) -> str:
    """Why a key is refused: read-only in Twilio's resource, or unknown (with a suggestion)."""
    if key in _resource_keys(path):
        return "read-only: Twilio sets it, a desired state cannot"
    return _close(key, set(tree) | ({"friendly_name"} if not path else set()), "unknown key")


def _close(key: str, known: set[str], what: str) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f"{what}" + (f" (did you mean {close[0]!r}?)" if close else "")


@functools.cache
def _resource_keys(path: tuple[str, ...]) -> frozenset[str]:
    """The fields of Twilio's service resource (the generated `Service` and its nested
    models) at `path`, writable or not."""
    model: Any = Service
    for key in (*path, None):
        hints = typing.get_type_hints(model, localns=vars(twilio_chat_api.models))
        names = {field.name for field in attrs.fields(model)} - {"additional_properties"}
        if key is None:
            return frozenset(names)
        if key not in names:
            return frozenset()
        options = [arg for arg in typing.get_args(hints[key]) if arg not in (Unset, type(None))]
        nested = [arg for arg in options or [hints[key]] if attrs.has(arg)]
        if not nested:
            return frozenset()
        model = nested[0]
    return frozenset()  # pragma: no cover - the loop returns
