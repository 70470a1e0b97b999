"""YAML text to plain values that remember their line, and small checks shared by the content parsers.

The settlement core never reads files: callers pass the text and a source name (usually the path), and every
error names that source and the line (from PyYAML node marks). Numbers are read as Decimal, never float.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from settlement.errors import PolicyLoadError


class YamlMap(dict[Any, Any]):
    """A mapping read from YAML, with the line of the mapping and of each key (1-based)."""

    line: int
    key_lines: dict[Any, int]


class YamlList(list[Any]):
    """A sequence read from YAML, with its line (1-based)."""

    line: int


class _Loader(yaml.SafeLoader):
    """Safe loader building YamlMap/YamlList and Decimal numbers."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    result = YamlMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.MarkedYAMLError(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


def _construct_decimal(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise yaml.MarkedYAMLError(
            problem=f"not a finite number: {text}", problem_mark=node.start_mark
        ) from exc
    if not value.is_finite():
        raise yaml.MarkedYAMLError(problem=f"not a finite number: {text}", problem_mark=node.start_mark)
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def load_yaml(text: str, source: str) -> YamlMap:
    """Parse YAML text whose top level must be a mapping."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise PolicyLoadError(source, line, str(exc.problem or exc)) from exc
    except yaml.YAMLError as exc:
        raise PolicyLoadError(source, None, str(exc)) from exc
    if not isinstance(data, YamlMap):
        raise PolicyLoadError(source, 1, "the top level must be a mapping")
    return data


class Reader:
    """Checked access to YAML values for one source; every failure raises PolicyLoadError with a line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int | None, message: str) -> PolicyLoadError:
        return PolicyLoadError(self.source, line, message)

    def mapping(self, value: Any, line: int | None, what: str) -> YamlMap:
        if not isinstance(value, YamlMap):
            raise self.fail(getattr(value, "line", line), f"{what} must be a mapping")
        return value

    def sequence(self, value: Any, line: int | None, what: str) -> YamlList:
        if not isinstance(value, YamlList):
            raise self.fail(getattr(value, "line", line), f"{what} must be a list")
        return value

    def keys(
        self, node: YamlMap, *, required: Iterable[Any], optional: Iterable[Any] = (), what: str
    ) -> None:
        """Refuse unknown keys and require the required ones."""
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in node:
            if key not in allowed:
                raise self.fail(node.key_lines[key], f"unknown key {key!r} in {what}")
        for key in required:
            if key not in node:
                raise self.fail(node.line, f"{what} lacks the key {key!r}")

    def line_of(self, node: YamlMap, key: Any) -> int:
        return node.key_lines.get(key, node.line)

    def date(self, node: YamlMap, key: str, what: str, *, optional: bool = False) -> dt.date | None:
        value = node.get(key)
        if value is None and optional:
            return None
        if value is None:
            raise self.fail(self.line_of(node, key), f"{what} lacks a date for {key!r}")
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(
                self.line_of(node, key), f"{key} of {what} must be a date (YYYY-MM-DD), not {value!r}"
            )
        return value

    def decimal(self, node: YamlMap, key: str, what: str) -> Decimal:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(self.line_of(node, key), f"{key} of {what} must be a number, not {value!r}")
        return Decimal(value)

    def integer(self, node: YamlMap, key: str, what: str) -> int:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(self.line_of(node, key), f"{key} of {what} must be a whole number, not {value!r}")
        return value

    def text(self, node: YamlMap, key: str, what: str, *, optional: bool = False) -> str | None:
        value = node.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(self.line_of(node, key), f"{key} of {what} must be a non-empty text")
        return value

    def boolean(self, node: YamlMap, key: str, what: str) -> bool:
        value = node.get(key)
        if not isinstance(value, bool):
            raise self.fail(self.line_of(node, key), f"{key} of {what} must be true or false")
        return value

    def citation(self, node: YamlMap, key: str, what: str, documents: tuple[str, ...]) -> str:
        """A citation `<文号> <ref>` whose document is one of the region's documents."""
        value = self.text(node, key, what)
        assert value is not None
        check_citation(self, self.line_of(node, key), value, documents)
        return value


def check_citation(reader: Reader, line: int | None, value: str, documents: tuple[str, ...]) -> None:
    """Refuse a citation not of the form `<document> <ref>` with a document of this region pack."""
    doc, sep, ref = value.partition(" ")
    if not sep or not ref.strip() or " " in ref:
        raise reader.fail(
            line, f"citation {value!r} must be '<document number> <article>' with one ASCII space"
        )
    if documents and doc not in documents:
        raise reader.fail(line, f"citation {value!r} names a document outside this region pack: {doc}")
