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
from ..content.blocks import PARAGRAPH
from ..content.markup import MARKDOWN_KINDS
from ..errors import Problem
from ..inline import new_problems
from .catalog import EDITOR, MACHINE, MISSING, STALE, Catalog
from .glossary import Glossary
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


class QAFinding(Problem):
    """Something wrong with a translation's text (what :func:`compare` finds), not its review state.

    The count of these is "QA findings" everywhere: ``check``'s lines and the desk's overview.
    """


def findings(article: Article, catalog: Catalog, glossary: Glossary | None = None) -> list[Problem]:
    """Every finding for one article's translation (review state, then QA), naming the entry and its line."""
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
        if state == MISSING and segment.optional:
            continue  # shown as written until translated (a byline): nothing held back
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
        found = compare(segment.source, entry.msgstr, glossary, segment.kind, article.references)
        for message in entry.open_findings(found):  # an editor's settled findings are not raised again
            problems.append(QAFinding(catalog.path, f"{message} ({at})", entry.line))
    return problems


def compare(
    source: str,
    target: str,
    glossary: Glossary | None = None,
    kind: str = PARAGRAPH,
    references: str = "",
) -> list[str]:
    """What a translation lost or got wrong against its source; ``kind`` is the segment's (Markdown or plain)."""
    messages = []
    if kind in MARKDOWN_KINDS:
        messages += [problem.message for problem in new_problems(source, target, references)]
    source_periods, target_periods = Counter(), Counter()
    source_text = _periods(_strip_markup(source), _VI_PERIODS, source_periods)
    target_text = _periods(_strip_markup(target), _EN_PERIODS, target_periods, wanted=source_periods)
    lost_periods = source_periods - target_periods
    if lost_periods:
        names = ", ".join(f"{name} ({_PERIOD_NAMES[name]})" for name in sorted(lost_periods))
        messages.append(f"period mismatch: {names} not in the English")
    missing = _missing_numbers(_source_values(source_text), _target_values(target_text))
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
    else:
        left = vietnamese_left(source, target, glossary)
        if left:
            messages.append(
                f"Vietnamese left in the English: {', '.join(left)}; "
                "translate it, or list a name under keep: in glossary.yaml"
            )
    return messages


# --- numbers, read as each language writes them ------------------------------------------------

_VI_DIGITS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
              "mười": 10, "nhất": 1}  # fmt: skip
_EN_WORDS = {
    word: value
    for value, words in enumerate(
        [
            "zero", "one first once", "two second twice double doubled twofold half halved",
            "three third thrice triple tripled threefold",
            "four fourth quadruple quarter", "five fifth", "six sixth", "seven seventh", "eight eighth",
            "nine ninth", "ten tenth", "eleven eleventh", "twelve twelfth dozen", "thirteen thirteenth",
            "fourteen fourteenth", "fifteen fifteenth", "sixteen sixteenth", "seventeen seventeenth",
            "eighteen eighteenth", "nineteen nineteenth", "twenty twentieth",
        ]
    )
    for word in words.split()
}  # fmt: skip
_EN_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
                  "hundred": 100, "thousand": 1000})  # fmt: skip
# Vietnamese days are numbered: thứ Hai (2) is Monday ... thứ Bảy (7) Saturday.
_WEEKDAYS = {"monday": 2, "tuesday": 3, "wednesday": 4, "thursday": 5, "friday": 6, "saturday": 7}
_ORDINAL = re.compile(r"\bthứ\s+(" + "|".join(_VI_DIGITS) + r")\b", re.IGNORECASE)
_ROMAN = re.compile(r"(?<![\w.-])(X{0,3})(IX|IV|V?I{0,3})(?![\w-])")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_VI_SCALE = re.compile(r"\s*(triệu tỷ|nghìn tỷ|ngàn tỷ|nghìn|ngàn|triệu|tỷ|tỉ|vạn|tr)\b\.?", re.IGNORECASE)
_EN_SCALE = re.compile(r"\s*(thousand|million|billion|trillion|k|m|bn|tn)\b", re.IGNORECASE)
_SCALES = {"nghìn": 3, "ngàn": 3, "vạn": 4, "triệu": 6, "tr": 6, "tỷ": 9, "tỉ": 9, "nghìn tỷ": 12, "ngàn tỷ": 12,
           "triệu tỷ": 15,
            "thousand": 3, "k": 3, "million": 6,
           "m": 6, "billion": 9, "bn": 9, "trillion": 12, "tn": 12}  # fmt: skip
