"""The shared settlement core: estimates, deadlines and working days as pure functions over dated, cited data.

No clock, environment, database, files, network or logging here: content texts, requests and "today" come in
as arguments.
"""

from settlement.calendar import CalendarYear, WorkCalendar, WorkingDays, parse_calendar_year
from settlement.deadlines import (
    DEADLINE_NAMES,
    Deadline,
    RegionDeadlines,
    SupersededRule,
    deadline,
    insurance_transfer_deadline,
    manual_reimbursement_deadline,
    parse_deadlines,
    pledge_materials_deadline,
    processing_deadline,
)
from settlement.errors import (
    CalendarError,
    FieldProblem,
    InvalidRequest,
    ParameterNotInForce,
    PolicyLoadError,
    RuleNotFound,
    SettlementError,
)
from settlement.estimate import estimate
from settlement.model import Estimate, EstimateRequest, Line
from settlement.parameters import ParameterSet, parse_parameters
from settlement.policy import POLICY_FILES, RegionPolicy, parse_region_policy
from settlement.ratio import RatioAnswer, remote_ratio
from settlement.rules import RemoteRules, parse_rules

__all__ = [
    "RatioAnswer",
    "remote_ratio",
    "DEADLINE_NAMES",
    "POLICY_FILES",
    "CalendarError",
    "CalendarYear",
    "Deadline",
    "Estimate",
    "EstimateRequest",
    "FieldProblem",
    "InvalidRequest",
    "Line",
    "ParameterNotInForce",
    "ParameterSet",
    "PolicyLoadError",
    "RegionDeadlines",
    "RegionPolicy",
    "RemoteRules",
    "RuleNotFound",
    "SettlementError",
    "SupersededRule",
    "WorkCalendar",
    "WorkingDays",
    "deadline",
    "estimate",
    "insurance_transfer_deadline",
    "manual_reimbursement_deadline",
    "parse_calendar_year",
    "parse_deadlines",
    "parse_parameters",
    "parse_region_policy",
    "parse_rules",
    "pledge_materials_deadline",
    "processing_deadline",
]
