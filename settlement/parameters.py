"""Dated settlement parameters (deductible, ratio, annual limit) and their parser.

Layout of `policy/parameters.yaml` (OpenFisca-style; every value dated and sourced):

    region: jilin
    schemes:
      resident:                      # employee | resident
        inpatient:                   # inpatient | outpatient_pooling | chronic (optional)
          deductible:                # per hospital level 1, 2, 3
            unit: yuan
            levels:
              1:
                - {effective_from: 2025-01-01, value: 200, source: demo, verified: false}
          ratio: {unit: share, levels: {...}}           # 0-1
          annual_limit: {unit: yuan, levels: {...}}     # 封顶线 per calendar year

A value is in force from `effective_from` to the inclusive `effective_to` (open when absent or null).
Periods of one parameter never overlap; a date outside every period has no value: lookups fail, nothing is
carried forward.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from settlement.errors import ParameterNotInForce
from settlement.yamltext import Reader, YamlMap, check_citation, load_yaml

SCHEMES = ("employee", "resident")
REQUIRED_SERVICES = ("inpatient", "outpatient_pooling")
OPTIONAL_SERVICES = ("chronic",)
LEVELS = (1, 2, 3)
DEMO_SOURCE = "demo"
_UNITS = {"deductible": "yuan", "ratio": "share", "annual_limit": "yuan"}


@dataclass(frozen=True, slots=True)
class DatedValue:
    """One value of a parameter with its period of force and its source."""

    value: Decimal
    effective_from: dt.date
    effective_to: dt.date | None
    source: str
    verified: bool
    line: int

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named parameter (e.g. `resident.inpatient.ratio.level_2`) and its dated values."""

    name: str
    unit: str
    values: tuple[DatedValue, ...]

    def at(self, on: dt.date) -> DatedValue:
        """The value in force on `on`; raises ParameterNotInForce when none is."""
        for value in self.values:
            if value.in_force(on):
                return value
        raise ParameterNotInForce(self.name, on)


@dataclass(frozen=True, slots=True)
class ServiceParameters:
    """The parameters of one scheme and service."""

    deductible: Mapping[int, Parameter]
    ratio: Mapping[int, Parameter]
    annual_limit: Mapping[int, Parameter]


@dataclass(frozen=True, slots=True)
class ParameterSet:
    """All dated parameters of one region pack."""

    region: str
    source: str
    services: Mapping[tuple[str, str], ServiceParameters]

    def get(self, scheme: str, service: str) -> ServiceParameters | None:
        return self.services.get((scheme, service))


def parse_parameters(text: str, source: str, documents: tuple[str, ...] = ()) -> ParameterSet:
    """Parse `parameters.yaml` text; `documents` are the region's document numbers allowed in `source`."""
    reader = Reader(source)
    root = load_yaml(text, source)
    reader.keys(root, required=("region", "schemes"), optional=("description",), what="the parameter file")
    region = reader.text(root, "region", "the parameter file")
    assert region is not None
    schemes = reader.mapping(root["schemes"], reader.line_of(root, "schemes"), "schemes")
    reader.keys(schemes, required=SCHEMES, what="schemes")
    services: dict[tuple[str, str], ServiceParameters] = {}
    for scheme in SCHEMES:
        scheme_node = reader.mapping(schemes[scheme], reader.line_of(schemes, scheme), f"scheme {scheme}")
        reader.keys(
            scheme_node, required=REQUIRED_SERVICES, optional=OPTIONAL_SERVICES, what=f"scheme {scheme}"
        )
        for service, node in scheme_node.items():
            what = f"{scheme}.{service}"
            service_node = reader.mapping(node, reader.line_of(scheme_node, service), what)
            services[(scheme, service)] = _parse_service(reader, service_node, what, documents)
    return ParameterSet(region=region, source=source, services=services)


def _parse_service(reader: Reader, node: YamlMap, what: str, documents: tuple[str, ...]) -> ServiceParameters:
    reader.keys(node, required=tuple(_UNITS), optional=("description",), what=what)
    by_level: dict[str, dict[int, Parameter]] = {}
    for name in _UNITS:
        param = reader.mapping(node[name], reader.line_of(node, name), f"{what}.{name}")
        _check_unit(reader, param, name, f"{what}.{name}")
        reader.keys(param, required=("unit", "levels"), optional=("description",), what=f"{what}.{name}")
        levels = reader.mapping(param["levels"], reader.line_of(param, "levels"), f"{what}.{name}.levels")
        reader.keys(levels, required=LEVELS, what=f"{what}.{name}.levels (hospital levels 1, 2, 3)")
        by_level[name] = {
            level: _parameter(
                reader,
                levels[level],
                levels.key_lines[level],
                f"{what}.{name}.level_{level}",
                name,
                documents,
            )
            for level in LEVELS
        }
    return ServiceParameters(
        deductible=by_level["deductible"], ratio=by_level["ratio"], annual_limit=by_level["annual_limit"]
    )


def _check_unit(reader: Reader, node: YamlMap, kind: str, what: str) -> None:
    if node.get("unit") != _UNITS[kind]:
        raise reader.fail(reader.line_of(node, "unit"), f"{what} must have unit {_UNITS[kind]}")


def _parameter(
    reader: Reader, node: Any, line: int, name: str, kind: str, documents: tuple[str, ...]
) -> Parameter:
    items = reader.sequence(node, line, f"the values of {name}")
    if not items:
        raise reader.fail(items.line, f"{name} has no values")
    values = sorted(
        (_dated_value(reader, item, items.line, name, kind, documents) for item in items),
        key=lambda v: v.effective_from,
    )
    for earlier, later in zip(values, values[1:], strict=False):
        if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
            raise reader.fail(
                later.line,
                f"{name}: the period from {later.effective_from} overlaps the one from "
                f"{earlier.effective_from} (line {earlier.line})",
            )
    return Parameter(name=name, unit=_UNITS[kind], values=tuple(values))


def _dated_value(
    reader: Reader, node: Any, line: int, name: str, kind: str, documents: tuple[str, ...]
) -> DatedValue:
    item = reader.mapping(node, line, f"a value of {name}")
    reader.keys(
        item,
        required=("effective_from", "value", "source", "verified"),
        optional=("effective_to", "note"),
        what=f"a value of {name}",
    )
    start = reader.date(item, "effective_from", f"a value of {name}")
    end = reader.date(item, "effective_to", f"a value of {name}", optional=True)
    assert start is not None
    if end is not None and end < start:
        raise reader.fail(
            reader.line_of(item, "effective_to"), f"{name}: effective_to is before effective_from"
        )
    value = reader.decimal(item, "value", f"a value of {name}")
    if kind == "ratio" and not Decimal(0) <= value <= Decimal(1):
        raise reader.fail(
            reader.line_of(item, "value"), f"{name}: a ratio must be between 0 and 1, not {value}"
        )
    if value < 0:
        raise reader.fail(reader.line_of(item, "value"), f"{name}: the amount must not be negative")
    source = reader.text(item, "source", f"a value of {name}")
    assert source is not None
    verified = reader.boolean(item, "verified", f"a value of {name}")
    if source == DEMO_SOURCE:
        if verified:
            raise reader.fail(reader.line_of(item, "verified"), f"{name}: a demo value cannot be verified")
    else:
        check_citation(reader, reader.line_of(item, "source"), source, documents)
    return DatedValue(
        value=value, effective_from=start, effective_to=end, source=source, verified=verified, line=item.line
    )
