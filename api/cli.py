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


def main() -> None:
    app()
