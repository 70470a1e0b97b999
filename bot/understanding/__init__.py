"""Understanding: text + conversation state → dialogue act + slots, before any flow or answer. Pure.

Public API:
    Understander(index, guards, places, tables).read(text, State(flow, step, options), *, region, on)
        -> Understood(act, target, slots, region, choice, menu, related, ranking, chitchat, search_text)
    act: ask | do | give | confirm | deny | human | chitchat | none
    target: "faq:<id>" | "flow:<name>" | "cmd:<name>" | None
    load_tables(content_root) -> Tables   (content/understanding.yaml)
    extract_slots(text, *, region, today, places) -> slots;  scrub_identity(text) -> text
"""

from bot.understanding.acts import State, Understood
from bot.understanding.reader import Understander
from bot.understanding.tables import Tables, load_tables

__all__ = ["State", "Tables", "Understander", "Understood", "load_tables"]
