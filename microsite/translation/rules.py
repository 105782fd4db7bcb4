"""English drafts that need no model: a segment that is only a number, a percentage, a date or an
amount with its unit (a table cell, most often) is written the English way by rule.

``2024`` → ``2024``; ``1.250.000`` → ``1,250,000``; ``8,5%`` → ``8.5%``; ``3,5 giờ`` → ``3.5 hours``;
``25/6/2021`` → ``25/6/2021`` (day/month/year, as British English writes it); ``120 tỷ đồng`` →
``120 billion dong``. Anything else is left to the model (None). Such a draft is still a draft:
marked as machine text until an editor reviews it.
"""

from __future__ import annotations

import re

from .protect import VI_NUMBER, english_number

LABEL = "number rules"  # the "engine" named in the drafts' comments
# Vietnamese unit → (English singular, plural); a scale word multiplies (triệu → million).
UNITS = {
    "%": ("%", "%"),
    "giờ": ("hour", "hours"),
    "tiếng": ("hour", "hours"),
    "phút": ("minute", "minutes"),
    "giây": ("second", "seconds"),
    "ngày": ("day", "days"),
    "tuần": ("week", "weeks"),
    "tháng": ("month", "months"),
    "năm": ("year", "years"),
    "tấn": ("tonne", "tonnes"),
    "kg": ("kg", "kg"),
    "km": ("km", "km"),
    "m": ("m", "m"),
    "m2": ("m²", "m²"),
    "m²": ("m²", "m²"),
    "ha": ("ha", "ha"),
    "người": ("person", "people"),
    "đồng": ("dong", "dong"),
    "USD": ("USD", "USD"),
    "VND": ("VND", "VND"),
    "TEU": ("TEU", "TEU"),
    "độ": ("degree", "degrees"),
    "°C": ("°C", "°C"),
}
SCALES = {"nghìn": "thousand", "ngàn": "thousand", "triệu": "million", "tỷ": "billion", "tỉ": "billion"}
_UNIT_NAMES = "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?P<sign>[-+−]?)(?P<number>{VI_NUMBER})\s*(?P<scale>{'|'.join(SCALES)})?\s*(?P<unit>{_UNIT_NAMES})?"
)
_DATE = re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})")


def rule_draft(source: str) -> str | None:
    """The English of a segment that is only a number, percentage, date or amount; else None."""
    text = " ".join(source.split())
    date = _DATE.fullmatch(text)
    if date is not None:
        day, month = int(date["day"]), int(date["month"])
        return f"{day}/{month}/{date['year']}" if 1 <= day <= 31 and 1 <= month <= 12 else None
    amount = _AMOUNT.fullmatch(text)
    if amount is None or not (amount["number"] or "").strip():
        return None
    number = english_number(amount["number"])
    words = [("-" if amount["sign"] in ("-", "−") else amount["sign"]) + number]
    if amount["scale"]:
        words.append(SCALES[amount["scale"]])
    unit = amount["unit"]
    if unit:
        singular, plural = UNITS[unit]
        name = singular if number == "1" and not amount["scale"] else plural
        if unit in ("%", "°C"):
            words[-1] += name
        else:
            words.append(name)
    return " ".join(words)
