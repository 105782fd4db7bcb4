"""Short texts libraries give (babel's day, month and language names; python-slugify's tag names
in URLs), kept between builds, so that an edit imports neither library.

Naming a language or writing a date loads babel's locale data, and importing babel.dates looks for
the machine's time zone among pytz's 600 zone files: ~35 ms of a build that renders a page, a tenth
of an edit's. Importing python-slugify compiles its patterns: ~7 ms. Their answers (days × editions,
months, a few names, the tags: thousands of short texts at most) are kept in .cache, sealed, under
the code version (the libraries' and Python's included): a library is imported only for a text not
kept yet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..cache import code_version, load_pickle, store_pickle

TEXTS_FILE = "babel-texts.pickle"
_texts: dict[tuple, str] = {}
_fresh: set[tuple] = set()  # worked out by this process, not kept yet
_recalled: set[Path] = set()


def kept_text(key: tuple, make: Callable[[], str]) -> str:
    """The text a library gives for ``key`` (``make`` asks it), kept once worked out."""
    text = _texts.get(key)
    if text is None:
        text = _texts[key] = make()
        _fresh.add(key)
    return text


def recall_texts(cache_dir: Path) -> None:
    """The texts as this user's builds of this code kept them in ``cache_dir`` (once a process)."""
    if cache_dir in _recalled:
        return
    _recalled.add(cache_dir)
    kept = load_pickle(cache_dir / TEXTS_FILE)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == code_version() and isinstance(kept[1], dict):
        for key, text in kept[1].items():
            _texts.setdefault(key, text)


def save_texts(cache_dir: Path) -> None:
    """The texts kept in ``cache_dir`` if any is new since they were last kept."""
    if _fresh and store_pickle(cache_dir / TEXTS_FILE, (code_version(), dict(_texts))):
        _fresh.clear()
