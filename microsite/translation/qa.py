"""Quality checks on a translated article, one finding per segment problem, with file and line.

A newsroom's publish gate: ``check`` lists the findings, ``--strict`` (on ``check`` and ``build``)
turns them into errors. Checked per segment: untranslated, machine draft, stale, numbers that do
not match (Vietnamese notation read as such: 1.234,5 = 1,234.5; a day-month date's month and a
number after "tháng" may become a month name), a glossary term whose English is missing, a link,
code span or emphasis lost, and English identical to a Vietnamese source.
"""

from __future__ import annotations

import re
from collections import Counter

from ..content.article import Article
from ..content.config import SiteConfig
from ..errors import Problem
from .catalog import EDITOR, MACHINE, MISSING, STALE, Catalog
from .glossary import Glossary, load_glossary
from .protect import URL, VI_NUMBER

_LINK_TARGET = re.compile(r"\]\(([^)\s]*)")
_URL = re.compile(URL)
_CODE = re.compile(r"`+[^`]*`+")
_EMPHASIS = re.compile(r"\*\*|__")
_DATE = re.compile(r"(?<![\d.,])(\d{1,2})[-/](\d{1,2})(?:[-/](\d{4}))?(?!\d|[.,]\d)")
_MONTH = re.compile(r"(tháng\s+)\d{1,2}(?!\d)", re.IGNORECASE)
_VI_NUMBER = re.compile(VI_NUMBER)
_EN_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


def findings(article: Article, catalog: Catalog, glossary: Glossary | None = None) -> list[Problem]:
    """Every QA finding for one article's translation; each names the PO entry (or the source) and its line."""
    problems = []
    segments = article.distinct_segments()
    if not any(catalog.translation(segment.source) for segment in segments):  # nothing yet: one line, not one each
        message = (
            f"no {catalog.language} translation yet ({len(segments)} segments); "
            f"run `python build.py translate {article.slug}` to draft it"
        )
        return [Problem(article.path, message)]
    for segment in segments:
        entry = catalog.entries.get(segment.source)
        state = catalog.state(segment.source)
        if state == MISSING:
            message = f"untranslated {segment.kind}: no {catalog.language} text in {catalog.path.name} yet"
            problems.append(Problem(article.path, message, segment.line))
            continue
        at = f"{segment.kind} at {article.path.name}:{segment.line}"
        if state in (MACHINE, EDITOR):
            problems.append(Problem(catalog.path, f"{state}, not reviewed yet ({at})", entry.line))
        elif state == STALE:
            problems.append(
                Problem(catalog.path, f"stale: the Vietnamese changed; review the English ({at})", entry.line)
            )
        for message in compare(segment.source, entry.msgstr, glossary):
            problems.append(Problem(catalog.path, f"{message} ({at})", entry.line))
    return problems


def compare(source: str, target: str, glossary: Glossary | None = None) -> list[str]:
    """What a translation lost or got wrong against its source."""
    messages = []
    missing = Counter(source_numbers(source)) - Counter(target_numbers(target))
    if missing:
        messages.append(f"number mismatch: {', '.join(sorted(missing))} not in the English")
    if glossary is not None:
        for term, english in glossary.occurrences(source):
            if english.casefold() not in target.casefold():
                messages.append(f"glossary: {term!r} should be {english!r}")
    lost = Counter(_LINK_TARGET.findall(source)) - Counter(_LINK_TARGET.findall(target))
    lost += Counter(_URL.findall(_LINK_TARGET.sub("](", source))) - Counter(
        _URL.findall(_LINK_TARGET.sub("](", target))
    )
    lost += Counter(_CODE.findall(source)) - Counter(_CODE.findall(target))
    if lost:
        messages.append(f"link or markup lost: {', '.join(sorted(lost))}")
    if len(_EMPHASIS.findall(source)) != len(_EMPHASIS.findall(target)):
        messages.append("emphasis lost: the English has a different number of ** or __ marks")
    if target.strip() == source.strip() and _VIETNAMESE.search(source):
        messages.append("the English is identical to the Vietnamese")
    return messages


def source_numbers(text: str) -> list[str]:
    """Numbers in Vietnamese text, as plain decimals; a date's month and 'tháng N' are left out."""
    text = _strip_markup(text)
    text = _DATE.sub(lambda m: " ".join(filter(None, (m.group(1), m.group(3)))), text)
    text = _MONTH.sub(r"\1", text)
    return [_plain(number.replace(".", "").replace(",", ".")) for number in _VI_NUMBER.findall(text)]


def target_numbers(text: str) -> list[str]:
    return [_plain(number.replace(",", "")) for number in _EN_NUMBER.findall(_strip_markup(text))]


def _strip_markup(text: str) -> str:
    return _CODE.sub(" ", _URL.sub(" ", _LINK_TARGET.sub("](", text)))


def _plain(number: str) -> str:
    """One spelling per value: no leading zeros, no trailing decimal zeros."""
    if "." in number:
        return number.rstrip("0").rstrip(".")
    return number.lstrip("0") or "0"


def site_findings(
    articles: list[Article], catalogs: dict[tuple[str, str], Catalog], config: SiteConfig
) -> list[Problem]:
    """The findings of every article's catalog in every target language (``check``, ``--strict``)."""
    glossary = load_glossary(config.content_dir)
    problems = []
    for article in articles:
        for language in config.targets:
            problems += findings(article, catalogs[article.slug, language.code], glossary)
    return problems
