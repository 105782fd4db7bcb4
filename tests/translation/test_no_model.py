"""A newsroom without a translation model (every newcomer's case): ``translate`` still does all that
needs none. An edited segment keeps its reviewed English, stale; numbers, dates and amounts alone
in a segment are drafted by rule; only what truly needs a model is left, and said so."""

from __future__ import annotations

import os
import subprocess
import sys

import polib
import pytest

from microsite.translation.rules import rule_draft
from tests.conftest import REPO

BODY = """\
Đoàn do các đồng chí lãnh đạo tỉnh dẫn đầu.

Cảng Cái Lân đón tàu container lớn.

| Năm | Sản lượng |
|---|--:|
| 2024 | 1.250.000 |
| 8,5% | 3,5 giờ |
"""


@pytest.mark.parametrize(
    ("source", "english"),
    [
        ("2024", "2024"),
        ("1.250.000", "1,250,000"),
        ("8,5%", "8.5%"),
        ("38,95 %", "38.95%"),
        ("3,5 giờ", "3.5 hours"),
        ("1 giờ", "1 hour"),
        ("120 tỷ đồng", "120 billion dong"),
        ("1.234,5 triệu USD", "1,234.5 million USD"),
        ("25/6/2021", "25/6/2021"),
        ("260 m", "260 m"),
        ("-5 °C", "-5°C"),
        ("Năm", None),
        ("năm 2024", None),
        ("2 * 3", None),
        ("Tăng 8,5%", None),
        ("31/13/2021", None),
    ],
)
def test_numbers_dates_and_amounts_alone_are_drafted_by_rule(source, english) -> None:
    assert rule_draft(source) == english


def translate(site, packages) -> subprocess.CompletedProcess:
    """``python build.py translate`` with an argostranslate that has no package installed: the real path."""
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(packages)}
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "translate", "--root", str(site.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_without_a_model_an_edit_keeps_the_reviewed_english_stale_and_numbers_are_drafted(site, tmp_path) -> None:
    index = site.article("cang", BODY)
    po_path = site.translate("cang")  # every segment reviewed
    reviewed = {entry.msgid: entry.msgstr for entry in polib.pofile(str(po_path))}
    old = "Đoàn do các đồng chí lãnh đạo tỉnh dẫn đầu."
    new = "Đoàn công tác do các đồng chí lãnh đạo tỉnh dẫn đầu."
    index.write_text(
        index.read_text(encoding="utf-8").replace(old, new) + "| 2025 | 7,2 triệu tấn |\n", encoding="utf-8"
    )
    (tmp_path / "no-packages").mkdir()
    result = translate(site, tmp_path / "no-packages")

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Kept the English of 1 edited segment(s), marked stale" in result.stdout
    assert "Drafted 2 segment(s) by rule" in result.stdout
    assert "1 segment(s) still need a model" in result.stderr and "No vi→en package is installed" in result.stderr
    entries = {entry.msgid: entry for entry in polib.pofile(str(po_path))}
    stale = entries[new]
    assert stale.msgstr == reviewed[old] and "fuzzy" in stale.flags and stale.previous_msgid == old
    assert old not in entries  # (not an obsolete copy beside it: the stale entry carries it)
    for source, english in (("2025", "2025"), ("7,2 triệu tấn", "7.2 million tonnes")):
        assert entries[source].msgstr == english
        assert "fuzzy" in entries[source].flags and "machine draft: number rules" in entries[source].tcomment
    for source in ("Cảng Cái Lân đón tàu container lớn.", "2024", "Năm"):  # reviewed: untouched
        assert entries[source].msgstr == reviewed[source] and "fuzzy" not in entries[source].flags

    check = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--root", str(site.root)], capture_output=True, text=True
    )
    assert "0 missing" in check.stdout and "1 stale" in check.stdout, check.stdout


def test_without_a_model_a_new_segment_gets_an_empty_entry_and_nothing_is_lost(site, tmp_path) -> None:
    site.article("moi", "Một đoạn mới chưa có bản dịch.\n\n| Số |\n|--:|\n| 2.024 |\n")
    (tmp_path / "no-packages").mkdir()
    result = translate(site, tmp_path / "no-packages")
    assert result.returncode == 1, result.stderr
    entries = {entry.msgid: entry for entry in polib.pofile(str(site.root / "content" / "moi" / "en.po"))}
    assert entries["Một đoạn mới chưa có bản dịch."].msgstr == ""  # for an editor (or Poedit) to fill
    assert entries["2.024"].msgstr == "2,024"
    again = translate(site, tmp_path / "no-packages")  # a second run: the same left to do, nothing else
    assert "Drafted" not in again.stdout and again.returncode == 1
