"""The staff console: login and logout, the queue of people waiting for a person, and one conversation's
redacted history with take over, reply, hand back and close. For the roles agent, supervisor and admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import EngineDep, SessionDep, SettingsDep
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
from bot.redaction import redact
from bot.store import staff as console
from bot.store.conversations import conversation_messages
from bot.store.models import utcnow

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)


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


def _act(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    conversation_id: int,
    csrf_token: str,
    action: str,
    text: str = "",
) -> Response:
    who = authorise(request, settings, session, STAFF_ROLES)
    if not isinstance(who, StaffPrincipal):
        return who
    if not csrf_ok(who.csrf, csrf_token):
        return page(request, settings, "staff/csrf.html.j2", {"who": who}, status_code=403)
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


@router.post("/conversations/{conversation_id}/claim")
def claim(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    conversation_id: int,
    csrf_token: CsrfField = "",
) -> Response:
    return _act(request, settings, session, conversation_id, csrf_token, "claim")


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


@router.post("/conversations/{conversation_id}/release")
def release(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    conversation_id: int,
    csrf_token: CsrfField = "",
) -> Response:
    return _act(request, settings, session, conversation_id, csrf_token, "release")


@router.post("/conversations/{conversation_id}/close")
def close(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    conversation_id: int,
    csrf_token: CsrfField = "",
) -> Response:
    return _act(request, settings, session, conversation_id, csrf_token, "close")
