"""The `yibao` command line: serve, chat in a terminal, migrate, load the demo, and content tools."""

from __future__ import annotations

from datetime import datetime

import typer

from api.settings import get_settings

app = typer.Typer(help="yibao: 异地就医 assistant", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database migrations", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data", no_args_is_help=True)
content_app = typer.Typer(help="Content tools for the policy team", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(content_app, name="content")
jobs_app = typer.Typer(help="Scheduled jobs (cron)", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
wechat_app = typer.Typer(help="WeChat official accounts", no_args_is_help=True)
app.add_typer(wechat_app, name="wechat")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port"),
    workers: int = typer.Option(1, help="Worker processes"),
) -> None:
    """Serve the WeChat callback, web chat, API and pages."""
    import uvicorn

    settings = get_settings()
    base = f"http://{host}:{port}"
    typer.echo(
        "\n".join(
            [
                f"yibao ({settings.env}) on {base}",
                f"  web chat:        {base}/",
                *(
                    f"  WeChat callback: {base}/wechat/{a.name}   (region {a.region})"
                    for a in settings.wechat_accounts
                ),
                f"  staff console:   {base}/staff",
                f"  admin pages:     {base}/admin",
                f"  API docs:        {base}/docs",
            ]
        )
    )
    uvicorn.run(
        "api.main:app_factory", factory=True, host=host, port=port, workers=workers, log_level="warning"
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply Alembic migrations to the configured database."""
    from bot.store.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    typer.echo("database is at " + revision)


@demo_app.command("load")
def demo_load() -> None:
    """Load demo staff users and demo insured persons (development only)."""
    from api.demo import load_demo

    settings = get_settings()
    if settings.env == "production":
        typer.echo("refused: demo data is not loaded in production", err=True)
        raise typer.Exit(1)
    for line in load_demo(settings):
        typer.echo(line)


@app.command()
def chat(
    region: str = typer.Option("jilin", help="Region pack: jilin or dezhou"),
    user: str = typer.Option("console", help="Conversation identity"),
) -> None:
    """Talk to the assistant in the terminal, with the same engine and database."""
    from api.wiring import engine_config
    from bot.app import build_engine
    from bot.channels.console import run_console

    engine = build_engine(engine_config(get_settings()))
    if region not in engine.content.regions:
        typer.echo(f"unknown region {region}; choose from {', '.join(engine.content.regions)}", err=True)
        raise typer.Exit(2)
    run_console(engine, region=region, user_key=user, now=datetime.now)


@wechat_app.command("menu")
def wechat_menu(
    account: str = typer.Option("jilin", help="Official account name from the settings"),
    push: bool = typer.Option(False, "--push", help="Also create it on WeChat (menu/create)"),
) -> None:
    """Print the account menu built from content/regions/<region>/menu.yaml; --push creates it on WeChat."""
    import json

    from bot.channels.wechat import menu_json
    from bot.channels.wechat_delivery import client_for, push_menu
    from bot.content.loader import load_region
    from bot.errors import ContentError, DeliveryFailed

    settings = get_settings()
    found = settings.account(account)
    if found is None:
        names = ", ".join(a.name for a in settings.wechat_accounts)
        typer.echo(f"unknown account {account}; choose from {names}", err=True)
        raise typer.Exit(2)
    try:
        menu = menu_json(load_region(settings.content_dir / "regions" / found.region).menu)
    except ContentError as exc:
        typer.echo(f"menu not built: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(menu, ensure_ascii=False, indent=2))
    if not push:
        return
    try:
        push_menu(client_for(found.app_id, found.app_secret, settings.wechat_api_base), menu)
    except DeliveryFailed as exc:
        typer.echo(f"menu not pushed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"menu pushed to {found.app_id}", err=True)


@app.command("eval")
def eval_command(
    misses: bool = typer.Option(True, help="List the questions and conversations that went wrong"),
    conversations: bool = typer.Option(True, help="Also run the multi-turn conversations"),
) -> None:
    """What people read: every question of tests/eval/ sent to the assistant and its reply scored (answered
    correctly, answered with a menu, fallback, confidently wrong), per category; conversations run to the
    end."""
    from api.evaluation import run_evaluation
    from bot.evaluation.report import format_run

    run = run_evaluation(get_settings().content_dir, conversations=conversations)
    typer.echo(format_run(run, misses=misses))


@content_app.command("coverage")
def content_coverage() -> None:
    """Articles of the policy documents that nothing answers yet."""
    from bot.knowledge.coverage import coverage_report

    report = coverage_report(get_settings().content_dir)
    typer.echo(report.format())
    if not report.ok:
        raise typer.Exit(1)


@content_app.command("unanswered")
def content_unanswered(
    region: str = typer.Option("", help="Only this region"),
    limit: int = typer.Option(50, help="Groups to show"),
) -> None:
    """Questions the assistant could not answer confidently, grouped, most frequent first."""
    from sqlmodel import Session

    from bot.store.db import make_engine
    from bot.store.unanswered import unanswered_summary

    engine = make_engine(get_settings().database_url)
    with Session(engine) as session:
        groups = unanswered_summary(session, region=region or None, limit=limit)
    if not groups:
        typer.echo("no unanswered questions")
    for group in groups:
        best = ", ".join(name for name, _score in group.best_candidates()) or "-"
        bands = "/".join(f"{band} {n}" for band, n in sorted(group.bands.items()))
        typer.echo(f"{group.count:>4}  [{group.region}] {group.example}   ({bands}; best: {best})")


@jobs_app.command("run")
def jobs_run(
    template_id: str = typer.Option(
        "", envvar="YIBAO_WECHAT_SUBSCRIBE_TEMPLATE", help="WeChat subscribe-message template for reminders"
    ),
) -> None:
    """Run the scheduled jobs once: lapse expired pledges, pledge reminders, status-change notices.

    Safe from cron on several machines at once: every reminder is claimed before it is sent.
    """
    from zoneinfo import ZoneInfo

    from sqlmodel import Session

    from bot.channels.wechat_delivery import client_factory
    from bot.content.filing import load_filing_policies
    from bot.content.policy import load_policies
    from bot.reminders import ChatSender, run_jobs
    from bot.rendering import Renderer
    from bot.store.db import make_engine

    settings = get_settings()
    db = make_engine(settings.database_url)
    sender = ChatSender(
        session_factory=lambda: Session(db),
        wechat_client=client_factory(settings.wechat_accounts, settings.wechat_api_base),
        template_id=template_id,
    )
    report = run_jobs(
        db,
        policies=load_filing_policies(settings.content_dir, load_policies(settings.content_dir)),
        renderer=Renderer(settings.content_dir),
        sender=sender,
        now=datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None),
    )
    for line in report.lines():
        typer.echo(line)
    from datetime import timedelta

    from bot.channels.wechat_delivery import deliver_pending
    from bot.store.claims import prune

    delivered = deliver_pending(db, client_factory(settings.wechat_accounts, settings.wechat_api_base))
    typer.echo(f"outbox: {delivered.sent} delivered, {delivered.failed} failed")
    typer.echo(f"retry claims pruned: {prune(db, timedelta(days=1))}")
    db.dispose()


def main() -> None:
    app()
