"""The settlement API: out-of-pocket estimates and deadlines for other systems of the bureau.

Field names are the public contract of issue 4. Money comes in as JSON strings or numbers and is read as an
exact Decimal (JSON numbers are parsed as Decimal, never through float); it goes out as decimal strings.
Invalid input gets a 422 in FastAPI's shape, `detail: [{loc: ["body", field], type: code, msg: why}]`,
naming every field the settlement core refused.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Coroutine, Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from api.deps import EngineDep
from bot.engine import Engine
from bot.rendering import SOURCE_LOCALE
from flows.deadline import deadline_view
from flows.estimate import line_view
from settlement import (
    DEADLINE_NAMES,
    Deadline,
    EstimateRequest,
    FieldProblem,
    InvalidRequest,
    RegionPolicy,
    RuleNotFound,
    WorkCalendar,
    deadline,
    estimate,
)


class DecimalJsonRequest(Request):
    """A request whose JSON numbers are parsed as Decimal, so 0.1 stays exactly 0.1."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=Decimal)
        return self._json


class ExactDecimalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(DecimalJsonRequest(request.scope, request.receive))

        return exact


router = APIRouter(prefix="/api/v1/settlement", tags=["settlement"], route_class=ExactDecimalRoute)

Money = Annotated[
    Decimal,
    Field(
        description='yuan, as a decimal string ("23000.50") or a JSON number; read exactly',
        examples=["23000.00"],
    ),
]

# Why a field was refused: the settlement core's codes, explained for integrators.
PROBLEMS: Mapping[str, str] = {
    "unknown": "is not a known value",
    "unknown_region": "is not a region this service has a policy pack for",
    "not_this_region": "does not match the policy pack",
    "negative": "must not be negative",
    "not_a_number": "must be a decimal number",
    "not_a_date": "must be a date (YYYY-MM-DD)",
    "not_a_boolean": "must be true or false",
    "before_admission": "is before admitted_on",
    "no_parameters_in_force": "no policy parameters are in force on this date",
    "less_than_excluded_costs": "is less than out_of_scope + over_limit + class_b_self_pay",
    "invalid": "must map years to non-negative amounts",
    "missing": "is required for the deadline asked for",
    "before_start": "is before the treatment date",
    "no_rule_in_force": "the region has no rule of this kind in force on as_of",
}


