"""No save is ever lost: the desk and translate racing an editor that saves by rename, real processes.

The editor here is a separate Python process that saves en.po the way Poedit and most editors do
(a temporary file renamed over it), with its own code, not ours. Each round the desk (the review
model's save, what the desk's POST calls) saves one segment while the editor saves another, at
random moments against each other; then the file on disk is checked.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import polib
import pytest

from microsite import files
from microsite.desk import review
from microsite.desk.review import Conflict, review_article, save_entry
from microsite.files import ChangedOnDisk, replace_file

ROUNDS = int(os.environ.get("RACE_ROUNDS", "1000"))

EDITOR = textwrap.dedent(
    r"""
    import ctypes, os, random, re, sys, time
    libc = ctypes.CDLL(None, use_errno=True)
    EXCHANGE = 2
    path, careful = sys.argv[1], sys.argv[2] == "careful"
    temporary = path + ".editor-tmp"

    def exchange():
        if libc.renameat2(-100, temporary.encode(), -100, path.encode(), EXCHANGE) != 0:
            raise OSError(ctypes.get_errno(), "renameat2")

    def save(round_number):
        while True:
            with open(path, encoding="utf-8") as file:
                base = file.read()
            text = re.sub(r'(msgid "Đoạn A\."\nmsgstr ")[^"]*(")', rf"\g<1>editor {round_number}\g<2>", base)
            assert text != base
            with open(temporary, "w", encoding="utf-8") as file:
                file.write(text)
            time.sleep(random.uniform(0, 0.004))  # the moment of the save varies against the desk's
            if not careful:
                os.replace(temporary, path)  # Poedit's way: blind
                return 0
            # A careful editor: swap in, check what came out is what it read, else undo and retry.
            exchange()
            with open(temporary, encoding="utf-8") as file:
                taken = file.read()
            if taken == base:
                os.unlink(temporary)
                return 0
            exchange()  # put theirs back (the desk saved meanwhile); read again and redo the edit
            os.unlink(temporary)

    for line in sys.stdin:
        save(int(line))
        print("done", flush=True)
    """
)


@pytest.fixture
def race_site(site):
    site.article("bai", body="Đoạn A.\n\nĐoạn B.\n")
    site.translate("bai", translation=lambda source: f"EN {source}")
    return site


def editor(path: Path, mode: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", EDITOR, str(path), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def entries(path: Path) -> dict[str, str]:
    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(path))}


def race(race_site, mode: str, monkeypatch) -> tuple[int, int, list[str], int]:
    """Rounds of desk save against editor save; what was saved, refused and lost, and the collisions seen."""
    collisions = []

    def counting(path, data, expected):  # the real save; only counts the times the file changed under it
        try:
            return replace_file(path, data, expected)
        except ChangedOnDisk:
            collisions.append(path)
            raise

    monkeypatch.setattr(review, "replace_file", counting)
    config = race_site.config
    po = race_site.root / "content" / "bai" / "en.po"
    process = editor(po, mode)
    saved = refused = 0
    lost: list[str] = []
    try:
        for number in range(ROUNDS):
            loaded = review_article(config, "bai", "en").version_of("Đoạn B.")
            process.stdin.write(f"{number}\n")
            process.stdin.flush()
            if random.random() < 0.5:
                os.sched_yield()
            try:
                save_entry(config, "bai", "en", "Đoạn B.", f"desk {number}", False, loaded)
                desk_saved = True
            except Conflict:
                desk_saved = False
            assert process.stdout.readline() == "done\n"
            final = entries(po)
            if final["Đoạn A."] != f"editor {number}":
                lost.append(f"round {number}: the editor's save is gone ({final['Đoạn A.']!r})")
            if mode == "careful" and desk_saved and final["Đoạn B."] != f"desk {number}":
                lost.append(f"round {number}: the desk answered 200 but its save is gone ({final['Đoạn B.']!r})")
            saved += desk_saved
            refused += not desk_saved
    finally:
        process.stdin.close()
        process.wait(timeout=10)
    leftovers = [p.name for p in po.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    return saved, refused, lost, len(collisions)


@pytest.mark.slow
def test_desk_and_a_careful_editor_never_lose_a_save(race_site, monkeypatch) -> None:
    """Both sides check what they replace: each edit is in the final file, the desk's merged past the editor's."""
    saved, refused, lost, collisions = race(race_site, "careful", monkeypatch)
    assert lost == []
    assert saved == ROUNDS and refused == 0  # each side edits its own entry: nothing to refuse, all merged
    assert collisions > 0, "the editor never saved between the desk's read and its swap: the race was not real"


def test_a_blind_editor_saving_by_rename_never_loses_its_save_to_the_desk(race_site, monkeypatch) -> None:
    """Poedit's way (temp file + rename, no check): whatever the timing, the desk never overwrites it."""
    saved, refused, lost, collisions = race(race_site, "blind", monkeypatch)
    assert lost == []
    assert saved == ROUNDS and refused == 0
    assert collisions > 0, "the editor never saved between the desk's read and its swap: the race was not real"


