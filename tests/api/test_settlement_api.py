"""The settlement API through the real app: estimates, deadlines, exact money, each 422, OpenAPI."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from tests.flows.transcript import module_engine

ESTIMATE = "/api/v1/settlement/estimate"
DEADLINES = "/api/v1/settlement/deadlines"


@pytest.fixture(scope="module")
def client(db, database_url):
    """One app for the module: the API is stateless, and building the engine is the slow part."""
    engine = module_engine(db, database_url)
    settings = Settings(env="test", database_url=database_url)
    with TestClient(create_app(settings, engine=engine)) as test_client:
        yield test_client


def _claim(**changes):
    body = {
        "region": "jilin",
        "scheme": "employee",
        "service": "inpatient",
        "hospital_level": 3,
        "category": "long_term",
        "admitted_on": "2026-09-28",
        "discharged_on": "2026-10-08",
        "total": "23000",
        "out_of_scope": "1200",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _post_raw(client, path, text):
    return client.post(path, content=text, headers={"content-type": "application/json"})


def test_estimate_figures_trace_and_warnings(client):
    response = client.post(ESTIMATE, json=_claim())
    assert response.status_code == 200
    body = response.json()
    # in-policy 23000 − 1200 = 21800; deductible L3 employee 700 → 21100; × 88% = 18568.00
    assert body["fund_pays"] == "18568.00"
    assert body["person_pays"] == "4432.00"
    assert body["fund_by_year"] == {"2026": "18568.00"}
    codes = [line["code"] for line in body["lines"]]
    assert codes[0] == "total" and codes[-2:] == ["fund_pays", "person_pays"]
    ratio = next(line for line in body["lines"] if line["code"] == "ratio")
    assert ratio["amount"] == "18568.00"
    assert "88%" in ratio["rule"] and "¥21,100.00" in ratio["rule"]
    assert ratio["params"]["local_ratio"] == "0.88"
    assert all(line["rule"] for line in body["lines"])
    assert body["verified"] is False
    assert "unverified_parameters" in body["warnings"]
    assert "assumed_zero:over_limit" in body["warnings"]


def test_estimate_cites_the_reduction_rules(client):
    body = client.post(
        ESTIMATE, json=_claim(scheme="resident", direct_settlement=False, own_fault=True)
    ).json()
    ratio = next(line for line in body["lines"] if line["code"] == "ratio")
    # resident L3 65% − 10 (long-term resident) − 10 (own fault) = 45%: 21000 × 45% = 9450.00
    assert ratio["amount"] == "9450.00"
    assert ratio["citation"] == "吉医保发〔2019〕34号 第二项"
    assert "吉医保发〔2019〕34号 第四项" in ratio["citations"]
    assert "45%" in ratio["rule"]
    assert body["fund_pays"] == "9450.00" and body["person_pays"] == "13550.00"


def test_dezhou_temporary_first_self_pay_cites_dezhou_only(client):
    body = client.post(
        ESTIMATE,
        json=_claim(
            region="dezhou", scheme="resident", category="temporary", hospital_level=2, out_of_scope=None
        ),
    ).json()
    first = next(line for line in body["lines"] if line["code"] == "first_self_pay")
    # 23000 × 10% = 2300 first; (20700 − 500) × 75% = 15150.00
    assert first["amount"] == "2300.00"
    assert body["fund_pays"] == "15150.00"
    assert all(c.startswith("德医保发〔2021〕57号") for line in body["lines"] for c in line["citations"])


def test_json_numbers_are_read_exactly(client):
    text = (
        json.dumps(_claim(total=None, out_of_scope=None))[:-1] + ', "total": 1000.005, "out_of_scope": 0.1}'
    )
    body = _post_raw(client, ESTIMATE, text).json()
    total = next(line for line in body["lines"] if line["code"] == "total")
    assert total["amount"] == "1000.01"  # half-up from exactly 1000.005 (a float would give 1000.00)
    scope = next(line for line in body["lines"] if line["code"] == "out_of_scope")
    assert scope["amount"] == "0.10"


def test_annual_limit_from_fund_paid_by_year(client):
    body = client.post(ESTIMATE, json=_claim(fund_paid_by_year={"2026": "140000"})).json()
    cap = next(line for line in body["lines"] if line["code"] == "annual_limit_cap")
    assert cap["amount"] == "8568.00"  # 18568 − (150000 − 140000)
    assert body["fund_pays"] == "10000.00"
    assert "annual_limit_reached" in body["warnings"]


def _problems(response):
    assert response.status_code == 422
    assert "Traceback" not in response.text
    return {(d["loc"][-1], d["type"]) for d in response.json()["detail"]}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"total": "-1"}, {("total", "negative")}),
        ({"out_of_scope": "-0.01"}, {("out_of_scope", "negative")}),
        ({"fund_paid_by_year": {"2026": "-5"}}, {("fund_paid_by_year", "invalid")}),
        ({"admitted_on": "2026-10-09"}, {("discharged_on", "before_admission")}),
        (
            {"admitted_on": "2026-10-09", "total": "-3"},
            {("discharged_on", "before_admission"), ("total", "negative")},
        ),
        ({"region": "mars"}, {("region", "unknown_region")}),
        (
            {"discharged_on": "2024-12-31", "admitted_on": "2024-12-20"},
            {("discharged_on", "no_parameters_in_force")},
        ),
        ({"total": "1000", "out_of_scope": "1200"}, {("total", "less_than_excluded_costs")}),
    ],
)
def test_estimate_refusals_name_each_field(client, changes, expected):
    response = client.post(ESTIMATE, json=_claim(**changes))
    assert _problems(response) == expected
    assert all(d["msg"] for d in response.json()["detail"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scheme": "boss"}, "scheme"),
        ({"service": "dental"}, "service"),
        ({"category": "holiday"}, "category"),
        ({"hospital_level": 4}, "hospital_level"),
        ({"discharged_on": "2026-02-30"}, "discharged_on"),
        ({"total": "lots"}, "total"),
        ({"total": "NaN"}, "total"),
        ({"total": None}, "total"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_estimate_type_errors_name_the_field(client, changes, field):
    response = client.post(ESTIMATE, json=_claim(**changes))
    assert field in {loc for loc, _type in _problems(response)}


def test_deadlines_jilin_claim_and_processing(client):
    body = client.post(
        DEADLINES,
        json={"region": "jilin", "discharged_on": "2026-10-08", "materials_complete_on": "2026-11-03"},
    ).json()
    manual, processing = body["deadlines"]
    assert manual["kind"] == "manual_reimbursement"
    assert manual["due_on"] == "2027-12-31"
    assert manual["citation"] == "吉医保规〔2023〕4号 第十五条"
    assert manual["superseded"] == [
        {"citation": "吉医保发〔2019〕34号 第十六项", "effective_to": "2023-08-13", "due_on": "2027-03-31"}
    ]
    assert "2027年3月31日" in manual["text"]
    # 22 working days after Tue 3 Nov 2026: 4–6, 9–13, 16–20, 23–27, 30 Nov (19), 1–3 Dec (22)
    assert processing["due_on"] == "2026-12-03"
    assert processing["counting"] == "working_days" and processing["days"] == 22
    assert processing["estimated"] is False
    assert body["as_of"] == "2026-11-22"


def test_deadlines_in_an_unpublished_year_are_estimated(client):
    body = client.post(
        DEADLINES, json={"region": "jilin", "kind": "processing", "materials_complete_on": "2030-03-01"}
    ).json()
    (processing,) = body["deadlines"]
    assert processing["estimated"] is True
    assert processing["unknown_years"] == [2030]
    assert "周一至周五估算" in processing["text"]


def test_dezhou_gives_no_claim_deadline_and_never_borrows_jilins(client):
    body = client.post(DEADLINES, json={"region": "dezhou", "treated_on": "2026-10-08"}).json()
    (manual,) = body["deadlines"]
    assert manual["status"] == "not_specified"
    assert manual["due_on"] is None
    assert manual["citation"] == "德医保发〔2021〕57号 三（二）"
    assert "没有规定" in manual["text"] and "吉" not in manual["text"]


def test_transfer_and_pledge_deadlines(client):
    body = client.post(
        DEADLINES,
        json={"region": "jilin", "applied_on": "2026-11-02", "filed_on": "2026-08-31", "as_of": "2026-11-22"},
    ).json()
    transfer, pledge = body["deadlines"]
    assert transfer["kind"] == "insurance_transfer" and transfer["days"] == 15
    assert pledge["kind"] == "pledge_materials" and pledge["due_on"] == "2027-02-28"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"region": "jilin"}, {("discharged_on", "missing")}),
        (
            {"region": "jilin", "kind": "processing", "discharged_on": "2026-10-08"},
            {("materials_complete_on", "missing")},
        ),
        ({"region": "mars", "discharged_on": "2026-10-08"}, {("region", "unknown_region")}),
        (
            {"region": "jilin", "discharged_on": "2026-10-08", "materials_complete_on": "2026-10-01"},
            {("materials_complete_on", "before_start")},
        ),
        ({"region": "jilin", "kind": "someday", "discharged_on": "2026-10-08"}, {("kind", "literal_error")}),
    ],
)
def test_deadline_refusals_name_each_field(client, body, expected):
    assert _problems(client.post(DEADLINES, json=body)) == expected


def test_openapi_documents_both_endpoints_with_the_contract_fields(client):
    spec = client.get("/openapi.json").json()
    assert {ESTIMATE, DEADLINES} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    fields = set(schemas["EstimateIn"]["properties"])
    assert {
        "region",
        "scheme",
        "service",
        "hospital_level",
        "category",
        "direct_settlement",
        "own_fault",
        "admitted_on",
        "discharged_on",
        "total",
        "out_of_scope",
        "over_limit",
        "class_b_self_pay",
        "fund_paid_by_year",
    } <= fields
    assert {"fund_pays", "person_pays", "lines", "verified", "warnings"} <= set(
        schemas["EstimateOut"]["properties"]
    )
    assert "422" in spec["paths"][ESTIMATE]["post"]["responses"]
