"""What an article's pages are made of besides their page template, kept for the next build.

A template edit renders every article page again. Most of a page's time is its body (Markdown,
the sanitiser, typography, the figures), its card on list pages and its feed entry; none uses
``article.html`` or ``base.html``, where most template edits are made. So each article keeps
them, per edition, in one sealed file of ``.cache/fragments/`` (one per article folder, replaced
when the article is rendered again): the body compressed, the card's HTML, and the stamp of its
feed entry's file in ``.cache/pages/`` (named by the fragments' key, so a page template edit
neither renders nor writes it again). They are kept under a key of everything they depend on: the
article's own files, the code, the options, ``site.toml``, ``strings.toml`` and every file of
``templates/`` except the page templates that the fragments' templates (``_figure.html``,
``_card.html``, ``_entry.xml``) never include, import or extend. An edit to one of those, or a
template that names another only at run time, keys everything as before: the fragments are made
again.

Reused only when sealed by this user's build (:func:`..cache.load_pickle`) and holding the same key:
a file from anywhere else is ignored and made again; an entry's file is used only with the stamp
it was written with.
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

from markupsafe import Markup

from ..cache import Stamp, code_version, load_pickle, store_pickle

FORMAT = 2
TEMPLATES = ("_figure.html", "_card.html", "_entry.xml")  # what the kept fragments are rendered with
PAGE_TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")


def templates_used(env, names: tuple[str, ...]) -> set[str] | None:
    """``names`` and every template they include, import or extend, at any depth; None when one
    names a template only at run time (``{% include name %}``), is missing or cannot be parsed."""
    import jinja2
    from jinja2 import meta

    found: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
            referenced = set(meta.find_referenced_templates(env.parse(source)))
        except (jinja2.TemplateError, OSError, UnicodeDecodeError):
            return None
        if None in referenced:
            return None
        todo += [reference for reference in referenced if reference not in found]
    return found


class TemplatesUsed:
    """:func:`templates_used` for one build (``env``'s templates as the build read them), kept
    between builds in one sealed file, ``path``, under a key of the code and every template's text:
    parsing the templates is ~3% of an edit at 1,000 articles. Without the texts or a ``path``, each
    answer is worked out once per build. :meth:`save` keeps what this build worked out."""

    def __init__(self, env, path: Path | None) -> None:
        sources = getattr(env.loader, "sources", None)
        self.env, self.path, self.changed = env, path if isinstance(sources, dict) else None, False
        self.key = None
        self.known: dict[tuple[str, ...], set[str] | None] = {}
        if self.path is not None:
            seen = repr((code_version(), sorted(sources.items()))).encode("utf-8", "surrogateescape")
            self.key = hashlib.sha256(seen).hexdigest()
            stored = load_pickle(self.path)
            if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self.key and isinstance(stored[1], dict):
                self.known = stored[1]

    def __call__(self, names: tuple[str, ...]) -> set[str] | None:
        if names not in self.known:
            self.known[names] = templates_used(self.env, names)
            self.changed = True
        return self.known[names]

    def save(self) -> None:
        if self.changed and self.path is not None:
            store_pickle(self.path, (self.key, self.known))
            self.changed = False


def fragments_key(shared: list[tuple[str, object]], used: set[str] | None, seen: tuple) -> str | None:
    """The key of the kept fragments: ``seen`` (code, options, root) and the keys in ``shared`` of
    every input pages are rendered with (site-relative names; a template's content digest, another
    file's stat), but those of page templates the fragments do not use (``used``:
    :func:`templates_used`)."""
    if used is None:
        return None

    def page_only(name: str) -> bool:
        inside = name.removeprefix("templates/")
        return inside != name and inside.endswith(PAGE_TEMPLATE_SUFFIXES) and inside not in used

    kept = [(name, key) for name, key in shared if not page_only(name)]
    return hashlib.sha256(repr((FORMAT, seen, kept)).encode("utf-8", "surrogateescape")).hexdigest()


def kept_at(cache: Path, article: Path) -> Path:
    """The file of ``.cache/fragments/`` an article (its ``index.md``) keeps its fragments in."""
    name = hashlib.sha256(str(article).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache / "fragments" / f"{name}.pickle"


class Fragments:
    """One article's kept fragments: by edition, its body (compressed), its card's HTML and where its
    feed entry is kept (a file of ``.cache/pages/`` named by :meth:`entry_name`, with its stamp)."""

    def __init__(self, path: Path | None, key: str | None) -> None:
        self.path, self.key = path, key
        self.kept: dict[str, tuple] = {}
        self.changed = False
        if path is not None and key is not None:
            stored = load_pickle(path)
            if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key and isinstance(stored[1], dict):
                self.kept = stored[1]

    @classmethod
    def of(cls, cache: Path, article: Path, article_key: str | None, key: str | None, languages: tuple) -> Fragments:
        """The fragments kept for the article at ``article`` (its ``index.md``), published in ``languages``."""
        if article_key is None or key is None:
            return cls(None, None)
        seen = repr((FORMAT, article_key, key, languages)).encode("utf-8", "surrogateescape")
        return cls(kept_at(cache, article), hashlib.sha256(seen).hexdigest())

    def get(self, language: str) -> tuple[Markup, str] | None:
        """The edition's body and card, if kept."""
        found = self.kept.get(language)
        if not (isinstance(found, tuple) and len(found) == 3):
            return None
        body, card, _ = found
        try:
            return Markup(zlib.decompress(body).decode("utf-8", "surrogateescape")), card
        except (TypeError, zlib.error, UnicodeDecodeError):
            return None

    def put(self, language: str, body: str, card: str) -> None:
        self.kept[language] = (zlib.compress(body.encode("utf-8", "surrogateescape"), 1), card, None)
        self.changed = True

    def entry_name(self, language: str) -> str | None:
        """The name in ``.cache/pages/`` of the edition's feed entry: the same for as long as these
        fragments are (a page template edit keeps it); None without a key."""
        if self.key is None:
            return None
        name = hashlib.sha256(f"{self.key}:{language}".encode("utf-8", "surrogateescape")).hexdigest()[:32]
        return f"{name}.entry.xml"

    def entry(self, language: str) -> Stamp | None:
        """The stamp the edition's feed entry had when it was written, if kept with the fragments."""
        found = self.kept.get(language)
        return found[2] if isinstance(found, tuple) and len(found) == 3 and isinstance(found[2], tuple) else None

    def put_entry(self, language: str, stamp: Stamp | None) -> None:
        found = self.kept.get(language)
        if isinstance(found, tuple) and len(found) == 3 and found[2] != stamp:
            self.kept[language] = (found[0], found[1], stamp)
            self.changed = True

    def save(self) -> None:
        """Best effort: fragments that cannot be kept are made again next time."""
        if self.changed and self.path is not None:
            store_pickle(self.path, (self.key, self.kept))
            self.changed = False
