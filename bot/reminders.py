"""The reminders job (`yibao jobs run`): lapse expired pledges, remind open pledges before their materials are
due (the region's reminder_days, e.g. 30, 7 and 1 days), and tell people of every status change of a filing
they did not make themselves — by WeChat subscribe message or a stored web-chat notice.

Safe on several machines at once: a reminder is a row with a unique key, claimed in its own committed
transaction before anything is sent, so only one run sends it; a failed send is retried by whichever run
first moves it from failed to retrying. Lapsing a pledge writes the filing's next version, which the unique
(filing_id, version) of filing_event lets only one run do. Nothing personal is logged: ids and keys only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.engine import Engine as DbEngine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.errors import BotError
from bot.rendering import Renderer
from bot.store import filings as store
from bot.store import people
from bot.store.filing_models import Filing, FilingEvent, Reminder
from bot.store.models import Conversation
from flows import filing_rules as rules

log = logging.getLogger(__name__)

CHINA = ZoneInfo("Asia/Shanghai")
EVENT_LOOKBACK = timedelta(days=14)  # status changes older than this are not announced any more
SYSTEM_ACTOR = "system:jobs"


class ReminderSender(Protocol):
    """Delivers one reminder to one bound chat identity; raises BotError when the platform refuses."""

    def send(self, conversation: Conversation, title: str, text: str) -> str:
        """Returns the channel used (wechat | web)."""
        ...


class SubscribeClient(Protocol):
    @property
    def message(self) -> Any: ...


@dataclass
class ChatSender:
    """WeChat identities get a subscribe message (wechatpy, API base from settings); web identities a notice
    stored for their next chat."""

    session_factory: Callable[[], Session]
    wechat_client: Callable[[str], SubscribeClient] | None = None
    template_id: str = ""

    def send(self, conversation: Conversation, title: str, text: str) -> str:
        if conversation.channel == "wechat":
            if self.wechat_client is None or not self.template_id:
                raise BotError("no WeChat client or subscribe template configured")
            from requests import RequestException
            from wechatpy.exceptions import WeChatClientException

            data = {"thing1": {"value": title[:20]}, "thing2": {"value": text[:20]}}
            try:
                self.wechat_client(conversation.account).message.send_subscribe_message(
                    conversation.user_key, self.template_id, data
                )
            except WeChatClientException as exc:
                raise BotError(f"subscribe message refused: {exc.errcode}") from exc
            except RequestException as exc:
                raise BotError("WeChat API unreachable") from exc
            return "wechat"
        assert conversation.id is not None
        with self.session_factory() as session:
            store.add_notice(session, conversation.id, f"{title}\n{text}")
            session.commit()
        return "web"


@dataclass
class JobReport:
    lapsed: list[int] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"pledges lapsed: {len(self.lapsed)}",
            f"reminders sent: {len(self.sent)}",
            f"reminders without a bound chat: {len(self.skipped)}",
            f"reminders failed: {len(self.failed)}",
        ]


def _aware(now: datetime) -> datetime:
    return now if now.utcoffset() is not None else now.replace(tzinfo=CHINA)


def lapse_pledges(db: DbEngine, policies: Any, today: date, now: datetime, report: JobReport) -> None:
    """Mark open pledges whose period ended without the materials as lapsed (Jilin 第六条（二））."""
    with Session(db, expire_on_commit=False) as session:
        ids = [f.id for f in store.all_active(session) if f.pledge and f.materials_completed_on is None]
    for filing_id in ids:
        with Session(db, expire_on_commit=False) as session:
            filing = store.get_filing(session, filing_id)  # type: ignore[arg-type]
            if filing is None:
                continue
            policy = policies.on(filing.region, today)
            if not rules.lapses_now(filing, policy, today):
                continue
            try:
                store.change_filing(
                    session,
                    filing,
                    rules.lapse_values(filing),
                    action="lapsed",
                    actor=SYSTEM_ACTOR,
                    channel="jobs",
                    at=_aware(now),
                )
                session.commit()
            except IntegrityError:  # another machine lapsed it first
                session.rollback()
                continue
            report.lapsed.append(filing_id)  # type: ignore[arg-type]


def _claim(db: DbEngine, key: str, person_id: int, filing_id: int | None, kind: str) -> bool:
    with Session(db, expire_on_commit=False) as session:
        if store.claim_reminder(session, key=key, person_id=person_id, filing_id=filing_id, kind=kind):
            session.commit()
            return True
        # a failed earlier attempt: the first run to move it to retrying sends it again
        result = session.exec(  # type: ignore[call-overload]
            update(Reminder)
            .where(col(Reminder.key) == key, col(Reminder.state) == "failed")
            .values(state="retrying")
        )
        session.commit()
        return bool(result.rowcount)


def _deliver(
    db: DbEngine, sender: ReminderSender, key: str, person_id: int, title: str, text: str, report: JobReport
) -> None:
    with Session(db, expire_on_commit=False) as session:
        conversations = [c for c in people.conversations_of(session, person_id)]
    if not conversations:
        with Session(db, expire_on_commit=False) as session:
            store.finish_reminder(session, key, state="no_channel")
            session.commit()
        report.skipped.append(key)
        return
    channels: list[str] = []
    error = ""
    for conversation in conversations:
        try:
            channels.append(sender.send(conversation, title, text))
        except BotError as exc:
            error = str(exc)
    with Session(db, expire_on_commit=False) as session:
        state = "sent" if channels else "failed"
        store.finish_reminder(session, key, state=state, channel=",".join(sorted(set(channels))), error=error)
        session.commit()
    (report.sent if channels else report.failed).append(key)
    if not channels:
        log.warning("reminder not delivered", extra={"reminder": key})


def _render(renderer: Renderer, template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    text = renderer.render(template, "zh_CN", context)
    title, _, body = text.partition("\n")
    return title.strip(), body.strip()


def remind_due_pledges(
    db: DbEngine, policies: Any, renderer: Renderer, sender: ReminderSender, today: date, report: JobReport
) -> None:
    with Session(db, expire_on_commit=False) as session:
        open_pledges = [f for f in store.all_active(session) if f.pledge and f.materials_completed_on is None]
    for filing in open_pledges:
        policy = policies.on(filing.region, today)
        days = rules.reminder_due(filing, policy, today)
        if days is None or filing.id is None:
            continue
        key = f"pledge-due:{filing.id}:{days}"
        if not _claim(db, key, filing.person_id, filing.id, "materials_due"):
            continue
        kind = policy.kinds.get(filing.kind)
        title, text = _render(
            renderer,
            "status/reminder_due",
            {
                "kind_label": kind.label if kind else filing.kind,
                "destination_name": filing.destination_name,
                "due": filing.materials_due,
                "days_left": rules.days_left(filing.materials_due, today),  # type: ignore[arg-type]
            },
        )
        _deliver(db, sender, key, filing.person_id, title, text, report)


def announce_changes(
    db: DbEngine, policies: Any, renderer: Renderer, sender: ReminderSender, now: datetime, report: JobReport
) -> None:
    """Every status change someone else made (lapse, registry, staff) is told once to the person."""
    since = _aware(now) - EVENT_LOOKBACK
    with Session(db, expire_on_commit=False) as session:
        events = [
            (e, session.get(Filing, e.filing_id))
            for e in session.exec(
                select(FilingEvent).where(FilingEvent.at >= since).order_by(FilingEvent.id)  # type: ignore[arg-type]
            )
            if e.action != "created" and not e.actor.startswith("person:")
        ]
    for event, filing in events:
        if filing is None or event.id is None:
            continue
        key = f"event:{event.id}"
        if not _claim(db, key, event.person_id, event.filing_id, "status_change"):
            continue
        policy = policies.on(filing.region, now.date())
        kind = policy.kinds.get(filing.kind)
        title, text = _render(
            renderer,
            "status/reminder_change",
            {
                "kind_label": kind.label if kind else filing.kind,
                "destination_name": filing.destination_name,
                "action": event.action,
                "end_reason": filing.end_reason or "",
            },
        )
        _deliver(db, sender, key, event.person_id, title, text, report)


def run_jobs(
    db: DbEngine, *, policies: Any, renderer: Renderer, sender: ReminderSender, now: datetime
) -> JobReport:
    """One run: lapse, remind due pledges, announce status changes. `now` is China time."""
    report = JobReport()
    today = now.date()
    lapse_pledges(db, policies, today, now, report)
    remind_due_pledges(db, policies, renderer, sender, today, report)
    announce_changes(db, policies, renderer, sender, now, report)
    log.info("reminders job done", extra={"lapsed": len(report.lapsed), "sent": len(report.sent)})
    return report
