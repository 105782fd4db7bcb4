"""Which of a saved page's text is the article: trafilatura's reading, and our blocks matched against it.

:mod:`.saved_page` converts the article's container into Markdown blocks and figures, keeping what
an editor needs (captions, credits, photos from the saved folder, tables, lists, headings).
trafilatura (Apache-2.0, built for this and measured best on the shared evaluation set) is better at
deciding which text is the article and which is page furniture. :func:`article_text` asks it;
:func:`steer` then keeps the blocks whose text trafilatura kept, drops the others, keeps the photos
among the kept text, and puts in, in their place, the paragraphs it found that the container lacked.

Text is compared as runs of three words (casefolded), so a block matches however the two readers
split lines, spaced words or marked emphasis.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cached_property

from .model import Photo, block_start, text

WORD = re.compile(r"[^\W_]+")  # letters and digits: "_" is Markdown's as often as the text's
# A line that points elsewhere ("see also", in the languages newsrooms write) or a short copyright
# notice: never the article's text, whichever reader found it.
POINTER = re.compile(
    r"\s*(xem thêm|đọc thêm|tin liên quan|bài liên quan|see also|read more|read also|related:|"
    r"lea también|lea más|lee también|leer más|ver también|lire aussi|à lire aussi|lesen sie auch|"
    r"mehr zum thema|mehr themen|das könnte sie auch interessieren|leia também|leia mais|leggi anche|"
    r"czytaj też|czytaj także|czytaj więcej|dowiedz się więcej|le puede interesar|te puede interesar|mira:|"
    r"contenido relacionado|you may also like|you might also like|also read|"
    r"©|\(c\) ?\d{4}|copyright ?(©|\(c\)|\d{4}))",
    re.I,
)
NOTICE = re.compile(
    r"all rights reserved|alle rechte vorbehalten|todos los derechos reservados|tous droits réservés|"
    r"is the copyrighted property|bản quyền thuộc|"
    r"(sign(ing)? up|subscribe|anmelden|abonnieren|suscríbete).{0,60}newsletter|newsletter.{0,40}(anmelden|abonnieren)|"
    r"follow .{0,40} on (twitter|facebook|instagram)",
    re.I,
)


def skipped(line: str) -> bool:
    """Whether a paragraph is a pointer to other stories or a copyright notice (not the article)."""
    return bool(POINTER.match(line)) or (len(line) < 300 and bool(NOTICE.search(line)))


MARKDOWN_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\([^)]*\)")
ESCAPE = re.compile(r"\\(.)")
MARKS = re.compile(r"(\*\*|__|(?<!\w)[*_]|[*_](?!\w)|^#+ |^>\s?|^\s*(?:[-+*]|\d+[.)])\s|\|)", re.MULTILINE)
WRAPS = 0.3  # a box of furniture holding this share of the article's text wraps the article instead
BOX = 400  # characters: a box whose class says furniture but is longer than this may be the article, misnamed
MISSED = 0.2  # a reader holding less than this share of the other's text missed the article
NEW = 0.5  # a line of trafilatura's is put in when less than this share of it is there already
KEPT = 0.75  # the share of a block's runs of words the article's text must hold for the block to stay


@dataclass
class Reading:
    """What trafilatura read on a page: the article's text, one line per block. Its title, author,
    tags and date are not taken: our own rules read those (measured in docs/importing.md), and
    htmldate is asked for a date only when they find none (:func:`page_date`)."""

    lines: list[str]

    @property
    def size(self) -> int:
        """Characters of the article's text."""
        return sum(len(line) for line in self.lines)

    @cached_property
    def text(self) -> _Text:
        """The article's text, made once for the questions asked of it."""
        return _Text(self.lines)

    def holds(self, value: str) -> bool:
        """Whether the article's text holds ``value`` (plain text or a Markdown block)."""
        return self.text.holds(words(plain(value)))


def article_text(html: str, url: str) -> Reading | None:
    """trafilatura's reading of ``html``; None when it found no article text (or is not installed)."""
    try:
        import trafilatura
    except ImportError:
        return None
    _quiet()
    try:
        found = trafilatura.bare_extraction(
            html,
            url=url or None,
            include_comments=False,
            include_tables=True,
            with_metadata=False,  # (its metadata, htmldate's date most of it, took a fifth of the time)
            deduplicate=False,
        )
    except Exception:  # a fault in the helper only costs its advice; our own reading stands
        return None
    if found is None or not (found.text or "").strip():
        return None
    lines = [" ".join(line.split()) for line in found.text.split("\n")]
    return Reading(lines=[line for line in lines if line])


