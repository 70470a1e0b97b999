"""The estimate request and result types (field names are the public API contract of issue 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Region = str
Scheme = Literal["employee", "resident"]
Service = Literal["inpatient", "outpatient", "chronic", "emergency_observation"]
Category = Literal["long_term", "referral", "temporary", "emergency", "unfiled"]
ParamValue = str | int | bool | Decimal | dt.date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EstimateRequest:
    """One claim to estimate. Only `total` is required of a person; the cost parts default to 0 (assumed)."""

    region: Region
    scheme: Scheme
    service: Service
    hospital_level: int
    category: Category
    direct_settlement: bool = True
    own_fault: bool = False
    admitted_on: dt.date | None = None  # defaults to discharged_on (a same-day visit)
    discharged_on: dt.date
    total: Decimal
    out_of_scope: Decimal | None = None  # 全自费
    over_limit: Decimal | None = None  # 超限价
    class_b_self_pay: Decimal | None = None  # 乙类先行自付
    fund_paid_by_year: Mapping[int, Decimal] = field(default_factory=dict)
    local_ratio: Decimal | None = None  # the person's own local ratio ("本地报80%"), instead of the table


@dataclass(frozen=True, slots=True)
class Line:
    """One step of the trace: a machine code, the amount, the values used, a rule text key and its citations.

    The bot renders lines from templates keyed by `rule`; no prose lives here.
    """

    code: str
    amount: Decimal
    params: Mapping[str, ParamValue]
    rule: str
    citations: tuple[str, ...] = ()

    @property
    def citation(self) -> str | None:
        """The first citation, or None when the step rests on no document (plain arithmetic, demo data)."""
        return self.citations[0] if self.citations else None


@dataclass(frozen=True, slots=True)
class Estimate:
    """What the fund and the person pay, the trace, whether every value used is verified, warning codes."""

    fund_pays: Decimal
    person_pays: Decimal
    lines: tuple[Line, ...]
    verified: bool
    warnings: tuple[str, ...]
    fund_by_year: Mapping[int, Decimal]
