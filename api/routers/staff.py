"""The staff console: login and logout, the queue of people waiting for a person, and one conversation's
redacted history with take over, reply, hand back and close. For the roles agent, supervisor and admin.

The filing desk: a bound person's file (masked identity, filings, their events), completing a pledge's
materials handed in at the counter (吉医保规〔2023〕4号 第六条), and, for supervisors only, an audited read of
the full ID number or phone, shown once on the response page and never logged.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import EngineDep, SessionDep, SettingsDep
from api.pages import CHINA
from api.staff_auth import (
    HOME,
    STAFF_ROLES,
    StaffPrincipal,
    authorise,
    csrf_ok,
    current_staff,
    end_session,
    login_csrf,
    login_csrf_ok,
    page,
    safe_next,
    set_login_cookie,
    start_session,
    stylesheet,
    verify_login,
)
from bot.engine import Engine
from bot.filing_desk import complete_pledge_materials, reveal_for_staff
from bot.redaction import redact
from bot.store import staff as console
from bot.store.conversations import conversation_messages
from bot.store.models import utcnow
from flows import filing_rules as rules
from flows.errors import RuleViolation

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)
# Who may read a clear ID number or phone (audited); every console role sees masked data.
REVEAL_ROLES = frozenset({"supervisor"})
REVEAL_FIELDS = ("id_number", "phone")
MAX_REASON_LENGTH = 200  # the audit table's column


@router.get("/console.css")
def console_css(settings: SettingsDep) -> Response:
    return Response(
        stylesheet(settings),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=600", "X-Content-Type-Options": "nosniff"},
    )


# ---- login -----------------------------------------------------------------------------------------------
def _login_page(
    request: Request, settings: SettingsDep, next_: str, error: str | None, status: int
) -> Response:
    token, cookie = login_csrf(request, settings)
    response = page(
        request,
        settings,
        "staff/login.html.j2",
        {"csrf": token, "next": next_, "error": error, "username": ""},
        status_code=status,
    )
    set_login_cookie(response, settings, cookie)
    return response


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, session: SessionDep, next: str = "") -> Response:  # noqa: A002
    who = current_staff(request, settings, session)
    if who is not None:
        return RedirectResponse(safe_next(next, HOME.get(who.role, "/staff")), status_code=303)
    return _login_page(request, settings, next, None, 200)


@router.post("/login")
def login(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",  # noqa: A002
) -> Response:
    if not login_csrf_ok(request, settings, csrf_token):
        return _login_page(request, settings, next, "expired", 400)
    user = verify_login(session, username, password)
    if user is None:
        return _login_page(request, settings, next, "credentials", 401)
    response = RedirectResponse(safe_next(next, HOME.get(user.role, "/staff")), status_code=303)
    start_session(response, settings, user)
    return response


@router.post("/logout")
def logout(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    who = current_staff(request, settings, session)
    if who is not None and not csrf_ok(who.csrf, csrf_token):
        return page(request, settings, "staff/csrf.html.j2", {"who": who}, status_code=403)
    response = RedirectResponse("/staff/login", status_code=303)
    end_session(response)
    return response


# ---- console ---------------------------------------------------------------------------------------------
@router.get("")
def queue(request: Request, settings: SettingsDep, session: SessionDep, engine: EngineDep) -> Response:
    who = authorise(request, settings, session, STAFF_ROLES)
    if not isinstance(who, StaffPrincipal):
        return who
    return page(
        request,
        settings,
        "staff/queue.html.j2",
        {
            "who": who,
            "waiting": console.waiting_queue(session),
            "mine": console.owned_conversations(session, who.username),
            "now": utcnow(),
            "region_titles": _region_titles(engine),
        },
    )


def _region_titles(engine: EngineDep) -> dict[str, str]:
    return {name: pack.title for name, pack in engine.content.regions.items()}


def _conversation_page(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    who: StaffPrincipal,
    conversation_id: int,
    *,
    error: str | None = None,
    status: int = 200,
    draft: str = "",
) -> Response:
    try:
        item = console.conversation_item(session, conversation_id)
    except console.ConversationNotFound:
        return page(request, settings, "staff/not_found.html.j2", {"who": who}, status_code=404)
    messages = conversation_messages(session, conversation_id)
    return page(
        request,
        settings,
        "staff/conversation.html.j2",
        {
            "who": who,
            "item": item,
            "messages": messages,
            "now": utcnow(),
            "error": error,
            "draft": redact(draft),
            "max_reply": console.MAX_REPLY_LENGTH,
            "region_titles": _region_titles(request.app.state.engine),
        },
        status_code=status,
    )


@router.get("/conversations/{conversation_id}")
def conversation(
    request: Request, settings: SettingsDep, session: SessionDep, conversation_id: int
) -> Response:
    who = authorise(request, settings, session, STAFF_ROLES)
    if not isinstance(who, StaffPrincipal):
        return who
    return _conversation_page(request, settings, session, who, conversation_id)


def _form_poster(
    request: Request, settings: SettingsDep, session: SessionDep, roles: frozenset[str], csrf_token: str
) -> StaffPrincipal | Response:
    """The staff member posting a form, or the response refusing the post (not logged in, role, CSRF)."""
    who = authorise(request, settings, session, roles)
    if isinstance(who, StaffPrincipal) and not csrf_ok(who.csrf, csrf_token):
        return page(request, settings, "staff/csrf.html.j2", {"who": who}, status_code=403)
    return who


def _act(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    conversation_id: int,
    csrf_token: str,
    action: str,
    text: str = "",
) -> Response:
    who = _form_poster(request, settings, session, STAFF_ROLES, csrf_token)
    if not isinstance(who, StaffPrincipal):
        return who
    try:
        if action == "claim":
            console.claim(session, conversation_id, who.username)
        elif action == "reply":
            console.staff_reply(session, conversation_id, who.username, text)
        elif action == "release":
            console.release(session, conversation_id, who.username)
        else:
            console.close(session, conversation_id, who.username)
    except console.ConversationNotFound:
        session.rollback()
        return page(request, settings, "staff/not_found.html.j2", {"who": who}, status_code=404)
    except console.NotAllowed:
        session.rollback()
        return _conversation_page(
            request, settings, session, who, conversation_id, error=action, status=409, draft=text
        )
    session.commit()
    target = "/staff" if action in ("release", "close") else f"/staff/conversations/{conversation_id}"
    return RedirectResponse(target, status_code=303)


CsrfField = Annotated[str, Form(max_length=100)]


def _action_route(action: str) -> None:
    """POST /staff/conversations/{id}/<action> for an action that takes nothing but the CSRF token."""

    def handler(
        request: Request,
        settings: SettingsDep,
        session: SessionDep,
        conversation_id: int,
        csrf_token: CsrfField = "",
    ) -> Response:
        return _act(request, settings, session, conversation_id, csrf_token, action)

    handler.__name__ = handler.__qualname__ = action
    router.post(f"/conversations/{{conversation_id}}/{action}")(handler)


_action_route("claim")


@router.post("/conversations/{conversation_id}/reply")
def reply(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    conversation_id: int,
    csrf_token: CsrfField = "",
    text: Annotated[str, Form(max_length=console.MAX_REPLY_LENGTH)] = "",
) -> Response:
    return _act(request, settings, session, conversation_id, csrf_token, "reply", text)


_action_route("release")
_action_route("close")


# ---- filing desk -----------------------------------------------------------------------------------------
def _filing_view(filing: Any, events: list[Any], engine: Engine, today: date) -> dict[str, Any]:
    policy = engine.services.filing_policies.on(filing.region, today)
    kind = policy.kinds.get(filing.kind)
    state = rules.state(filing, policy, today)
    open_pledge = rules.is_open_pledge(filing, policy) and state in ("active", "pending")
    return {
        "id": filing.id,
        "kind": filing.kind,
        "kind_label": kind.label if kind else filing.kind,
        "pledge": filing.pledge,
        "destination_name": filing.destination_name,
        "valid_from": filing.valid_from,
        "valid_to": filing.valid_to,
        "state": state,
        "end_reason": filing.end_reason,
        "materials_due": filing.materials_due,
        "materials_completed_on": filing.materials_completed_on,
        "days_left": rules.days_left(filing.materials_due, today) if open_pledge else None,
        "open_pledge": open_pledge,
        "proofs": list(kind.proofs) if kind else [],
        "lock_citation": policy.rules.get("pledge_locked", ""),
        "events": events,
    }


def _person_page(
    request: Request,
    session: SessionDep,
    who: StaffPrincipal,
    person_id: int,
    *,
    error: str | None = None,
    revealed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    settings = request.app.state.settings
    engine: Engine = request.app.state.engine
    try:
        found = console.person_file(session, person_id)
    except console.PersonNotFound:
        return page(request, settings, "staff/person_not_found.html.j2", {"who": who}, status_code=404)
    today = engine.clock.now().date()
    return page(
        request,
        settings,
        "staff/person.html.j2",
        {
            "who": who,
            "person": found.person,
            "identity": console.masked_identity(engine.cipher, found.person),
            "filings": [_filing_view(f, events, engine, today) for f, events in found.filings],
            "conversation_ids": found.conversation_ids,
            "may_reveal": who.role in REVEAL_ROLES,
            "revealed": revealed,
            "error": error,
            "max_reason": MAX_REASON_LENGTH,
            "region_titles": _region_titles(engine),
        },
        status_code=status,
    )


def _person_not_found(
    request: Request, settings: SettingsDep, session: SessionDep, who: StaffPrincipal
) -> Response:
    """The 404 page after a failed write: nothing of the attempt is kept."""
    session.rollback()
    return page(request, settings, "staff/person_not_found.html.j2", {"who": who}, status_code=404)


@router.get("/people/{person_id}")
def person(request: Request, settings: SettingsDep, session: SessionDep, person_id: int) -> Response:
    who = authorise(request, settings, session, STAFF_ROLES)
    if not isinstance(who, StaffPrincipal):
        return who
    return _person_page(request, session, who, person_id)


@router.post("/people/{person_id}/filings/{filing_id}/complete")
def complete_materials(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    engine: EngineDep,
    person_id: int,
    filing_id: int,
    csrf_token: CsrfField = "",
    proof: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """The pledge's materials were handed in at the counter: the filing becomes an ordinary one."""
    who = _form_poster(request, settings, session, STAFF_ROLES, csrf_token)
    if not isinstance(who, StaffPrincipal):
        return who
    now = engine.clock.now()
    try:
        console.filing_of(session, person_id, filing_id)
        complete_pledge_materials(
            session,
            engine.services.filing_policies,
            filing_id=filing_id,
            proof=proof,
            staff=who.username,
            today=now.date(),
            at=now if now.utcoffset() is not None else now.replace(tzinfo=CHINA),
        )
    except console.PersonNotFound:
        return _person_not_found(request, settings, session, who)
    except RuleViolation as violation:
        session.rollback()
        return _person_page(request, session, who, person_id, error=violation.rule, status=409)
    session.commit()
    return RedirectResponse(f"/staff/people/{person_id}", status_code=303)


@router.post("/people/{person_id}/reveal")
def reveal(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    engine: EngineDep,
    person_id: int,
    csrf_token: CsrfField = "",
    field: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=MAX_REASON_LENGTH)] = "",
) -> Response:
    """A supervisor reads the full ID number or phone: one audit row per read; the value is shown on this
    response only (no-store) and goes to no log."""
    who = _form_poster(request, settings, session, REVEAL_ROLES, csrf_token)
    if not isinstance(who, StaffPrincipal):
        return who
    if field not in REVEAL_FIELDS or not reason.strip():
        error = "reason" if field in REVEAL_FIELDS else "field"
        return _person_page(request, session, who, person_id, error=error, status=400)
    try:
        value = reveal_for_staff(
            session,
            engine.cipher,
            person_id=person_id,
            field=field,
            staff=who.username,
            reason=reason.strip(),
        )
    except KeyError:
        return _person_not_found(request, settings, session, who)
    session.commit()
    return _person_page(request, session, who, person_id, revealed={"field": field, "value": value})
