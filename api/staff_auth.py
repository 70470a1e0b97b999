"""Staff and admin page plumbing: login with argon2, the signed session cookie, CSRF tokens, role checks,
and rendering of the console's HTML templates (content/templates/staff/, content/templates/admin/).

The session cookie holds `{"u": username, "c": csrf token}` signed and timestamped with itsdangerous under the
app's secret key (HttpOnly, SameSite=Lax, Secure in production). The user is read from the database on each
request, so a deactivated account or a changed role takes effect at once. Every POST form carries the CSRF
token: the session's once logged in, a signed pre-login token on the login form.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session, select

from api.pages import page_environments, security_headers
from api.settings import Settings
from bot.rendering import LOCALES, SOURCE_LOCALE
from bot.store.models import StaffUser

SESSION_COOKIE = "yibao_staff"
LOGIN_CSRF_COOKIE = "yibao_staff_login"
SESSION_MAX_AGE = 12 * 3600  # one working day and a bit
LOGIN_FORM_MAX_AGE = 3600
STAFF_ROLES = frozenset({"agent", "supervisor", "admin"})
ADMIN_ROLES = frozenset({"policy", "admin"})
HOME = {"agent": "/staff", "supervisor": "/staff", "policy": "/admin", "admin": "/admin"}
# Staff pages: their own origin only, no scripts at all, no framing.
PAGE_HEADERS = security_headers(
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "no-store",
    deny_framing=True,
)

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class StaffPrincipal:
    """The logged-in staff member of a request."""

    username: str
    display_name: str
    role: str
    csrf: str

    @property
    def may_use_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def may_use_admin(self) -> bool:
        return self.role in ADMIN_ROLES


def _serializer(settings: Settings, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=salt)


def verify_login(session: Session, username: str, password: str) -> StaffUser | None:
    """The active user whose password matches; None for any failure (no hint which part was wrong)."""
    user = session.exec(select(StaffUser).where(StaffUser.username == username.strip())).first()
    stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user is not None and user.active else None


def _set_cookie(
    response: Response, settings: Settings, name: str, value: str, max_age: int, path: str
) -> None:
    """A console cookie: not readable by scripts, same-site, secure in production."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.env == "production",
        path=path,
    )


def start_session(response: Response, settings: Settings, user: StaffUser) -> None:
    token = _serializer(settings, "staff-session").dumps({"u": user.username, "c": secrets.token_urlsafe(24)})
    _set_cookie(response, settings, SESSION_COOKIE, token, SESSION_MAX_AGE, "/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def current_staff(request: Request, settings: Settings, session: Session) -> StaffPrincipal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        data = _serializer(settings, "staff-session").loads(token, max_age=SESSION_MAX_AGE)
    except BadSignature:  # also covers SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("c"), str):
        return None
    user = session.exec(select(StaffUser).where(StaffUser.username == data["u"])).first()
    if user is None or not user.active:
        return None
    return StaffPrincipal(user.username, user.display_name or user.username, user.role, data["c"])


def authorise(
    request: Request, settings: Settings, session: Session, roles: frozenset[str]
) -> StaffPrincipal | Response:
    """The principal, or the response to send instead: the login page, or 403 for the wrong role."""
    who = current_staff(request, settings, session)
    if who is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/staff/login?next={quote(target, safe='')}", status_code=303)
    if who.role not in roles:
        return page(request, settings, "staff/forbidden.html.j2", {"who": who}, status_code=403)
    return who


def csrf_ok(expected: str, submitted: str | None) -> bool:
    return bool(expected) and bool(submitted) and hmac.compare_digest(expected, submitted or "")


def login_csrf(request: Request, settings: Settings) -> tuple[str, str]:
    """The login form's token and the signed cookie that goes with it (reused while still valid)."""
    serializer = _serializer(settings, "staff-login")
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    try:
        token = serializer.loads(cookie, max_age=LOGIN_FORM_MAX_AGE) if cookie else None
    except BadSignature:
        token = None
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        cookie = serializer.dumps(token)
    return token, cookie


def login_csrf_ok(request: Request, settings: Settings, submitted: str | None) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    try:
        token = _serializer(settings, "staff-login").loads(cookie, max_age=LOGIN_FORM_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(token, str) and csrf_ok(token, submitted)


def set_login_cookie(response: Response, settings: Settings, cookie: str) -> None:
    _set_cookie(response, settings, LOGIN_CSRF_COOKIE, cookie, LOGIN_FORM_MAX_AGE, "/staff")


def safe_next(target: str | None, default: str) -> str:
    """Only paths of the console itself: no open redirect."""
    if target and (target.startswith("/staff") or target.startswith("/admin")) and "//" not in target:
        return target
    return default


# ---- rendering -------------------------------------------------------------------------------------------
def page_locale(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("yibao_staff_lang")
    return lang if lang in LOCALES else SOURCE_LOCALE


def page(
    request: Request,
    settings: Settings,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    locale = page_locale(request)
    env = page_environments(settings.content_dir)[locale]
    base = {"who": None, "message": None, "error": None}
    html = env.get_template(template).render(**{**base, **context})
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


def stylesheet(settings: Settings) -> str:
    return (settings.content_dir / "templates" / "staff" / "console.css").read_text(encoding="utf-8")
