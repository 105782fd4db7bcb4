"""Inline Markdown of one segment, read one way by every stage: rendered, and its broken syntax found.

python-markdown renders a segment's inline markup (:class:`InlineMarkdown`; the publish stage
sanitises what it gives). What it leaves as text is broken syntax: the content stage reports it in
the Vietnamese (:mod:`microsite.content.markup`), translation QA in the English. Imports nothing
from the project.

A segment's text (Vietnamese or a translation) is inline Markdown: links, images, emphasis, code.
Where that syntax is broken, python-markdown shows it as it is (``[bài gốc(https://…)``,
``**đậm``); :func:`markup_problems` renders the text and reports what was left over, so broken
markup is caught before readers see it. Leftovers that can only be a mistake are errors; ones a
writer may have meant (a lone ``*`` or ``_``) are warnings, silenced by escaping them (``\\*``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from typing import NamedTuple

# Text without any of these is plain: Markdown would only escape it.
MARKUP = re.compile(r"[\\`*_\[\]<>&]")
BLOCK_START = re.compile(r"(?:#{1,6}(?:\s|$)|[-+*]\s|\d+[.)](?:\s|$)|>)")
_ESCAPED = re.compile(r"\\([\\`*_\[\]()!#+\-.{}>|])")
_HIDDEN = 0xE000  # an escaped character X stands as chr(_HIDDEN + ord(X)) while looking for leftovers
_SYNTAX = re.compile(r"[`*_\[\]]")


class InlineMarkdown:
    """python-markdown set up as the site renders segments; made on first use (plain text never needs it)."""

    def __init__(self) -> None:
        self._markdown = None

    def convert(self, text: str) -> str:
        if self._markdown is None:
            import markdown
            from markdown.extensions.fenced_code import FencedCodeExtension
            from markdown.extensions.sane_lists import SaneListExtension
            from markdown.extensions.tables import TableExtension

            extensions = [TableExtension(), SaneListExtension(), FencedCodeExtension()]
            self._markdown = markdown.Markdown(extensions=extensions, output_format="html")
        self._markdown.reset()
        return self._markdown.convert(text)

    def inline(self, text: str, references: str = "") -> str:
        """A segment's text as inline HTML, unsanitised; plain text skips Markdown (most news text is plain).

        ``references`` are the article's link reference definitions, for ``[text][ref]`` links.
        """
        text = " ".join(text.split())
        if not MARKUP.search(text):
            return text
        # A translation that starts like a block ("2021. ", "# ", "> ") must stay inline text.
        match = BLOCK_START.match(text)
        if match:
            first = next(i for i in range(match.end()) if text[i] in "#-+*>.)")
            text = text[:first] + "\\" + text[first:]
        converted = self.convert(f"{text}\n\n{references}" if references else text)
        if converted.startswith("<p>") and converted.endswith("</p>") and converted.count("<p>") == 1:
            return converted[3:-4]
        return converted


class MarkupProblem(NamedTuple):
    """Broken inline syntax in a segment: ``error`` when it cannot have been meant."""

    error: bool
    what: str  # what is wrong and how to mend it
    excerpt: str  # the text around it, as readers would see it

    @property
    def message(self) -> str:
        return f"{self.what}: {self.excerpt}"


_converter = InlineMarkdown()
# "[words] (https://…)" or "[words]https://…": a link split apart ("[Ảnh] (TTXVN)" is plain text).
_SPLIT_LINK = r"\]\s*(?:\(\s*)?(?:https?://|www\.|mailto:)|\]\s+\(\s*(?:/|#|images/)"


BROKEN_IMAGE = 'broken image syntax, shown as text; write ![alt](images/file.jpg "caption") with its closing )'
BROKEN_LINK = "broken link syntax, shown as text; write [words](https://address) with both brackets closed"
UNDEFINED_REFERENCE = "a link reference that is not defined, shown as text; add its [name]: https://… line"
UNBALANCED = "unclosed [ or ], shown as text; close the link text ([words](https://address)) or write \\["
UNCLOSED_CODE = "unclosed code span: a ` without its closing `"
LONE = "a lone {mark} shown as it is; close the emphasis ({mark}words{mark}) or write \\{mark} if it is meant"


@lru_cache(maxsize=4096)
def markup_problems(text: str, references: str = "") -> tuple[MarkupProblem, ...]:
    """What Markdown left as text in a segment: unbalanced link or image syntax, unclosed emphasis or code."""
    if not _SYNTAX.search(text):
        return ()
    # An escaped \* is the writer saying "the character, not markup": hidden from the search.
    hidden = _ESCAPED.sub(lambda m: chr(_HIDDEN + ord(m.group(1))), text)
    shown = _visible_text(_converter.inline(hidden, references))
    problems = []

    def report(message: str, at: int, error: bool = True) -> None:
        problems.append(MarkupProblem(error, message, _excerpt(shown, at)))

    if (at := shown.find("![")) >= 0 and "](" in shown[at:]:
        report(BROKEN_IMAGE, at)
    elif (at := shown.find("](")) >= 0 or (at := _find(_SPLIT_LINK, shown)) >= 0:
        report(BROKEN_LINK, at)
    elif (at := shown.find("][")) >= 0:
        report(UNDEFINED_REFERENCE, at)
    elif (at := _unbalanced(shown)) >= 0:  # an error where it looks like a link, else maybe meant
        report(UNBALANCED, at, error=shown[at] == "[" and bool(re.search(r"\(|://", shown[at:])))
    if (at := shown.find("`")) >= 0:
        report(UNCLOSED_CODE, at)
    if (at := _find(r"\*\*|__", shown)) >= 0:
        report(f"unclosed bold: {shown[at : at + 2]} without its closing {shown[at : at + 2]}", at)
    elif (at := shown.find("*")) >= 0:
        report(LONE.format(mark="*"), at, error=False)
    elif (at := _find(r"(?<!\w)_|_(?!\w)", shown)) >= 0:
        report(LONE.format(mark="_"), at, error=False)
    return tuple(problems)


def _find(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return match.start() if match else -1


def _unbalanced(text: str) -> int:
    """Where the first unmatched square bracket is, or -1."""
    opened: list[int] = []
    for at, char in enumerate(text):
        if char == "[":
            opened.append(at)
        elif char == "]":
            if not opened:
                return at
            opened.pop()
    return opened[0] if opened else -1


def _excerpt(text: str, at: int) -> str:
    start, end = max(0, at - 20), min(len(text), at + 30)
    snippet = re.sub("[\ue000-\ue07f]", lambda m: "\\" + chr(ord(m.group()) - _HIDDEN), text[start:end])
    return f"{'…' if start else ''}{snippet}{'…' if end < len(text) else ''}"


class _TextOutsideCode(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.code = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("code", "pre"):
            self.code += 1
        elif tag == "img":
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "pre"):
            self.code = max(0, self.code - 1)

    def handle_data(self, data: str) -> None:
        self.parts.append(" " if self.code else data)


def _visible_text(html: str) -> str:
    parser = _TextOutsideCode()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def new_problems(source: str, target: str, references: str = "") -> list[MarkupProblem]:
    """A translation's broken markup that its source does not have (a source's own is reported with it)."""
    known = {problem.what for problem in markup_problems(source, references)}
    return [problem for problem in markup_problems(target, references) if problem.what not in known]
