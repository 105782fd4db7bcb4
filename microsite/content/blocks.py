"""Split a Markdown body into blocks and their translatable segments (the renderer writes the HTML).

A segment's text is its Markdown source as written (inline markup kept), the block marker
removed (``## ``, ``- ``, ``1. ``, ``> ``, table pipes), whitespace runs collapsed to one space.
The blocks keep the structure, so the renderer can put the Vietnamese text or its translation
in it. This module knows nothing of HTML.

Not translated, copied as they are: fenced and indented code, raw HTML blocks, rules and link
reference definitions. Hard line breaks inside a paragraph become spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

# Segment kinds, as written in the PO file's "#." comment.
TITLE = "title"
SUMMARY = "summary"
BYLINE = "byline"  # the front matter's source: a reporter or an outlet
TAG = "tag"
HEADING = "heading"
PARAGRAPH = "paragraph"
LIST_ITEM = "list item"
QUOTE = "block quote"
TABLE_CELL = "table cell"
FIGURE_ALT = "figure alt text"
FIGURE_CAPTION = "figure caption"
# Kinds a language may lack without holding the article back: shown as written until translated
# (a byline is mostly a name, and catalogs written before it was a segment have none).
OPTIONAL_KINDS = frozenset({BYLINE})


class Segment(NamedTuple):
    """One translatable piece of an article: its kind, source text and line in index.md."""

    kind: str
    source: str
    line: int


class Heading(NamedTuple):
    level: int
    text: Segment

    def segments(self) -> Iterator[Segment]:
        yield self.text


class Paragraph(NamedTuple):
    text: Segment

    def segments(self) -> Iterator[Segment]:
        yield self.text


class ListItem(NamedTuple):
    depth: int
    number: int | None  # None for a bullet item
    text: Segment | None  # None for an empty item: no segment has empty text


class ListBlock(NamedTuple):
    items: tuple[ListItem, ...]

    def segments(self) -> Iterator[Segment]:
        for item in self.items:
            if item.text is not None:
                yield item.text


class Quote(NamedTuple):
    paragraphs: tuple[Segment, ...]

    def segments(self) -> Iterator[Segment]:
        yield from self.paragraphs


class Table(NamedTuple):
    header: tuple[Segment | None, ...]
    alignments: tuple[str, ...]
    rows: tuple[tuple[Segment | None, ...], ...]

    def segments(self) -> Iterator[Segment]:
        for row in (self.header, *self.rows):
            yield from (cell for cell in row if cell is not None)


class Figure(NamedTuple):
    """An image alone in its paragraph: alt text and caption (the Markdown image title)."""

    src: str
    alt: Segment | None
    caption: Segment | None
    line: int

    def segments(self) -> Iterator[Segment]:
        yield from (s for s in (self.alt, self.caption) if s is not None)


class Verbatim(NamedTuple):
    """Copied to every language as written: code, raw HTML, rules, link definitions."""

    text: str
    references: bool = False  # link reference definitions, which inline links may use

    def segments(self) -> Iterator[Segment]:
        return iter(())


# A block of the body: each kind says which segments it holds. Segments and blocks are named
# tuples (a class statement costs a build's start ~7 times less than a frozen dataclass's: ~0.15 ms against ~1 ms).
Block = Heading | Paragraph | ListBlock | Quote | Table | Figure | Verbatim


# --- parsing ---------------------------------------------------------------------------------

ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
BULLET = re.compile(r"( *)([-*+])(?:[ \t]+(.*)|$)")
ORDERED = re.compile(r"( *)(\d{1,9})[.)](?:[ \t]+(.*)|$)")
QUOTE_LINE = re.compile(r" {0,3}> ?(.*)")
TABLE_DELIMITER = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
LINK_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:[ \t]*\S")
HTML_BLOCK = re.compile(
    r" {0,3}<(?:!--|/?(?:address|article|aside|blockquote|details|dialog|div|dl|fieldset|figcaption|"
    r"figure|footer|form|h[1-6]|header|hr|iframe|main|nav|ol|p|pre|script|section|style|summary|"
    r"table|ul|video|audio|picture)\b)",
    re.IGNORECASE,
)
FIGURE = re.compile(
    r"!\[(?P<alt>(?:[^\]\\]|\\.)*)\]\(\s*(?P<src><[^>]*>|[^\s)]+)"
    r"""(?:\s+(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^'\\]|\\.)*)'))?\s*\)"""
)


class BlockError(ValueError):
    """Markdown the blocks cannot represent: its line (in the file) and what to write instead."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def collapse(text: str) -> str:
    """Whitespace runs collapsed to one space, ends trimmed: how a segment's text is compared."""
    return " ".join(text.split())