_CLOCK = re.compile(r"\s*(?:(?:giờ|h)(?![^\W\d_])|g(?=\d))", re.IGNORECASE)  # 15 giờ, 15h, 14h30, 14g30
# An English time with its minutes after a point (2.30 pm): the hour and the minutes, not a decimal.
_EN_TIME = re.compile(r"\b(\d{1,2})\.(\d{2})(?=\s*(?:a\.?m\b|p\.?m\b|am\b|pm\b|h\b|hrs\b|o'clock))", re.I)
# "a third", "one-quarter", "a half": the 1 of a Vietnamese 1/3, 1/4, 1/2.
_EN_UNIT_FRACTION = re.compile(r"\b(?:a|one)[ -](?:half|third|quarter|fifth|sixth|eighth|tenth)\b", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _roman(text: str) -> list[tuple[str, int]]:
    found = []
    for match in _ROMAN.finditer(text):
        numeral = match.group()
        if numeral and (len(numeral) > 1 or numeral in "VX" or _numeral_context(text, match)):
            value, previous = 0, 0
            for letter in reversed(numeral):
                digit = _ROMAN_VALUES[letter]
                value += -digit if digit < previous else digit
                previous = max(previous, digit)
            found.append((numeral, value))
    return found


def _numeral_context(text: str, match: re.Match) -> bool:
    """A lone "I" is a numeral after a capitalised name (Bến Thủy I, World War I), not the pronoun."""
    before = text[: match.start()].rstrip()
    return bool(before) and before.split()[-1][:1].isupper() and not text[match.end() :].lstrip()[:1].islower()


def _source_values(text: str) -> list[tuple[str, str, str | None]]:
    """(as written, value, value times its scale word) for each number of a Vietnamese text."""
    text = _DATE.sub(lambda m: " ".join(filter(None, (m.group(1), m.group(3)))), text)
    text = _MONTH.sub(r"\1", text)
    values = []
    for match in _VI_NUMBER.finditer(text):
        value = _plain(match.group().replace(".", "").replace(",", "."))
        scale = _VI_SCALE.match(text, match.end())
        scaled = _scaled(value, _SCALES[scale.group(1).lower()]) if scale else None
        if scaled is None and _CLOCK.match(text, match.end()) and value.isdigit() and 13 <= int(value) <= 23:
            scaled = str(int(value) - 12)  # "15 giờ" is 3 p.m.
        values.append((value, value, scaled))
    for match in _ORDINAL.finditer(text):
        values.append((match.group(), str(_VI_DIGITS[match.group(1).lower()]), None))
    values += [(numeral, str(value), None) for numeral, value in _roman(text)]
    return values


def _target_values(text: str) -> Counter:
    """Every value an English text states: digits, scaled amounts, number and ordinal words, numerals."""
    values = Counter()
    text = _EN_TIME.sub(r"\1 \2", text)
    values["1"] += len(_EN_UNIT_FRACTION.findall(text))
    for match in _EN_NUMBER.finditer(text):
        value = _plain(match.group().replace(",", ""))
        scale = _EN_SCALE.match(text, match.end())  # "15 billion" is 15e9, never a 15 of another scale
        if scale is not None and scale.group(1).lower() in ("m", "k"):  # a unit as often as a scale: metres, km
            if scale.group(0) != scale.group(1):
                scale = None  # "260 m", "5 k…": set apart, as units are written (a scale is attached: "$5m")
            else:
                values[value] += 1  # "37m": 37 metres or 37 million; either may be meant
        values[_scaled(value, _SCALES[scale.group(1).lower()]) if scale else value] += 1
    for word in _WORD.findall(text):
        folded = word.casefold()
        if folded in _EN_WORDS:
            values[str(_EN_WORDS[folded])] += 1
        elif folded in _WEEKDAYS:
            values[str(_WEEKDAYS[folded])] += 1
    values.update(str(value) for _, value in _roman(text))
    return values


def _missing_numbers(source: list[tuple[str, str, str | None]], target: Counter) -> list[str]:
    missing = []
    for written, value, scaled in source:
        if target[value] > 0:
            target[value] -= 1
        elif scaled is not None and target[scaled] > 0:
            target[scaled] -= 1
        else:
            missing.append(written)
    return missing


def _scaled(value: str, power: int) -> str:
    whole, _, fraction = value.partition(".")
    digits = whole + fraction.ljust(power, "0")[:power] if len(fraction) <= power else None
    if digits is None:
        return f"{value}e{power}"
    return _plain(digits + ("." + fraction[power:] if len(fraction) > power else ""))


def source_numbers(text: str) -> list[str]:
    """Numbers in Vietnamese text, as plain decimals; a date's month and 'tháng N' are left out."""
    return [value for _, value, _ in _source_values(_periods(_strip_markup(text), _VI_PERIODS, Counter()))]


def target_numbers(text: str) -> list[str]:
    return list(_target_values(_periods(_strip_markup(text), _EN_PERIODS, Counter())).elements())


def _strip_markup(text: str) -> str:
    return _CODE.sub(" ", _URL.sub(" ", _LINK_TARGET.sub("](", text)))


def _plain(number: str) -> str:
    """One spelling per value: no leading zeros, no trailing decimal zeros."""
    if "." in number:
        return number.rstrip("0").rstrip(".")
    return number.lstrip("0") or "0"


# --- periods: the Vietnamese "6 tháng đầu năm", "quý I" and their English equivalents -------------

_N = r"(\d{1,2}|một|hai|ba|bốn|tư|năm|sáu|bảy|tám|chín|mười|mười một|mười hai)"
_EN_N = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "nhất": 1}
_VI_PERIODS = [
    (re.compile(r"\blũy kế\s+" + _N + r"\s+tháng\b", re.I), lambda m: f"first {_count(m[1])} months"),
    (re.compile(r"\bnửa đầu năm\b", re.IGNORECASE), lambda m: "first 6 months"),
    (re.compile(r"\bnửa (?:cuối|sau) năm\b", re.IGNORECASE), lambda m: "last 6 months"),
    (
        re.compile(_N + r"\s+tháng\s+(?:đầu|đầu tiên của)\s+năm\b", re.IGNORECASE),
        lambda m: f"first {_count(m[1])} months",
    ),
    (
        re.compile(_N + r"\s+tháng\s+(?:cuối|cuối cùng của)\s+năm\b", re.IGNORECASE),
        lambda m: f"last {_count(m[1])} months",
    ),
    (re.compile(r"\bquý\s+(IV|III|II|I|[1-4]|một|hai|ba|bốn|tư)\b", re.IGNORECASE), lambda m: f"Q{_quarter(m[1])}"),
    (re.compile(r"\bquý\s+thứ\s+(nhất|hai|ba|tư)\b", re.IGNORECASE), lambda m: f"Q{_quarter(m[1])}"),
]
_EN_PERIODS = [
    (re.compile(r"\b(?:first|1st)[ -]half\b|\bH1\b|\b1H\b|\bhalf-year\b", re.IGNORECASE), lambda m: "first 6 months"),
    (re.compile(r"\b(?:second|2nd|last|latter)[ -]half\b|\bH2\b|\b2H\b", re.IGNORECASE), lambda m: "last 6 months"),
    (re.compile(r"\b(?:first|opening)\s+" + _EN_N + r"\s+months\b", re.I), lambda m: f"first {_count(m[1])} months"),
    (re.compile(r"\b(?:last|final|closing)\s+" + _EN_N + r"\s+months\b", re.I), lambda m: f"last {_count(m[1])} months"),  # noqa: E501
    (re.compile(r"\b(\d{1,2})M\b"), lambda m: f"first {int(m[1])} months"),
    (re.compile(r"\bQ([1-4])\b", re.IGNORECASE), lambda m: f"Q{m[1]}"),
    (re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[ -]quarter\b", re.IGNORECASE),
     lambda m: f"Q{_EN_ORDINAL_QUARTER[m[1].lower()]}"),
]  # fmt: skip
_EN_ORDINAL_QUARTER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_PERIOD_NAMES = {"first 6 months": "first half, H1", "last 6 months": "second half, H2"}
_PERIOD_NAMES.update({f"Q{n}": f"{['first', 'second', 'third', 'fourth'][n - 1]} quarter" for n in range(1, 5)})
_PERIOD_NAMES.update({f"first {n} months": f"{n}M" for n in range(1, 13) if n != 6})
_PERIOD_NAMES.update({f"last {n} months": f"last {n} months" for n in range(1, 13) if n != 6})


