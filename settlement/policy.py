"""A region's policy pack: parameters, remote-treatment rules and deadlines, parsed together from texts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from settlement.deadlines import RegionDeadlines, parse_deadlines
from settlement.errors import PolicyLoadError
from settlement.parameters import ParameterSet, parse_parameters
from settlement.rules import RemoteRules, parse_rules

POLICY_FILES = ("parameters.yaml", "rules.yaml", "deadlines.yaml")


@dataclass(frozen=True, slots=True)
class RegionPolicy:
    """Everything the settlement core needs about one insured region."""

    region: str
    parameters: ParameterSet
    rules: RemoteRules
    deadlines: RegionDeadlines

    @property
    def documents(self) -> tuple[str, ...]:
        return self.rules.documents


def parse_region_policy(region: str, texts: Mapping[str, str]) -> RegionPolicy:
    """Parse a pack from {source name: text}; names end in parameters.yaml, rules.yaml, deadlines.yaml.

    Every file must name the same region; the rules file lists the documents the other files may cite.
    """
    by_name: dict[str, tuple[str, str]] = {}
    for source, text in texts.items():
        name = PurePosixPath(source.replace("\\", "/")).name
        if name not in POLICY_FILES:
            raise PolicyLoadError(
                source, None, f"not a policy file (expected one of {', '.join(POLICY_FILES)})"
            )
        by_name[name] = (source, text)
    for name in POLICY_FILES:
        if name not in by_name:
            raise PolicyLoadError(f"{region}/policy/{name}", None, "the region pack lacks this file")
    rules = parse_rules(by_name["rules.yaml"][1], by_name["rules.yaml"][0])
    parameters = parse_parameters(
        by_name["parameters.yaml"][1], by_name["parameters.yaml"][0], rules.documents
    )
    deadlines = parse_deadlines(by_name["deadlines.yaml"][1], by_name["deadlines.yaml"][0], rules.documents)
    for source, declared in (
        (rules.source, rules.region),
        (parameters.source, parameters.region),
        (deadlines.source, deadlines.region),
    ):
        if declared != region:
            raise PolicyLoadError(source, 1, f"region is {declared!r} but the pack is {region!r}")
    return RegionPolicy(region=region, parameters=parameters, rules=rules, deadlines=deadlines)
