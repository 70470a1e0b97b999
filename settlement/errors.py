"""Exceptions of the settlement core.

SettlementError
├── PolicyLoadError        a policy, deadline or calendar text is invalid (source name and line given)
├── ParameterNotInForce    no value of a parameter is in force on the date asked for
├── RuleNotFound           a deadline or rule the caller asked for is not defined by the region pack
├── CalendarError          holiday data contradicts itself (a day both off and an adjusted working day)
└── InvalidRequest         an estimate request breaks the input contract (every field problem listed)
"""

from __future__ import annotations

from dataclasses import dataclass


class SettlementError(Exception):
    """Base of every error raised by settlement/."""


class PolicyLoadError(SettlementError):
    """A content text could not be parsed; names the source (file) and the line."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class ParameterNotInForce(SettlementError):
    """No value of a parameter is in force on the date asked for; old values are never carried forward."""

    def __init__(self, parameter: str, on: object) -> None:
        self.parameter = parameter
        self.on = on
        super().__init__(f"no value of {parameter} is in force on {on}")


class RuleNotFound(SettlementError):
    """The region pack does not define the rule asked for."""


class CalendarError(SettlementError):
    """Holiday and working-day data are inconsistent."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid request field and a machine code saying why (e.g. "negative", "unknown")."""

    field: str
    code: str


class InvalidRequest(SettlementError):
    """The request breaks the input contract; `problems` lists each field and why."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.code}" for p in problems))
