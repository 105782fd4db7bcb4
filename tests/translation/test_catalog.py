"""Reading en.po: the states of DESIGN.md, and broken files refused with their line."""

from __future__ import annotations

import unicodedata

import pytest

from microsite.errors import ContentError
from microsite.translation.catalog import EDITOR, MACHINE, MISSING, REVIEWED, STALE, load_catalog

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: en\\n"\n\n'


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "en.po"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_states(tmp_path) -> None:
    path = write(
        tmp_path,
        'msgid "Một"\nmsgstr "One"\n\n'
        '# machine draft: argostranslate 1.11.0\n#. paragraph\n#, fuzzy\nmsgid "Hai"\nmsgstr "Two"\n\n'
        '#, fuzzy\n#| msgid "Ba cũ"\nmsgid "Ba"\nmsgstr "Three (old)"\n\n'
        'msgid "Bốn"\nmsgstr ""\n\n'
        '#~ msgid "Năm"\n#~ msgstr "Five"\n\n'
        '# a note by the editor\n#, fuzzy\nmsgid "Sáu"\nmsgstr "Six, typed by an editor"\n',
    )
    catalog = load_catalog(path, "en")
    assert [catalog.state(s) for s in ("Một", "Hai", "Ba", "Bốn", "Năm", "Bảy")] == [
        REVIEWED, MACHINE, STALE, MISSING, MISSING, MISSING,
    ]  # fmt: skip
    assert catalog.state("Sáu") == EDITOR  # fuzzy without the engine's note: a person's draft
    assert catalog.translation("Ba") == "Three (old)"
    assert catalog.translation("Bốn") is None
    assert catalog.statistics(["Một", "Hai", "Một", "Bảy"]) == {REVIEWED: 1, MACHINE: 1, MISSING: 1}


def test_missing_file_is_an_empty_catalog(tmp_path) -> None:
    assert load_catalog(tmp_path / "en.po", "en").entries == {}


@pytest.mark.parametrize(
    "body, line",
    [
        ('msgid "Một"\nmsgstr "One\n', 7),  # unterminated: polib alone would drop the last letter
        ('msgid "Một"\nmsgstr "One" extra\n', 7),
        ('msgid "Một"\nmsgstr "One"\nrubbish\n', 8),
    ],
)
def test_broken_po_names_the_line(tmp_path, body: str, line: int) -> None:
    with pytest.raises(ContentError, match="msgfmt --check") as caught:
        load_catalog(write(tmp_path, body), "en")
    assert caught.value.problem.line == line


def test_duplicate_msgid_is_refused(tmp_path) -> None:
    path = write(tmp_path, 'msgid "Một"\nmsgstr "One"\n\nmsgid "Một"\nmsgstr "Uno"\n')
    with pytest.raises(ContentError, match="appears twice"):
        load_catalog(path, "en")


def test_wrong_language_header(tmp_path) -> None:
    path = write(tmp_path, 'msgid "Một"\nmsgstr "Un"\n', header=HEADER.replace("Language: en", "Language: fr"))
    with pytest.raises(ContentError, match="Language: fr"):
        load_catalog(path, "en")


def test_decomposed_msgid_is_refused(tmp_path) -> None:
    nfd = unicodedata.normalize("NFD", "Quảng Ninh")
    with pytest.raises(ContentError, match="NFD") as caught:
        load_catalog(write(tmp_path, f'msgid "{nfd}"\nmsgstr "Quang Ninh"\n'), "en")
    assert caught.value.problem.line == 6