class EstimateIn(BaseModel):
    """One claim. Cost parts left out are assumed 0 and the trace says so."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "region": "jilin",
                    "scheme": "employee",
                    "service": "inpatient",
                    "hospital_level": 3,
                    "category": "long_term",
                    "direct_settlement": True,
                    "admitted_on": "2026-09-28",
                    "discharged_on": "2026-10-08",
                    "total": "23000.00",
                    "out_of_scope": "1200.00",
                    "fund_paid_by_year": {"2026": "0"},
                }
            ]
        },
    )

    region: str = Field(description="insured region pack: jilin, dezhou", examples=["jilin"])
    scheme: Literal["employee", "resident"]
    service: Literal["inpatient", "outpatient", "chronic", "emergency_observation"]
    hospital_level: int = Field(ge=1, le=3, description="hospital level 1–3")
    category: Literal["long_term", "referral", "temporary", "emergency", "unfiled"] = Field(
        description="remote-treatment category; unfiled = treated elsewhere without the required procedure"
    )
    direct_settlement: bool = Field(default=True, description="settled directly at the hospital")
    own_fault: bool = Field(default=False, description="not settled directly through the person's own fault")
    admitted_on: dt.date | None = Field(default=None, description="defaults to discharged_on")
    discharged_on: dt.date = Field(description="parameters in force on this date apply")
    total: Money
    out_of_scope: Money | None = Field(default=None, description="全自费; assumed 0 when left out")
    over_limit: Money | None = Field(default=None, description="超限价; assumed 0 when left out")
    class_b_self_pay: Money | None = Field(default=None, description="乙类先行自付; assumed 0 when left out")
    fund_paid_by_year: dict[int, Money] = Field(
        default_factory=dict, description="year → fund payments for the same service so far this year"
    )


class LineOut(BaseModel):
    code: str = Field(description="machine code of the step, e.g. deductible, ratio, annual_limit_cap")
    amount: str = Field(description="yuan, decimal string")
    rule: str = Field(description="the step explained in Chinese")
    citation: str | None = Field(description="the first document article the step rests on")
    citations: list[str]
    params: dict[str, str | int | bool | None] = Field(description="the values the step used")


class EstimateOut(BaseModel):
    fund_pays: str = Field(examples=["20180.00"])
    person_pays: str = Field(examples=["2820.00"])
    fund_by_year: dict[str, str]
    lines: list[LineOut] = Field(description="the trace, in order")
    verified: bool = Field(description="false when any value used is an unverified demo value")
    warnings: list[str] = Field(description="codes: assumed_zero:<field>, unverified_parameters, …")


DeadlineKind = Literal["manual_reimbursement", "processing", "insurance_transfer", "pledge_materials"]


class DeadlinesIn(BaseModel):
    """Dates to count from; `kind` picks one deadline, otherwise every deadline the given dates allow."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"region": "jilin", "discharged_on": "2026-10-08", "materials_complete_on": "2026-11-03"}
            ]
        },
    )

    region: str = Field(examples=["jilin"])
    kind: DeadlineKind | None = None
    discharged_on: dt.date | None = Field(default=None, description="discharge date (manual reimbursement)")
    treated_on: dt.date | None = Field(default=None, description="visit date, instead of discharged_on")
    materials_complete_on: dt.date | None = Field(default=None, description="day the materials were complete")
    applied_on: dt.date | None = Field(default=None, description="transfer application date")
    filed_on: dt.date | None = Field(default=None, description="pledge filing date")
    as_of: dt.date | None = Field(default=None, description="date of asking; defaults to today")


class SupersededOut(BaseModel):
    citation: str | None
    effective_to: dt.date | None
    due_on: dt.date | None


class DeadlineOut(BaseModel):
    kind: DeadlineKind
    status: Literal["due", "not_specified", "not_applicable"]
    start: dt.date
    due_on: dt.date | None
    overdue: bool | None
    counting: str = Field(description="end_of_following_year, working_days, calendar_months, …")
    days: int | None = None
    months: int | None = None
    estimated: bool = Field(description="working days counted Monday–Friday in a year not yet published")
    unknown_years: list[int]
    citation: str | None
    superseded: list[SupersededOut] = Field(description="older rules and the date they would have given")
    text: str = Field(description="the deadline explained in Chinese, with the superseded rule noted")


class DeadlinesOut(BaseModel):
    region: str
    as_of: dt.date
    deadlines: list[DeadlineOut]


def problems_response(problems: list[FieldProblem] | tuple[FieldProblem, ...]) -> JSONResponse:
    detail = [
        {"loc": ["body", p.field], "type": p.code, "msg": f"{p.field} {PROBLEMS.get(p.code, p.code)}"}
        for p in problems
    ]
    return JSONResponse({"detail": detail}, status_code=422)


_UNPROCESSABLE: dict[int | str, dict[str, Any]] = {
    422: {"description": "each refused field in `detail`: loc, type (a code) and msg (why)"}
}


def _policy(engine: Engine, region: str) -> RegionPolicy | None:
    policies: Mapping[str, RegionPolicy] = engine.content.extras["policies"]
    return policies.get(region)


def _param(value: Any) -> str | int | bool | None:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _render(engine: Engine, template: str, region: str, context: Mapping[str, Any]) -> str:
    title = engine.content.regions[region].title if region in engine.content.regions else region
    return engine.renderer.render(template, SOURCE_LOCALE, {"region_name": title, **context})


