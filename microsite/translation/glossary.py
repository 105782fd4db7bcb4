"""The newsroom's glossary: ``content/glossary.yaml``, Vietnamese term → English term, and names kept as written.

```yaml
terms:
  Bộ Công Thương: Ministry of Industry and Trade
  Quảng Ninh: Quang Ninh
keep:            # never translated
  - Vietcombank
```

Terms are matched whole-word and case-insensitively; the longest term wins where two overlap.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import ContentError
from ..files import read_nfc_text
from ..text import yaml_loader

NAMES = ("glossary.yaml", "glossary.yml")


@dataclass(frozen=True)
class Glossary:
    """Vietnamese term → English, keys in NFC; a kept name maps to itself."""

    terms: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def pattern(self) -> re.Pattern | None:
        """Every term, whole words, any case, longest first (compiled once per glossary)."""
        return self._pattern

    def english(self, found: str) -> str:
        """The English for a term as found in a text (any case)."""
        return self._folded[found.casefold()]

    @cached_property
    def _pattern(self) -> re.Pattern | None:
        if not self.terms:
            return None
        alternatives = sorted(self.terms, key=len, reverse=True)
        return re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(term) for term in alternatives) + r")(?!\w)", re.IGNORECASE
        )

    @cached_property
    def _folded(self) -> dict[str, str]:
        return {term.casefold(): english for term, english in self.terms.items()}

    def occurrences(self, text: str) -> list[tuple[str, str]]:
        """(term as found, English) for each glossary term in ``text``."""
        pattern = self.pattern()
        return [] if pattern is None else [(m.group(0), self.english(m.group(0))) for m in pattern.finditer(text)]


def load_glossary(content_dir: Path) -> Glossary:
    """Read the glossary if there is one; a misspelt name or bad entry raises ContentError."""
    found = [content_dir / name for name in NAMES if os.path.lexists(content_dir / name)]
    others = [p for p in sorted(content_dir.glob("glossary.*")) if p.name not in NAMES]
    if others:
        raise ContentError(others[0], "the glossary is read from content/glossary.yaml; rename or convert this file")
    if not found:
        return Glossary()
    path = found[0]
    data = _read_yaml(path)
    if not isinstance(data, dict) or set(data) - {"terms", "keep"}:
        raise ContentError(path, "write the glossary as `terms:` (Vietnamese: English) and `keep:` (a list of names)")
    raw_terms = data.get("terms") or {}
    raw_keep = data.get("keep") or []
    if not isinstance(raw_terms, dict) or not isinstance(raw_keep, list):
        raise ContentError(path, "`terms:` must map Vietnamese to English, `keep:` must be a list of names")
    terms = _terms(path, [*raw_terms.items(), *((name, name) for name in raw_keep)])
    return Glossary(terms, path)


def _read_yaml(path: Path) -> object:
    import yaml  # (only a build that checks translations, or translate, reads the glossary)

    try:
        return yaml.load(read_nfc_text(path), Loader=yaml_loader()) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(
            path, f"not valid YAML ({getattr(exc, 'problem', exc)})", mark.line + 1 if mark else None
        ) from None


def _terms(path: Path, pairs: list[tuple[object, object]]) -> dict[str, str]:
    """Vietnamese → English, each term checked (two texts) and found once, whatever its case."""
    terms: dict[str, str] = {}
    seen: dict[str, str] = {}
    for vi, en in pairs:
        if not isinstance(vi, str) or not isinstance(en, str) or not vi.strip() or not en.strip():
            raise ContentError(path, f"glossary entry {vi!r}: {en!r} must be two non-empty texts")
        vi, en = unicodedata.normalize("NFC", vi.strip()), unicodedata.normalize("NFC", en.strip())
        if vi.casefold() in seen:
            raise ContentError(path, f"{vi!r} is in the glossary twice (also as {seen[vi.casefold()]!r}); keep one")
        seen[vi.casefold()] = vi
        terms[vi] = en
    return terms
