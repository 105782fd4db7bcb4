"""The PO reader accepts what ``msgfmt --check`` accepts and refuses what it refuses, with the line."""

from __future__ import annotations

import re
import subprocess

import pytest

from microsite.errors import ContentError
from microsite.translation.pofile import read_document
from tests.needs import need

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: en\\n"\n\n'

CASES = [
    # (body after the header, refused at this line or None, what our message says)
    ('msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 6, "a msgid without a msgstr"),
    ('msgid "a"\n', 6, "a msgid without a msgstr"),
    ('msgid "a"\n# note\nmsgstr "x"\n', 6, "a msgid without a msgstr"),
    ('msgid "a"\nmsgstr "x\\qy"\n', 7, "invalid escape \\q"),
    ('msgid "a"\nmsgstr "x\n', 7, "not valid PO syntax"),
    ('msgid "a"\nmsgstr "x" y\n', 7, "not valid PO syntax"),
    ('msgstr "x"\n', 6, "a msgstr without a msgid"),
    ('msgid "a"\nmsgstr "x"\nmsgstr "y"\n', 8, "a msgstr without a msgid"),
    ('msgid "a"\nmsgstr "x"\n"more"\n\n"and more, after a blank line"\n', None, ""),
    ('msgid "a"\nmsgstr "x"\n\nmsgid "a"\nmsgstr "y"\n', 9, "appears twice"),
    ('msgid "a"\nmsgstr "x\\tz\\"q\\" \\\\"\n', None, ""),
    ('msgid "a" "b"\nmsgstr ""\n"x"\n  "y"\n', None, ""),
    ('#, fuzzy\n#| msgid "old"\nmsgid "a"\nmsgstr "x"\n\n#~ msgid "gone"\n#~ msgstr "went"\n', None, ""),
    ('msgid "caf\\303\\251"\nmsgstr "caf\\xc3\\xa9"\n', None, ""),
    ('msgctxt "c"\nmsgid "a"\nmsgstr "x"\n\nmsgid "a"\nmsgstr "y"\n', None, ""),
]


def msgfmt_line(path) -> int | None:
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    if result.returncode == 0:
        return None
    return int(re.search(r":(\d+):", result.stderr).group(1))


@pytest.mark.parametrize(("body", "line", "message"), CASES)
def test_the_reader_agrees_with_msgfmt(tmp_path, body: str, line: int | None, message: str) -> None:
    path = tmp_path / "en.po"
    path.write_text(HEADER + body, encoding="utf-8")
    if line is None:
        document = read_document(path, "en")
        assert document.render() == HEADER + body  # kept byte for byte
    else:
        with pytest.raises(ContentError) as caught:
            read_document(path, "en")
        assert caught.value.problem.line == line
        assert message in caught.value.problem.message
    need("msgfmt")
    reported = msgfmt_line(path)
    if line is None:
        assert reported is None
    else:
        assert reported is not None and abs(reported - line) <= 2  # msgfmt names the next token's line at times


def test_escapes_are_read_as_msgfmt_reads_them(tmp_path) -> None:
    path = tmp_path / "en.po"
    path.write_text(HEADER + 'msgid "caf\\303\\251"\nmsgstr "caf\\xc3\\xa9 \\"q\\"\\t."\n', encoding="utf-8")
    (chunk,) = [c for c in read_document(path, "en").chunks if c.entry is not None]
    assert chunk.entry.msgid == "café" and chunk.entry.msgstr == 'café "q"\t.'


def test_a_string_split_over_many_lines_is_read_whole(tmp_path) -> None:
    path = tmp_path / "en.po"
    pieces = [f"piece {n} " for n in range(20_000)]
    path.write_text(HEADER + 'msgid "a"\nmsgstr ""\n' + "".join(f'"{p}"\n' for p in pieces), encoding="utf-8")
    (chunk,) = [c for c in read_document(path, "en").chunks if c.entry is not None]
    assert chunk.entry.msgstr == "".join(pieces)
