"""The upstream internals handoutkit patches are still there and still take what it passes
(handoutkit.compat): an upstream change fails here, loudly, not in a clinic's PDFs."""

from __future__ import annotations

from importlib import metadata

import pytest

from handoutkit import compat


def test_every_patch_point_matches_the_installed_packages() -> None:
    assert compat.patch_point_problems() == []


def test_a_changed_signature_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.pdf import stream

    def artifact(self, kind):  # an upstream change: a new required parameter
        raise AssertionError("never called")

    monkeypatch.setattr(stream.Stream, "artifact", artifact)
    problems = compat.patch_point_problems("weasyprint")
    assert problems == [
        "weasyprint.pdf.stream.Stream.artifact takes ('self', 'kind'), handoutkit expects ('self',)"
    ]


def test_a_removed_internal_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.pdf import tags

    monkeypatch.delattr(tags, "_build_box_tree")
    assert compat.patch_point_problems("weasyprint") == [
        "weasyprint.pdf.tags._build_box_tree: weasyprint.pdf.tags._build_box_tree no longer exists"
    ]


def test_another_version_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    real = metadata.version
    monkeypatch.setattr(
        compat.metadata, "version", lambda name: "0.8.0" if name == "textstat" else real(name)
    )
    assert compat.version_problem("textstat") == (
        "textstat 0.8.0 is installed; handoutkit knows 0.7.x only"
    )
    assert compat.version_problem("weasyprint") is None


def test_only_listed_points_can_be_replaced() -> None:
    with pytest.raises(compat.UpstreamChanged):
        compat.replace("weasyprint.draw", "draw_page", object())


def test_furniture_refuses_to_patch_changed_internals(monkeypatch: pytest.MonkeyPatch) -> None:
    from handoutkit.pdf import furniture

    monkeypatch.setattr(furniture._State, "installed", False)
    monkeypatch.setattr(compat, "patch_point_problems", lambda package=None: ["changed"])
    with pytest.raises(compat.UpstreamChanged, match="changed"):
        furniture._install()
