"""Without chromium the page tests skip locally and fail under CI: a missing browser never passes silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import conftest


def test_missing_chromium_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="make browser"):
        conftest._require_chromium()


def test_missing_chromium_skips_locally_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is missing"):
        conftest._require_chromium()


def test_present_chromium_is_used(monkeypatch, tmp_path):
    fake = Path(tmp_path / "chromium")
    fake.write_text("")
    monkeypatch.setattr(conftest, "CHROMIUM", fake)
    monkeypatch.setenv("CI", "true")
    conftest._require_chromium()
