"""The settings table: precedence, bad values, and the README kept in step with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from quoteline import settings
from quoteline.errors import UsageError


def test_readme_settings_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- settings:start -->\n") + len("<!-- settings:start -->\n")
    end = readme.index("\n<!-- settings:end -->")
    assert readme[start:end] == settings.markdown_table(), (
        "README's settings table is stale: paste `quoteline settings --markdown` into it")


def test_environment_beats_file_beats_default(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "quoteline.toml"
    cfg.write_text("[quoteline]\nfetch_timeout = 3.5\nmax_warc_resyncs = 7\n", encoding="utf-8")
    monkeypatch.setenv("QUOTELINE_CONFIG", str(cfg))
    monkeypatch.delenv("QUOTELINE_FETCH_TIMEOUT", raising=False)
    assert settings.get_float("fetch_timeout") == 3.5
    assert settings.source_of("fetch_timeout") == str(cfg)
    monkeypatch.setenv("QUOTELINE_FETCH_TIMEOUT", "2")
    assert settings.get_float("fetch_timeout") == 2.0
    assert settings.source_of("fetch_timeout") == "QUOTELINE_FETCH_TIMEOUT"
    assert settings.get_int("max_warc_resyncs") == 7
    monkeypatch.delenv("QUOTELINE_CONFIG")
    monkeypatch.chdir(tmp_path / "..")
    assert settings.get_int("max_warc_resyncs") == settings.BY_NAME["max_warc_resyncs"].default


def test_bad_values_say_which_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTELINE_MAX_TEXT_BYTES", "ten")
    with pytest.raises(UsageError, match=r"QUOTELINE_MAX_TEXT_BYTES.*max_text_bytes"):
        settings.get("max_text_bytes")
    monkeypatch.delenv("QUOTELINE_MAX_TEXT_BYTES")
    cfg = tmp_path / "q.toml"
    cfg.write_text("[quoteline]\nno_such_limit = 1\n", encoding="utf-8")
    monkeypatch.setenv("QUOTELINE_CONFIG", str(cfg))
    with pytest.raises(UsageError, match=r"unknown setting.*no_such_limit"):
        settings.get("max_text_bytes")


def test_settings_command_lists_every_setting(capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import cli_in_process

    rc, out, _ = cli_in_process(capsys, "settings")
    assert rc == 0
    for s in settings.TABLE:
        assert f"{s.name} = " in out and s.env in out
