"""Typography for readers: curly quotes and apostrophes, en dashes in number ranges.

Writers and translation engines type straight quotes (``"``, ``'``) and hyphens in ranges
(``2019-2020``, ``18-20%``). Both editions get “double” and ‘single’ curly quotes (Vietnamese
news writing uses the same marks as English) and ’ for apostrophes. English also gets – between
the two numbers of a range; Vietnamese keeps its hyphen, which also writes dates (``ngày 25-6``
is 25 June). Dates written with hyphens (2024-05-07) and anything inside code stay as written.
What an editor typed is never changed in the files: this is applied only to what pages show.
"""

from __future__ import annotations

import re

_OPENS_AFTER = " \t\n([{“‘—–-/"  # a quote after one of these (or at the start) opens
# Two numbers joined by a hyphen, not part of a date, a time or a code; a number with a leading
# zero (0203-3835) is a telephone or reference number, not a range.
_NUMBER = r"(?!0\d)\d{1,4}(?:[.,]\d+)?"
_RANGE = re.compile(rf"(?<![\d\-–./:])({_NUMBER})-({_NUMBER})(?![\d\-–/:]|[.,]\d)")
_TAG = re.compile(r"(<[^>]*>)")
RANGE_DASHES = {"en"}  # languages whose conventions want an en dash in a range of numbers
_QUOTE = re.compile("[\"']")
_CURLY = {('"', True): "“", ('"', False): "”", ("'", True): "‘", ("'", False): "’"}
_VERBATIM = {"code", "pre", "kbd", "samp", "script", "style"}
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre", "figcaption", "div", "br"}


def smarten(text: str, language: str, before: str = "") -> str:
    """Plain text in ``language`` with curly quotes, apostrophes (and range dashes where its
    conventions want them); ``before``: the text just before it."""
    if '"' not in text and "'" not in text and "-" not in text:
        return text
    if language in RANGE_DASHES:
        text = _RANGE.sub("\\1–\\2", text)
    if '"' not in text and "'" not in text:
        return text
    # A quote opens after a space, a bracket or a dash (or at the start), else it closes; the
    # character before a quote is the one readers see there (a quote just made curly).
    out = []
    done = 0  # where the text not yet copied to ``out`` starts
    previous = before[-1:] if before else ""
    for quote in _QUOTE.finditer(text):
        at = quote.start()
        if at > done:
            out.append(text[done:at])
            previous = text[at - 1]
        opens = not previous or previous in _OPENS_AFTER
        previous = _CURLY[quote.group(), opens]
        out.append(previous)
        done = at + 1
    out.append(text[done:])
    return "".join(out)


def smarten_html(html: str, language: str) -> str:
    """HTML with :func:`smarten` applied to its text, never inside tags, code or preformatted text."""
    if '"' not in html and "'" not in html and "-" not in html:
        return html
    parts = _TAG.split(html)
    verbatim = 0
    text_so_far = ""
    for number, part in enumerate(parts):
        if number % 2:  # a tag
            name = (part.strip("</>").split() or [""])[0].lower()
            if name in _VERBATIM:
                verbatim += -1 if part.startswith("</") else 1
            if name in _BLOCKS:
                text_so_far = ""  # a quote opening a paragraph or cell opens, whatever came before
            continue
        if part and not verbatim:
            parts[number] = smarten(part, language, text_so_far)
        text_so_far = parts[number] or text_so_far
    return "".join(parts)