@router.post("/estimate", response_model=EstimateOut, responses=_UNPROCESSABLE)
async def post_estimate(body: EstimateIn, engine: EngineDep) -> Any:
    """What the fund and the person pay for one remote-treatment claim, with the cited trace."""
    # async on purpose: about 2 ms of pure computation, cheaper on the event loop than a thread hop
    policy = _policy(engine, body.region)
    if policy is None:
        return problems_response([FieldProblem("region", "unknown_region")])
    request = EstimateRequest(**body.model_dump())
    try:
        result = estimate(request, policy)
    except InvalidRequest as exc:
        return problems_response(exc.problems)
    return EstimateOut(
        fund_pays=str(result.fund_pays),
        person_pays=str(result.person_pays),
        fund_by_year={str(year): str(amount) for year, amount in result.fund_by_year.items()},
        lines=[
            LineOut(
                code=line.code,
                amount=str(line.amount),
                rule=_render(engine, "estimate/line", body.region, {"line": line_view(line)}),
                citation=line.citation,
                citations=list(line.citations),
                params={name: _param(value) for name, value in line.params.items()},
            )
            for line in result.lines
        ],
        verified=result.verified,
        warnings=list(result.warnings),
    )


def _starts(body: DeadlinesIn) -> tuple[dict[str, dt.date], list[FieldProblem]]:
    """The start date of each deadline asked for (or of each the given dates allow)."""
    treated = body.discharged_on or body.treated_on
    given = {
        "manual_reimbursement": ("discharged_on", treated),
        "processing": ("materials_complete_on", body.materials_complete_on),
        "insurance_transfer": ("applied_on", body.applied_on),
        "pledge_materials": ("filed_on", body.filed_on),
    }
    problems: list[FieldProblem] = []
    if treated and body.materials_complete_on and body.materials_complete_on < treated:
        problems.append(FieldProblem("materials_complete_on", "before_start"))
    if body.kind is not None:
        field, start = given[body.kind]
        if start is None:
            problems.append(FieldProblem(field, "missing"))
        return ({body.kind: start} if start else {}), problems
    starts = {name: start for name, (_field, start) in given.items() if start is not None}
    if not starts:
        problems.append(FieldProblem("discharged_on", "missing"))
    return starts, problems


def _deadline_out(engine: Engine, region: str, found: Deadline) -> DeadlineOut:
    return DeadlineOut(
        kind=found.name,  # type: ignore[arg-type]
        status=found.status,  # type: ignore[arg-type]
        start=found.start,
        due_on=found.due_on,
        overdue=found.overdue,
        counting=found.kind,
        days=found.params.get("days"),
        months=found.params.get("months"),
        estimated=found.estimated,
        unknown_years=list(found.unknown_years),
        citation=found.citation,
        superseded=[
            SupersededOut(citation=s.citation, effective_to=s.effective_to, due_on=s.due_on)
            for s in found.superseded
        ],
        text=_render(engine, "deadline/item", region, {"d": deadline_view(found)}),
    )


@router.post("/deadlines", response_model=DeadlinesOut, responses=_UNPROCESSABLE)
async def post_deadlines(body: DeadlinesIn, engine: EngineDep) -> Any:
    """Due dates of manual reimbursement, processing, insurance transfer and pledge materials, with citations;
    working days follow the official holiday schedule and are flagged `estimated` for unpublished years."""
    policy = _policy(engine, body.region)
    starts, problems = _starts(body)
    if policy is None:
        problems.insert(0, FieldProblem("region", "unknown_region"))
    if problems or policy is None:
        return problems_response(problems)
    as_of = body.as_of or engine.clock.now().date()
    calendar: WorkCalendar = engine.content.extras["calendar"]
    found: list[DeadlineOut] = []
    for name in DEADLINE_NAMES:
        if name not in starts:
            continue
        try:
            computed = deadline(policy.deadlines, name, start=starts[name], as_of=as_of, calendar=calendar)
        except RuleNotFound:
            return problems_response([FieldProblem("as_of", "no_rule_in_force")])
        found.append(_deadline_out(engine, body.region, computed))
    return DeadlinesOut(region=body.region, as_of=as_of, deadlines=found)
