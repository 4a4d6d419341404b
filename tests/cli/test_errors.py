"""Exit codes follow the kind of error, not how it was raised: content problems exit 1 with
located diagnostics, usage problems exit 2 with one message, anything else is a bug (exit 3)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import typer

from handoutkit.cli import main
from handoutkit.cli.common import app
from handoutkit.diagnostics import Diagnostic, Location
from handoutkit.errors import ContentError, UsageError


@pytest.fixture
def command(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Register a throwaway command that raises `error`; run it; (exit code, stderr)."""

    def run(error: BaseException) -> tuple[int, str]:
        @app.command("raise-for-test", hidden=True)
        def raising() -> None:
            raise error

        monkeypatch.setattr(sys, "argv", ["handoutkit", "raise-for-test"])
        try:
            with pytest.raises(SystemExit) as exit_info:
                main()
        finally:
            app.registered_commands[:] = [
                c for c in app.registered_commands if c.name != "raise-for-test"
            ]
        return int(exit_info.value.code or 0), capsys.readouterr().err

    return run


def test_content_errors_exit_1_with_their_located_diagnostics(command) -> None:
    error = ContentError.at(Location("content/x.yaml", 3, 5), "bad", "fix it", rule="schema")
    code, err = command(error)
    assert code == 1
    assert err.splitlines() == ["content/x.yaml:3:5: error: bad — fix it"]


def test_usage_errors_exit_2_with_one_message(command) -> None:
    code, err = command(UsageError("--lang: unknown value 'fr' — choose from: en"))
    assert (code, err) == (2, "handoutkit: --lang: unknown value 'fr' — choose from: en\n")


def test_anything_else_is_an_internal_error(command) -> None:
    code, err = command(RuntimeError("boom"))
    assert code == 3
    assert "internal error: RuntimeError: boom" in err and "This is a bug" in err


def test_a_content_error_needs_a_diagnostic() -> None:
    """The old UserError exited 2 or 1 depending on whether a str or a list was passed."""
    with pytest.raises(ValueError):
        ContentError([])
    with pytest.raises(ValueError):  # and every diagnostic a registered rule
        Diagnostic.error_at(Location("x"), "no rule", rule="not-a-rule")


def test_a_typer_exit_keeps_its_code(command) -> None:
    assert command(typer.Exit(1))[0] == 1


def test_a_missing_path_is_a_usage_error(run, mini: Path) -> None:
    result = run("check", "content/nowhere.yaml", cwd=mini)
    assert result.code == 2, result.text
    assert (
        result.err == "handoutkit: content/nowhere.yaml: no such file or folder — check the path\n"
    )


def test_flags_show_no_value_placeholder_in_help(run, mini: Path) -> None:
    """`--strict`, not `--strict <bool>`: a flag takes no value."""
    for command in ("build", "check", "preview", "audit", "list"):
        result = run(command, "--help", cwd=mini)
        assert result.code == 0 and "--help" in result.out
        assert "<bool>" not in result.out, result.out
    assert "--strict" in run("build", "--help", cwd=mini).out
