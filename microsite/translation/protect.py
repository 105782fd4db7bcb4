"""Keep what machine translation must not touch, and write numbers the English way.

Before a segment goes to the engine, link targets, URLs, code, inline HTML, glossary terms and
numbers with separators are replaced by placeholders (``QZ1X``) that the engine copies; afterwards
the placeholders become the protected text, the glossary's English and the English notation of
each number (1.234,5 → 1,234.5; 38,95% → 38.95%). If the engine lost or repeated a placeholder, or
an emphasis or link bracket, the segment is translated again piece by piece between the protected
parts, so markup always survives.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .glossary import Glossary

# A bare URL in running text; the end leaves out punctuation and closing quotes that follow it.
URL = r"(?:https?://|www\.)[^\s<>()\[\]\"]*[^\s<>()\[\].,;:!?\"'”’]"
# A number in Vietnamese notation: "." groups thousands, "," marks decimals (1.234,5).
VI_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_PROTECTED = re.compile(
    r"(?P<code>`+)[^`]*?(?P=code)"  # code span
    r"|!\[[^\]]*\]\([^)]*\)"  # inline image, kept whole
    r"|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # a link's target: ](url "title")
    r"|<(?:https?://|mailto:)[^>]*>"  # autolink
    r"|</?[A-Za-z][^>]*>"  # inline HTML
    r"|\\[\\`*_{}\[\]()#+\-.!]"  # backslash escape
    r"|" + URL
)
# Numbers whose notation differs in English: grouped thousands or a decimal comma.
NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+)(?![\w]|[.,]\d)")
_PLACEHOLDER = re.compile(r"QZ(\d+)X")
_MARKS = re.compile(r"\*\*|\*|__|(?<!\w)_|_(?!\w)|\[|\]")


def english_number(vietnamese: str) -> str:
    """1.234,5 → 1,234.5; 38,95 → 38.95."""
    return vietnamese.replace(".", "\0").replace(",", ".").replace("\0", ",")


@dataclass
class Masked:
    """A segment ready for the engine: ``text`` with placeholders, and what each one stands for."""

    source: str
    text: str
    slots: dict[str, str] = field(default_factory=dict)

    def unmask(self, output: str) -> str | None:
        """The English with every placeholder filled, or None if the engine lost markup."""
        found = Counter(_PLACEHOLDER.findall(output))
        if any(found[key[2:-1]] != 1 for key in self.slots) or sum(found.values()) != len(self.slots):
            return None
        if Counter(_MARKS.findall(_PLACEHOLDER.sub(" ", output))) != Counter(_MARKS.findall(self.text)):
            return None
        return _PLACEHOLDER.sub(lambda m: self.slots[m.group(0)], output)

    def pieces(self) -> list[tuple[bool, str]]:
        """(translate?, text) runs: the text between protected parts and markup, for the piecewise retry."""
        runs: list[tuple[bool, str]] = []
        position = 0
        marks = re.compile(_PLACEHOLDER.pattern + "|" + _MARKS.pattern)
        for match in marks.finditer(self.text):
            runs.append((True, self.text[position : match.start()]))
            runs.append((False, self.slots.get(match.group(0), match.group(0))))
            position = match.end()
        runs.append((True, self.text[position:]))
        return [(translate and bool(re.search(r"\w", text)), text) for translate, text in runs if text]


def mask(source: str, glossary: Glossary | None = None) -> Masked:
    """Replace protected parts of ``source`` by placeholders."""
    masked = Masked(source, source)

    def slot(value: str) -> str:
        key = f"QZ{len(masked.slots) + 1}X"
        masked.slots[key] = value
        return key

    text = _PROTECTED.sub(lambda m: slot(m.group(0)), source)
    pattern = glossary.pattern() if glossary else None
    if pattern is not None:
        text = pattern.sub(lambda m: slot(glossary.english(m.group(0))), text)
    text = NUMBER.sub(lambda m: slot(english_number(m.group(0))), text)
    masked.text = text
    return masked


def join_pieces(runs: list[tuple[bool, str]], translated: list[str]) -> str:
    """Put a piecewise translation back together, keeping each run's surrounding spaces."""
    results = iter(translated)
    parts = []
    for translate, text in runs:
        if translate:
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            parts.append(lead + next(results).strip() + trail)
        else:
            parts.append(text)
    return "".join(parts)