# A word that every period expression above holds, in either language.
_MAY_HOLD_PERIOD = re.compile(r"tháng|quý|nửa|half|months|quarter|\b(?:Q[1-4]|[12]H|H[12]|\d{1,2}M)\b", re.I)


def _count(word: str) -> int:
    word = word.lower()
    if word.isdigit():
        return int(word)
    if word in ("mười một",):
        return 11
    if word in ("mười hai",):
        return 12
    return _VI_DIGITS.get(word) or _EN_WORDS[word]


def _quarter(word: str) -> int:
    return int(word) if word.isdigit() else _QUARTER[word.lower()]


def _periods(text: str, patterns: list, found: Counter, wanted: Counter | None = None) -> str:
    """The text with each period expression counted in ``found`` and taken out (its numbers are its own).

    With ``wanted`` (the source's periods), an English period the source does not have stays in
    the text: "the first five months" may just as well translate "lũy kế 5 tháng", a count.
    """
    if not _MAY_HOLD_PERIOD.search(text):  # most text has none: skip the patterns
        return text
    for pattern, name in patterns:

        def take(match: re.Match, name=name) -> str:
            period = name(match)
            if wanted is not None and found[period] >= wanted[period]:
                return match.group()
            found[period] += 1
            return " "

        text = pattern.sub(take, text)
    return text