def page_date(html: str, url: str) -> str:
    """The date htmldate finds in the page or its address ("" when none, or htmldate is not installed)."""
    try:
        from htmldate import find_date
    except ImportError:
        return ""
    _quiet()
    try:  # (as bytes: htmldate downloads a str that looks like an address; import never downloads)
        return find_date(html.encode("utf-8"), url=url or None, original_date=True) or ""
    except Exception:  # a fault in the helper only costs its advice
        return ""


def _quiet() -> None:
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # its warnings are about its own choices, not the page


def words(value: str) -> list[str]:
    return WORD.findall(value.casefold())


def runs(tokens: list[str]) -> set[tuple[str, ...]]:
    """The runs of three words (a shorter text is one run of its words)."""
    if len(tokens) < 3:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)}


def plain(block: str) -> str:
    """A Markdown block's text as a reader sees it (links, emphasis, escapes, markers off)."""
    return ESCAPE.sub(r"\1", MARKS.sub(" ", MARKDOWN_LINK.sub(r"\1", block)))


class _Text:
    """A body of text, asked whether it holds a block: by its runs of words, or as a run of words."""

    def __init__(self, values: list[str]) -> None:
        tokens = [word for value in values for word in words(value)]
        self.runs = runs(tokens)
        self.joined = " " + " ".join(tokens) + " "

    def share(self, tokens: list[str], own: set | None = None) -> float:
        """The share of ``tokens``' runs of words (``own``, when already made) this text holds (a
        text under four words: 1 or 0)."""
        if not tokens:
            return 0.0
        if len(tokens) < 4:
            return float(" " + " ".join(tokens) + " " in self.joined)
        own = runs(tokens) if own is None else own
        return len(own & self.runs) / len(own)

    def holds(self, tokens: list[str], own: set | None = None) -> bool:
        return bool(tokens) and self.share(tokens, own) >= KEPT


def share_held(value: str, reading: Reading) -> float:
    """The share of ``reading``'s runs of words that ``value`` (an element's text) holds."""
    article = reading.text.runs
    return len(article & runs(words(value))) / len(article) if article else 0.0


def article_element(soup, reading: Reading, blocks: list[str], furniture: list[str]):
    """The innermost element holding nine tenths of the text of the blocks (``blocks``: tag names)
    whose text ``reading`` holds, but for those inside ``furniture`` (menus, footers…); None when
    none is held."""
    article = reading.text
    weight: dict[int, int] = {}
    elements: dict[int, tuple[int, object]] = {}
    total = 0
    for tag in soup.find_all(blocks):
        value = tag.get_text(" ")
        if not article.holds(words(value)) or tag.find_parent(furniture) is not None:
            continue
        total += len(value)
        for depth, parent in enumerate(reversed(list(tag.parents))):
            weight[id(parent)] = weight.get(id(parent), 0) + len(value)
            elements[id(parent)] = (depth, parent)
    held = [elements[key] for key, value in weight.items() if total and value >= 0.9 * total]
    return max(held, key=lambda pair: pair[0])[1] if held else None


def steer(
    blocks: list[str | Photo], placed: list[str], reading: Reading, boxes: list[str] = ()
) -> tuple[list[str | Photo], list[str]]:
    """``blocks`` kept where ``reading`` holds their text, with the paragraphs only it found put in
    their place, but for those in ``boxes`` (the page furniture our own reading took out) and those
    ``placed`` elsewhere (the title, the lead, the byline); what was dropped, said for the editor."""
    ours = sum(len(plain(block)) for block in blocks if isinstance(block, str))
    if reading.size < MISSED * ours:
        return blocks, []  # it found a scrap of what the container holds: it missed the article, not we
    article = reading.text
    blocks = [_items_held(block, article) if _is_list(block) else block for block in blocks]
    blocks = [block for block in blocks if isinstance(block, Photo) or block.strip()]  # (a list with no item held)
    kept, dropped = _sorted_out(blocks, article)
    said = []
    for block in dropped:
        shown = " ".join(plain(block).split())
        if shown:
            said.append(f"text that is not the article's: “{shown[:60]}{'…' if len(shown) > 60 else ''}”")
    return _fill(kept, placed, reading, boxes), said


