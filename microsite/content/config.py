"""Read and validate site.toml once, at start: every problem is named by its key."""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from ..errors import ContentError, did_you_mean
from ..files import decode_utf8, read_bytes

TOP_KEYS = {"base_url", "source_language", "languages", "timezone", "per_page", "tag_feeds"}
PER_PAGE = 20  # articles on each page of a list (home pages, tag pages), unless site.toml says
LANGUAGE_KEYS = {"title", "description", "locale", "date_format", "publish"}
# What a translated edition publishes: only fully reviewed articles (the default), or drafts too.
REVIEWED_ONLY, DRAFTS_TOO = "reviewed", "drafts"
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


class Language(NamedTuple):
    """One edition of the site: its code, name on the page, and locale for dates and Open Graph."""

    code: str
    title: str
    description: str
    locale: str
    date_format: str = "long"
    publish: str = REVIEWED_ONLY  # a translated edition's policy: REVIEWED_ONLY or DRAFTS_TOO


class SiteConfig(NamedTuple):
    """Validated settings; the folders follow from the project root.

    Named tuples, not dataclasses, here and for :class:`~microsite.errors.Problem`: a build that
    finds nothing to do loads only this and the manifest, and ``dataclasses`` alone costs ~6 ms of
    its ~0.12 s.
    """

    root: Path
    base_url: str
    source_language: str
    languages: tuple[Language, ...]
    timezone: str = "UTC"
    per_page: int = PER_PAGE
    tag_feeds: bool = False  # an Atom feed for each tag page too
    cache_folder: Path | None = None  # set by a run whose .cache/ cannot be used (microsite.cache.open_cache)
    settings_digest: str | None = None  # sha256 of the site.toml bytes this was read from

    @property
    def source(self) -> Language:
        return self.language(self.source_language)

    @property
    def targets(self) -> tuple[Language, ...]:
        """The languages translated into: every language but the source."""
        return tuple(lang for lang in self.languages if lang.code != self.source_language)

    def language(self, code: str) -> Language:
        return next(lang for lang in self.languages if lang.code == code)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def output_dir(self) -> Path:
        return self.root / "site"

    @property
    def cache_dir(self) -> Path:
        return self.cache_folder or self.root / ".cache"

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, e.g. ``/repo/`` for a GitHub Pages project site."""
        return urlsplit(self.base_url).path


def load_config(path: Path, base_url: str | None = None, zone: bool = True) -> SiteConfig:
    """Read site.toml; ``base_url`` (from the command line) overrides the file's.

    ``zone=False``: the time zone's name is not looked up yet (:func:`check_zone` does): a build
    asks so, and checks it only when it has something to write; importing ``zoneinfo`` is 3% of a
    build that finds nothing changed since the last, which checked the same site.toml.
    """
    path = Path(path)
    if not os.path.lexists(path):
        raise ContentError(path, "site settings not found; run the command from the site's folder")
    raw = read_bytes(path)
    text = decode_utf8(path, raw)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise ContentError(path, f"not valid TOML: {exc}", line) from None
    _reject_unknown(path, text, data, TOP_KEYS, "")
    source = _required_str(path, text, data, "source_language")
    url = check_base_url(path, base_url if base_url is not None else _required_str(path, text, data, "base_url"))
    languages = _languages(path, text, data.get("languages"))
    codes = [lang.code for lang in languages]
    if source not in codes:
        raise ContentError(
            path,
            f"source_language {source!r} has no [languages.{source}] table; add one",
            _line_of(text, "source_language"),
        )
    timezone = data.get("timezone", "UTC")
    if not isinstance(timezone, str) or (zone and not _known_zone(timezone)):
        _unknown_zone(path, timezone)
    per_page = data.get("per_page", PER_PAGE)
    if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= 1000:
        raise ContentError(
            path, f"per_page {per_page!r} must be a whole number from 1 to 1000", _line_of(text, "per_page")
        )
    tag_feeds = data.get("tag_feeds", False)
    if not isinstance(tag_feeds, bool):
        raise ContentError(path, f"tag_feeds {tag_feeds!r} must be true or false", _line_of(text, "tag_feeds"))
    digest = hashlib.sha256(raw).hexdigest()
    return SiteConfig(path.parent.resolve(), url, source, languages, timezone, per_page, tag_feeds, None, digest)


def check_zone(config: SiteConfig) -> None:
    """Raise the error :func:`load_config` gives for a time zone no ``zoneinfo`` knows."""
    if not _known_zone(config.timezone):
        _unknown_zone(config.root / "site.toml", config.timezone)


def _unknown_zone(path: Path, timezone: object) -> None:
    raise ContentError(
        path,
        f"timezone {timezone!r} is not a time zone name such as 'Asia/Ho_Chi_Minh'",
        _line_of_text(path, "timezone"),
    )


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_base_url(path: Path, url: str) -> str:
    """An absolute http(s) URL ending in a slash, the public address of the site."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ContentError(
            path,
            f"base_url {url!r} must be an absolute http(s) URL such as 'https://newsroom.github.io/site/'",
            _line_of_text(path, "base_url"),
        )
    return url if url.endswith("/") else url + "/"


def _languages(path: Path, text: str, table: object) -> tuple[Language, ...]:
    if not isinstance(table, dict) or not table:
        raise ContentError(path, "add a [languages.<code>] table (title, description) for each language")
    result = []
    for code, settings in table.items():
        where = f"languages.{code}"
        if not LANGUAGE_CODE.fullmatch(code):
            raise ContentError(
                path, f"[{where}]: {code!r} is not a language code like 'vi' or 'en'", _line_of(text, where)
            )
        if not isinstance(settings, dict):
            raise ContentError(path, f"[{where}] must be a table with title and description", _line_of(text, where))
        _reject_unknown(path, text, settings, LANGUAGE_KEYS, where + ".")
        title = _required_str(path, text, settings, "title", where + ".")
        description = settings.get("description", "")
        locale = settings.get("locale", code)
        date_format = settings.get("date_format", "long")
        for key, value in (("description", description), ("locale", locale), ("date_format", date_format)):
            if not isinstance(value, str):
                raise ContentError(path, f"{where}.{key} must be a string", _line_of(text, key))
        publish = settings.get("publish", REVIEWED_ONLY)
        if publish not in (REVIEWED_ONLY, DRAFTS_TOO):
            raise ContentError(
                path,
                f'{where}.publish is {publish!r}; write publish = "{REVIEWED_ONLY}" (only articles whose every '
                f'passage is reviewed) or publish = "{DRAFTS_TOO}" (machine drafts too, marked as such)',
                _line_of(text, "publish"),
            )
        result.append(Language(code, title, description, locale, date_format, publish))
    return tuple(result)


def _required_str(path: Path, text: str, data: dict, key: str, prefix: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(path, f"{prefix}{key} is required and must be a non-empty string", _line_of(text, key))
    return value


def _reject_unknown(path: Path, text: str, data: dict, allowed: set[str], prefix: str) -> None:
    for key in data:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ContentError(
                path,
                f"unknown setting {prefix}{key}{did_you_mean(key, allowed)}; known settings: {known}",
                _line_of(text, key),
            )


def _line_of(text: str, key: str) -> int | None:
    """Best-effort line of a key or table header (tomllib does not report positions)."""
    last = key.rsplit(".", 1)[-1]
    pattern = re.compile(rf"^\s*(\[{re.escape(key)}\]|{re.escape(last)}\s*=)", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _line_of_text(path: Path, key: str) -> int | None:
    try:
        return _line_of(path.read_text(encoding="utf-8"), key)
    except OSError:
        return None
