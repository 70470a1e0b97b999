"""The command line: migrations, demo data, content tools, terminal chat."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import app
from api.settings import get_settings

runner = CliRunner()


def _env(tmp_path):
    return {"YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "YIBAO_ENV": "development"}


def test_upgrade_demo_chat_and_unanswered(tmp_path, monkeypatch):
    for key, value in _env(tmp_path).items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        loaded = runner.invoke(app, ["demo", "load"])
        assert loaded.exit_code == 0, loaded.output
        assert "staff user agent" in loaded.output
        chat = runner.invoke(app, ["chat", "--region", "jilin"], input="qwxzv 无关的话 zzkk\n")
        assert chat.exit_code == 0, chat.output
        assert "吉林省" in chat.output
        unanswered = runner.invoke(app, ["content", "unanswered"])
        assert unanswered.exit_code == 0
        assert "qwxzv" in unanswered.output
        assert runner.invoke(app, ["chat", "--region", "atlantis"]).exit_code == 2
    finally:
        get_settings.cache_clear()


def test_content_coverage_lists_nothing_missing():
    result = runner.invoke(app, ["content", "coverage"])
    assert result.exit_code == 0, result.output


def test_jobs_run_lapses_reminds_delivers_and_prunes(tmp_path, monkeypatch):
    for key, value in _env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("YIBAO_WECHAT_API_BASE", "http://127.0.0.1:9/cgi-bin/")  # nothing listens: sends fail
    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        assert runner.invoke(app, ["demo", "load"]).exit_code == 0
        result = runner.invoke(app, ["jobs", "run"])
        assert result.exit_code == 0, result.output
        assert "outbox: 0 delivered, 0 failed" in result.output
        assert "retry claims pruned: 0" in result.output
    finally:
        get_settings.cache_clear()