def _sorted_out(blocks: list[str | Photo], article: _Text) -> tuple[list[str | Photo], list[str]]:
    """The blocks the article's text holds, with the photos and wordless blocks ("---") among them
    or right next to them (a lead photo, a gallery under the text); and the text blocks dropped."""
    texts = [words(plain(block)) if isinstance(block, str) else None for block in blocks]
    held = [tokens is not None and article.holds(tokens) for tokens in texts]
    if not any(held):
        return [], [block for block in blocks if isinstance(block, str)]
    first = held.index(True)
    last = len(held) - 1 - held[::-1].index(True)
    while first > 0 and isinstance(blocks[first - 1], Photo):
        first -= 1
    while last < len(blocks) - 1 and (isinstance(blocks[last + 1], Photo) or not texts[last + 1]):
        last += 1
    kept: list[str | Photo] = []
    dropped: list[str] = []
    for index, block in enumerate(blocks):
        if isinstance(block, Photo) or not texts[index]:
            if first <= index <= last or (isinstance(block, Photo) and _caption_held(block, article)):
                kept.append(block)
        elif held[index]:
            kept.append(block)
        else:
            dropped.append(block)
    return kept, dropped


LIST_ITEM = re.compile(r"^ *(?:[-+*]|\d+[.)]) ")


def _is_list(block: str | Photo) -> bool:
    return isinstance(block, str) and all(LIST_ITEM.match(line) for line in block.split("\n"))


def _items_held(block: str, article: _Text) -> str:
    """A list with only the items the article's text holds (a list of links beside the article's own),
    each line judged on its own, top-level numbers counted again; empty when it holds none."""
    kept, number = [], 0
    for line in block.split("\n"):
        tokens = words(plain(line))
        if not tokens or article.holds(tokens):  # (an item of no words, "-" or "*", tells nothing)
            if re.match(r" *\d+[.)] ", line) and not line.startswith(" "):
                number += 1
                line = re.sub(r"^\d+", str(number), line)
            kept.append(line)
    return "\n".join(kept)


def _caption_held(photo: Photo, article: _Text) -> bool:
    tokens = words(plain(photo.caption))
    return len(tokens) >= 4 and article.holds(tokens)


def _fill(blocks: list[str | Photo], placed: list[str], reading: Reading, boxes: list[str]) -> list[str | Photo]:
    """``blocks`` with each line of ``reading`` that is mostly new put after the block holding the
    line before it. Not new: what the blocks and captions hold, what is ``placed`` elsewhere (the
    title, lead, byline), the page's furniture in ``boxes``, and "see also" lines."""
    shown = [plain(block.caption if isinstance(block, Photo) else block) for block in blocks]
    article = reading.text.runs
    furniture = [  # a long "header" or "form" holding much of the article wraps it: it is no furniture
        box for box in boxes if len(box) < BOX or len(runs(words(box)) & article) < WRAPS * len(article)
    ]
    known = _Text(shown + placed + furniture)
    holders = _Holders(shown)
    result: list[list[str | Photo]] = [[block] for block in blocks]
    before: list[str | Photo] = []  # lines found before any block's
    place = -1  # the block after which the next missing line goes
    for line in reading.lines:
        tokens = words(line)
        if not tokens:
            continue
        own = runs(tokens)
        holder = holders.first(tokens, own)
        if holder is not None:
            place = max(place, holder)
        elif known.share(tokens, own) < NEW and not skipped(line):
            (result[place] if place >= 0 else before).append(block_start(text(line)))
    return before + [block for group in result for block in group]


class _Holders:
    """Texts (the blocks'), asked which is the first to hold a line: by an index of their runs of
    words, so a page of many blocks and lines costs what their runs do, not blocks × lines."""

    def __init__(self, values: list[str]) -> None:
        self.texts = [_Text([value]) for value in values]
        self.index: dict[tuple[str, ...], list[int]] = {}
        for number, held in enumerate(self.texts):
            for run in held.runs:
                self.index.setdefault(run, []).append(number)

    def first(self, tokens: list[str], own: set[tuple[str, ...]]) -> int | None:
        """The first text that holds ``tokens`` (:meth:`_Text.holds`; ``own``: their runs)."""
        if len(tokens) < 4:  # (held as a run of words, not by runs: asked of each)
            return next((number for number, held in enumerate(self.texts) if held.holds(tokens, own)), None)
        counts: dict[int, int] = {}
        for run in own:
            for number in self.index.get(run, ()):
                counts[number] = counts.get(number, 0) + 1
        return min((number for number, count in counts.items() if count / len(own) >= KEPT), default=None)
