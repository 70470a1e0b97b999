"""The slots of one message: what the text itself says, typed, for any flow to take (Rasa's entities).

extract_slots(text, *, region, today, places) → only the keys the text says:
    identity   name (str), id_number (str, valid) or id_number_invalid (its reason), phone (str)
    filing     action (new | cancel | change | retroactive), filing_kind (long_term | childbirth | referral |
               temporary, as the region names it), proof (Jilin's proofs), pledge (True; False: 按正常办),
               destination (flows.destinations.Destination at filing granularity)
    dates      start, admitted_on, discharged_on, materials_complete_on (datetime.date); stay_days (int);
               stays (list of {"month": "YYYY-MM", "days": int})
    money      amount, own_ratio (a fraction: 0.80), quota, quota_used (Decimal)
    care       scheme (employee | resident), service (inpatient | outpatient | chronic |
               emergency_observation), hospital_level (1 | 2 | 3), reasons (frozenset of no_referral,
               own_fault, emergency, system_fault)
scrub_identity(text) → the text without ID numbers, phone numbers and names, so they are never searched as a
question (a bare ID number matches no FAQ words; the "120" inside one is no emergency). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.understanding.slot_care import care_slots
from bot.understanding.slot_dates import date_slots
from bot.understanding.slot_filing import filing_slots
from bot.understanding.slot_identity import blank, read_identity
from bot.understanding.slot_money import money_slots
from flows.destinations import Places
from flows.typed_text import fold


def extract_slots(
    text: str,
    *,
    region: str,
    today: date,
    places: Places,
    id_provinces: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What `text` says, read for the insured `region` on `today` (see the module docstring for the keys).

    `id_provinces` (content/id_regions.yaml) also checks an ID number's province code; without it the
    length, date of birth and check digit are checked."""
    identity = read_identity(text, today, id_provinces)
    clean = fold(blank(text, identity.spans))
    slots: dict[str, Any] = dict(identity.slots)
    slots.update(filing_slots(clean, region=region, places=places))
    slots.update(date_slots(clean, today, retroactive=slots.get("action") == "retroactive"))
    slots.update(money_slots(clean))
    slots.update(care_slots(clean))
    return slots


def identity_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` holds an ID number, a phone number or a name (with the words announcing them)."""
    return list(read_identity(text, date.max).spans)


def scrub_identity(text: str) -> str:
    """`text` without its ID numbers, phone numbers and names (each replaced by one space)."""
    kept: list[str] = []
    position = 0
    for start, end in identity_spans(text):
        kept.append(text[position:start])
        kept.append(" ")
        position = end
    kept.append(text[position:])
    return "".join(kept)