# --- the moment between the check and the swap, made to happen every time ------------------------


def save_by_rename(path: Path, text: str) -> None:
    other = path.with_name("other-editor.tmp")
    other.write_text(text, encoding="utf-8")
    os.replace(other, path)


def test_a_save_landing_between_the_check_and_the_swap_is_put_back(tmp_path, monkeypatch) -> None:
    path = tmp_path / "en.po"
    path.write_text("loaded\n", encoding="utf-8")
    real = files._rename2

    def editor_first(source, target, flags):
        if flags == files.RENAME_EXCHANGE and not hasattr(editor_first, "done"):
            editor_first.done = True
            save_by_rename(path, "the editor's save\n")  # lands after our check, before our swap
        return real(source, target, flags)

    monkeypatch.setattr(files, "_rename2", editor_first)
    with pytest.raises(ChangedOnDisk):
        replace_file(path, b"the desk's save\n", b"loaded\n")
    assert path.read_text(encoding="utf-8") == "the editor's save\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["en.po"]


def test_a_newer_save_replacing_ours_during_the_undo_is_the_one_kept(tmp_path, monkeypatch) -> None:
    path = tmp_path / "en.po"
    path.write_text("loaded\n", encoding="utf-8")
    real = files._rename2
    calls = []

    def racing(source, target, flags):
        calls.append(flags)
        if len(calls) == 1:
            save_by_rename(path, "first editor save\n")  # before our swap: we will take this out
        if len(calls) == 2:
            save_by_rename(path, "second editor save\n")  # replaces our file before we undo
        return real(source, target, flags)

    monkeypatch.setattr(files, "_rename2", racing)
    with pytest.raises(ChangedOnDisk):
        replace_file(path, b"the desk's save\n", b"loaded\n")
    assert path.read_text(encoding="utf-8") == "second editor save\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["en.po"]


def test_a_catalog_created_meanwhile_is_not_replaced(tmp_path) -> None:
    path = tmp_path / "en.po"
    path.write_text("someone created it\n", encoding="utf-8")
    with pytest.raises(ChangedOnDisk):
        replace_file(path, b"ours\n", None)  # we loaded it as absent
    assert path.read_text(encoding="utf-8") == "someone created it\n"


def test_translate_leaves_a_catalog_saved_meanwhile_alone(race_site, monkeypatch, fake_engine) -> None:
    """translate's save goes through the same exchange: an editor's save in the window wins."""
    from microsite.translation import translate

    po = race_site.root / "content" / "bai" / "index.md"
    po.write_text(po.read_text(encoding="utf-8") + "\nĐoạn C mới.\n", encoding="utf-8")
    catalog = po.parent / "en.po"
    plan = translate.plan_translation(race_site.config)
    real = files._rename2

    def editor_first(source, target, flags):
        if not hasattr(editor_first, "done"):
            editor_first.done = True
            save_by_rename(catalog, catalog.read_text(encoding="utf-8").replace("EN Đoạn A.", "Edited A."))
        return real(source, target, flags)

    monkeypatch.setattr(files, "_rename2", editor_first)

    result = translate.run_translation(plan, lambda source, target: fake_engine)
    assert fake_engine.calls == [["Đoạn C mới."]]  # the draft was made, then not saved over their file
    assert result.conflicts == [catalog] and result.written == []
    text = catalog.read_text(encoding="utf-8")
    assert "Edited A." in text and "Đoạn C mới." not in text
    assert not re.search(r"\.tmp$", "\n".join(p.name for p in catalog.parent.iterdir()), re.MULTILINE)


def test_a_catalog_replaced_by_a_folder_or_a_pipe_meanwhile_is_put_back(tmp_path, monkeypatch) -> None:
    """Whatever took en.po's place in the window, it is put back and never read (a pipe would block)."""
    path = tmp_path / "en.po"
    path.write_text("loaded\n", encoding="utf-8")
    real = files._rename2

    def pipe_first(source, target, flags):
        if not hasattr(pipe_first, "done"):
            pipe_first.done = True
            path.unlink()
            os.mkfifo(path)
        return real(source, target, flags)

    monkeypatch.setattr(files, "_rename2", pipe_first)
    with pytest.raises(ChangedOnDisk):
        replace_file(path, b"ours\n", b"loaded\n")
    assert path.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["en.po"]