# --- Vietnamese left in the English ----------------------------------------------------------

# Letters only Vietnamese uses (an English text may hold café or à la, never ơ, ư, ạ or đ).
_VI_ONLY = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĩũõã]", re.IGNORECASE)


def vietnamese_left(source: str, target: str, glossary: Glossary | None = None) -> list[str]:
    """Words of the English written in Vietnamese: not a kept name, not a proper noun the source has."""
    if not _VIETNAMESE.search(target):  # most English has no such letter at all
        return []
    folded_source = source.casefold()
    candidates = [
        word
        for word in dict.fromkeys(_WORD.findall(_strip_markup(target)))
        if _VI_ONLY.search(word) or (_VIETNAMESE.search(word) and word.casefold() in folded_source)
    ]
    if glossary is not None and candidates:
        kept = {word.casefold() for english in glossary.terms.values() for word in _WORD.findall(english)}
        candidates = [word for word in candidates if word.casefold() not in kept]
    if not any(word[:1].isupper() for word in candidates):
        return candidates
    # A name: capitalised in the Vietnamese past a sentence's start, or kept capitalised mid-sentence
    # in the English while the Vietnamese has it ("Huế đẹp." → "The city of Huế").
    source_words = set(_WORD.findall(_strip_markup(source)))
    names = _names(_strip_markup(source)) | (_names(_strip_markup(target)) & source_words)
    return [word for word in candidates if not (word[:1].isupper() and word in names)]


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“(])\s*(?=[^\W\d_])")


def _names(text: str) -> set[str]:
    """Capitalised words that are names: not a sentence's first word, unless a capitalised word joins it."""
    starts = {match.end() for match in _SENTENCE_START.finditer(text)}
    words = list(re.finditer(r"[^\W\d_]+", text))
    capital = [match.group()[:1].isupper() for match in words]
    joined = [  # word n and word n + 1 are both capitalised, with only a space or hyphen between
        capital[n] and capital[n + 1] and not text[words[n].end() : words[n + 1].start()].strip(" -")
        for n in range(len(words) - 1)
    ]
    names = set()
    for number, match in enumerate(words):
        if not capital[number]:
            continue
        beside = (number > 0 and joined[number - 1]) or (number < len(joined) and joined[number])
        if match.start() not in starts or beside:
            names.add(match.group())
    return names