def parse_blocks(text: str, first_line: int = 1) -> list[Block]:
    """Split a Markdown body into blocks; ``first_line`` is the file line of the body's first line."""
    return list(_Parser(text.split("\n"), first_line).blocks())


class _Parser:
    def __init__(self, lines: list[str], first_line: int) -> None:
        self.lines = [line.replace("\t", "    ") for line in lines]
        self.first_line = first_line
        self.i = 0

    def line_no(self, index: int) -> int:
        return self.first_line + index

    def blocks(self) -> Iterator[Block]:
        lines = self.lines
        while self.i < len(lines):
            line = lines[self.i]
            if not line.strip():
                self.i += 1
            elif line.startswith("    "):  # indented four spaces, outside a list: code, whatever it holds
                yield Verbatim(self.indented_code())
            elif FENCE.match(line):
                yield self.fenced()
            elif ATX.match(line):
                match = ATX.match(line)
                self.i += 1
                text = collapse(match.group(2) or "")
                if text:
                    yield Heading(len(match.group(1)), Segment(HEADING, text, self.line_no(self.i - 1)))
            elif RULE.match(line):
                self.i += 1
                yield Verbatim("---")
            elif HTML_BLOCK.match(line):
                yield Verbatim(self.until_blank())
            elif LINK_DEFINITION.match(line):
                yield Verbatim(self.until_blank(), references=True)
            elif QUOTE_LINE.match(line):
                yield self.quote()
            elif BULLET.match(line) or ORDERED.match(line):
                yield self.list_block()
            elif "|" in line and self.i + 1 < len(lines) and TABLE_DELIMITER.match(lines[self.i + 1]):
                yield self.table()
            else:
                yield self.paragraph()

    def until_blank(self) -> str:
        start = self.i
        while self.i < len(self.lines) and self.lines[self.i].strip():
            self.i += 1
        return "\n".join(self.lines[start : self.i])

    def fenced(self) -> Verbatim:
        start = self.i
        fence = FENCE.match(self.lines[start]).group(1)
        self.i += 1
        while self.i < len(self.lines):
            closing = self.lines[self.i].strip()
            self.i += 1
            if closing.startswith(fence[0] * len(fence)) and not closing.strip(fence[0]):
                break
        return Verbatim("\n".join(self.lines[start : self.i]))

    def indented_code(self) -> str:
        start = self.i
        while self.i < len(self.lines) and (self.lines[self.i].startswith("    ") or not self.lines[self.i].strip()):
            self.i += 1
        while self.i > start and not self.lines[self.i - 1].strip():
            self.i -= 1
        return "\n".join(self.lines[start : self.i])

    def paragraph(self) -> Block:
        start = self.i
        parts = [self.lines[self.i]]
        self.i += 1
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if not line.strip():
                break
            if SETEXT.match(line):
                self.i += 1
                level = 1 if line.strip().startswith("=") else 2
                return Heading(level, Segment(HEADING, collapse(" ".join(parts)), self.line_no(start)))
            if self.interrupts(line):
                break
            parts.append(line)
            self.i += 1
        text = collapse(" ".join(parts))
        figure = FIGURE.fullmatch(text)
        if figure:
            return _figure(figure, self.line_no(start))
        return Paragraph(Segment(PARAGRAPH, text, self.line_no(start)))

    @staticmethod
    def interrupts(line: str) -> bool:
        """Lines that end a paragraph without a blank line before them."""
        if ATX.match(line) or FENCE.match(line) or QUOTE_LINE.match(line) or HTML_BLOCK.match(line):
            return True
        if BULLET.match(line) and BULLET.match(line).group(3):
            return not RULE.match(line)
        ordered = ORDERED.match(line)
        return bool(ordered and ordered.group(2) == "1" and ordered.group(3))

    def quote(self) -> Quote:
        start = self.i
        paragraphs: list[tuple[int, list[str]]] = []
        current: list[str] = []
        current_line = start
        while self.i < len(self.lines):
            line = self.lines[self.i]
            match = QUOTE_LINE.match(line)
            if match:
                content = match.group(1)
            elif line.strip() and current:
                content = line  # a lazy continuation line
            elif not line.strip() and self.quote_goes_on():
                content = ""  # quotes separated by blank lines are one quote, as in python-markdown
            else:
                break
            if content.strip():
                if not current:
                    current_line = self.i
                current.append(content)
            elif current:
                paragraphs.append((current_line, current))
                current = []
            self.i += 1
        if current:
            paragraphs.append((current_line, current))
        segments = []
        for index, parts in paragraphs:
            text = collapse(" ".join(parts))
            segments.append(Segment(QUOTE, text, self.line_no(index)))
        return Quote(tuple(segments))

    def quote_goes_on(self) -> bool:
        """After a blank line, a quote continues when the next line that is not blank is a quote line."""
        following = self.i + 1
        while following < len(self.lines) and not self.lines[following].strip():
            following += 1
        return following < len(self.lines) and bool(QUOTE_LINE.match(self.lines[following]))

    def list_block(self) -> ListBlock:
        items: list[tuple[int, int | None, int, list[str]]] = []  # depth, number, index, parts
        indents: list[int] = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            marker = BULLET.match(line) or ORDERED.match(line)
            if marker and not RULE.match(line):
                item = self.list_item(marker, items, indents)
                if item is None:
                    break  # a top-level item of the other kind starts a new list
                items.append(item)
            elif line.strip() and not self.interrupts(line) and not RULE.match(line):
                self.continue_item(line, items[-1], bool(marker))
            elif not line.strip() and self.list_goes_on():
                self.i += 1
            else:
                break
        result = []
        for depth, number, index, parts in items:
            text = collapse(" ".join(parts))
            segment = Segment(LIST_ITEM, text, self.line_no(index)) if text else None
            result.append(ListItem(depth, number, segment))
        return ListBlock(tuple(result))

    def list_item(self, marker: re.Match, items: list, indents: list[int]) -> tuple | None:
        """The item this marker line starts (its depth from the indents seen), or None when it starts another list."""
        indent = len(marker.group(1))
        ordered = marker.group(2).isdigit()
        if items and indent <= (indents[0] if indents else 0) and ordered != (items[0][1] is not None):
            return None
        while indents and indent < indents[-1]:
            indents.pop()
        if not indents or indent > indents[-1] + 1:
            indents.append(indent)
        number = int(marker.group(2)) if ordered else None
        self.i += 1
        return (len(indents) - 1, number, self.i - 1, [marker.group(3) or ""])

    def continue_item(self, line: str, item: tuple, marked: bool) -> None:
        """A line that continues the last item; refused when it would continue an outer item after its sub-list."""
        after_blank = not self.lines[self.i - 1].strip()
        if after_blank and _indent(line) // 4 - 1 < item[0] and not marked:
            raise BlockError(
                self.line_no(self.i),
                "this paragraph continues an outer list item after its sub-list, which the page cannot "
                "show as written; indent it as far as the sub-list's items (it then belongs to the last "
                "one), make it an item of its own, or end the list before it",
            )
        item[3].append(line)
        self.i += 1

    def list_goes_on(self) -> bool:
        """After a blank line, a list continues with another item or a paragraph indented four spaces."""
        following = self.i + 1
        while following < len(self.lines) and not self.lines[following].strip():
            following += 1
        if following >= len(self.lines):
            return False
        line = self.lines[following]
        return bool(BULLET.match(line) or ORDERED.match(line) or line.startswith("    "))

    def table(self) -> Table:
        start = self.i
        header = self.cells(self.lines[start], start)
        alignments = tuple(_alignment(cell) for cell in _split_row(self.lines[start + 1]))
        self.i += 2
        rows = []
        while self.i < len(self.lines) and self.lines[self.i].strip() and "|" in self.lines[self.i]:
            row = self.cells(self.lines[self.i], self.i)
            rows.append(tuple(row[: len(header)]) + (None,) * (len(header) - len(row)))
            self.i += 1
        width = len(header)
        alignments = (alignments + ("---",) * width)[:width]
        return Table(tuple(header), alignments, tuple(rows))

    def cells(self, line: str, index: int) -> list[Segment | None]:
        texts = (collapse(cell) for cell in _split_row(line))
        return [Segment(TABLE_CELL, text, self.line_no(index)) if text else None for text in texts]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _figure(match: re.Match, line: int) -> Figure:
    src = match.group("src").strip("<>")
    alt = collapse(match.group("alt"))
    title = match.group("dq") if match.group("dq") is not None else match.group("sq")
    caption = collapse(re.sub(r"\\([\"'])", r"\1", title)) if title else ""
    return Figure(
        src,
        Segment(FIGURE_ALT, alt, line) if alt else None,
        Segment(FIGURE_CAPTION, caption, line) if caption else None,
        line,
    )


def _split_row(line: str) -> list[str]:
    """Cells of a pipe-table row: split on pipes that are not escaped or inside code spans."""
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells, current, in_code = [], [], False
    index = 0
    while index < len(row):
        char = row[index]
        if char == "\\" and index + 1 < len(row):
            current.append(row[index : index + 2])
            index += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    cells.append("".join(current))
    return cells


def _alignment(cell: str) -> str:
    cell = cell.strip()
    left, right = cell.startswith(":"), cell.endswith(":")
    return {(True, True): ":-:", (True, False): ":--", (False, True): "--:"}.get((left, right), "---")
