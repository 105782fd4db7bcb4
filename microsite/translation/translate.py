"""``python build.py translate``: draft the English of every new or changed segment, offline.

Gather first: every article and catalog is read and every update planned before the engine is
loaded, and the engine is loaded only when some segment needs a draft (a run with nothing to do
touches no file and loads no model). All pending segments of all articles go through the engine
in one batched pass; each catalog is then saved atomically, and only if it changed. A catalog that
an editor saved while the engine ran is left alone and reported.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import code_version, own_cache, read_sealed, too_recent, write_sealed
from ..content.article import Article
from ..content.config import SiteConfig
from ..content.discovery import find_articles, parse_articles
from ..errors import BuildError, ContentError, NoModel, Problem, did_you_mean
from ..files import ChangedOnDisk, clean_leftovers, replace_file
from .glossary import Glossary, load_glossary
from .merge import MADE_STALE, Reuse, Update, apply_update, plan_update
from .pofile import PoDocument, new_header, read_document
from .protect import join_pieces, mask
from .reuse import ReuseIndex
from .rules import LABEL as RULES_LABEL
from .rules import rule_draft

Progress = Callable[[int], None]
LIST_HINT = "; `python build.py check` lists the articles"


@dataclass
class Job:
    """One catalog to bring up to date."""

    article: Article
    language: str
    update: Update


@dataclass
class TranslationPlan:
    """Everything ``translate`` will do, decided before any model is loaded."""

    config: SiteConfig
    glossary: Glossary
    jobs: list[Job]
    settled: int = 0  # catalogs of articles left unread: a run found nothing to do for them, and they are as then
    part: int = 1  # which part of the run this plan is (:func:`translation_plans`), of how many
    parts: int = 1

    def pending(self, language: str) -> list[str]:
        """Distinct sources needing a machine draft into ``language``, in reading order."""
        sources = [s for job in self.jobs if job.language == language for s in job.update.needs_translation()]
        return list(dict.fromkeys(sources))

    @property
    def changed(self) -> list[Job]:
        return [job for job in self.jobs if job.update.changed]


@dataclass
class TranslationResult:
    """What a run did, for the command line to report."""

    written: list[Path] = field(default_factory=list)
    conflicts: list[Path] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)  # catalogs that could not be saved, and why
    translated: int = 0
    engine: str | None = None
    truncated: list[str] = field(default_factory=list)
    retried: int = 0
    by_rule: int = 0  # drafts written by rule (numbers, dates, amounts), saved
    stale: int = 0  # edited segments whose English was kept, marked stale, in a saved catalog
    no_model: str | None = None  # why no model could translate (NoModel's message)
    need_model: list[str] = field(default_factory=list)  # sources left without a draft for lack of one

    def add(self, other: TranslationResult) -> None:
        """What ``other`` (a later part of the same run) did, added to this."""
        for name in ("written", "conflicts", "failed", "truncated", "need_model"):
            getattr(self, name).extend(getattr(other, name))
        for name in ("translated", "retried", "by_rule", "stale"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.engine, self.no_model = self.engine or other.engine, self.no_model or other.no_model


def loaded_once(load_engine: Callable[[str, str], object]) -> Callable[[str, str], object]:
    """``load_engine`` for the parts of one run: each engine loaded once, or found missing once."""
    made: dict[tuple[str, str], object] = {}

    def load(source: str, target: str) -> object:
        if (source, target) not in made:
            try:
                made[source, target] = load_engine(source, target)
            except NoModel as exc:
                made[source, target] = exc
        found = made[source, target]
        if isinstance(found, NoModel):
            raise NoModel(str(found))
        return found

    return load


BATCH = 2000  # articles planned, drafted and saved at a time (a first run over 100,000 held 10 GB)


def plan_translation(config: SiteConfig, slugs: list[str] | None = None) -> TranslationPlan:
    """Read every article and catalog and decide each catalog's update; raise BuildError on bad input.

    An article whose text and catalogs are as they were when a run last found nothing to do for
    it (:class:`Settled`) is not read again: with nothing to do, a run over a large archive ends at once.
    """
    plans = translation_plans(config, slugs, batch=0)
    try:
        return next(plans)
    finally:
        plans.close()  # (its one part made: what it found settled is saved now)


def translation_plans(
    config: SiteConfig, slugs: list[str] | None = None, batch: int | None = None
) -> Iterator[TranslationPlan]:
    """:func:`plan_translation`'s plan in parts of ``batch`` articles (0: one part; None:
    :data:`BATCH`), each to be run (:func:`run_translation`) before the next is read: a run over an
    archive holds one part's articles and catalogs, not all. Every article and catalog the run
    reads is checked first: bad input raises BuildError before any part is made (and, for an
    article broken while the run goes on, before its own part). The first part counts the
    settled catalogs."""
    settled = Settled.load(config)
    paths, chosen = _chosen(config, slugs)
    todo = [path for path in chosen if not settled.holds(path)]
    size = (BATCH if batch is None else batch) or max(1, len(todo))
    parts = [todo[start : start + size] for start in range(0, len(todo), size)] or [[]]
    folders = {unicodedata.normalize("NFC", os.path.basename(folder)): folder for folder in map(os.path.dirname, paths)}
    indexes = {}
    for language in config.targets:
        catalogs = {slug: os.path.join(folder, f"{language.code}.po") for slug, folder in folders.items()}
        indexes[language.code] = ReuseIndex(language.code, catalogs, {}, settled.folder)
    try:
        first = _read(config, parts[0], paths, indexes)
        for part in parts[1:]:
            _read(config, part, [], indexes)  # (checked, let go: read again in its turn; the slugs were checked)
        glossary = load_glossary(config.content_dir)
        for number, part in enumerate(parts):
            articles, documents = first if number == 0 else _read(config, part, [])
            first = ([], {})  # (let go)
            jobs = _jobs(config, articles, documents, indexes)
            settled.update(jobs)
            count = (len(chosen) - len(todo)) * len(config.targets) if number == 0 else 0
            yield TranslationPlan(config, glossary, jobs, count, number + 1, len(parts))
    finally:
        settled.save()
        for index in indexes.values():
            index.close()


def _chosen(config: SiteConfig, slugs: list[str] | None) -> tuple[list[Path], list[Path]]:
    """Every article's index.md, and those of ``slugs`` (all when none); BuildError for an unknown slug."""
    paths, _ = find_articles(config.content_dir)
    if not slugs:
        return paths, paths
    by_slug = {unicodedata.normalize("NFC", path.parent.name): path for path in paths}  # (a slug: its folder's name)
    missing = [slug for slug in dict.fromkeys(slugs) if slug not in by_slug]
    if missing:
        _, errors = parse_articles(config, [], paths)
        for slug in missing:
            hint = did_you_mean(slug, by_slug, "; did you mean {!r}?") or LIST_HINT
            errors.append(Problem(config.content_dir, f"no article {slug!r}{hint}"))
        raise BuildError(errors)
    return paths, [by_slug[slug] for slug in dict.fromkeys(slugs)]


def _read(
    config: SiteConfig, todo: list[Path], paths: list[Path], indexes: dict[str, ReuseIndex] | None = None
) -> tuple[list[Article], dict[tuple[str, str], PoDocument]]:
    """The articles at ``todo`` and their catalogs; BuildError naming every one that cannot be read,
    and every slug of ``paths`` (all articles) that cannot be published. Each catalog is offered to
    its language's reuse index of ``indexes`` (which then need not read it again)."""
    articles, errors = parse_articles(config, todo, paths)
    documents: dict[tuple[str, str], PoDocument] = {}
    for article in articles:
        for language in config.targets:
            try:
                document = read_document(article.folder / f"{language.code}.po", language.code)
            except ContentError as exc:
                errors.append(exc.problem)
                continue
            documents[article.slug, language.code] = document
            if indexes is not None:
                indexes[language.code].offer(article.slug, document)
    if errors:
        raise BuildError(errors)
    return articles, documents


def _jobs(
    config: SiteConfig,
    articles: list[Article],
    documents: dict[tuple[str, str], PoDocument],
    indexes: dict[str, ReuseIndex],
) -> list[Job]:
    jobs = []
    for language in config.targets:
        code = language.code
        index = indexes[code]
        index.read = {slug: document for (slug, each), document in documents.items() if each == code}
        for article in articles:
            reuse = ReviewedElsewhere(index, article.slug)
            wanted, name = article.distinct_segments(), article.path.name
            jobs.append(Job(article, code, plan_update(documents[article.slug, code], wanted, name, reuse)))
    return jobs


class Settled:
    """Articles a run found nothing to do for, by the stats of their text and catalogs then.

    Kept in ``.cache/translate-settled.json``; only a cache: a missing or damaged file, another
    version of the code or other languages mean every article is read. A file changed too close
    to the moment it was looked at (timestamps have a granularity) is never taken as settled.
    """

    def __init__(self, config: SiteConfig, path: Path | None, version: str, known: dict[str, list]) -> None:
        self.config, self.path, self.version, self.known, self.taken = config, path, version, known, time.time()
        self.folder = path.parent if path is not None else None  # (.cache/, when it can be trusted)
        self.noted = False  # (whether :meth:`update` was told of any article)

    @classmethod
    def load(cls, config: SiteConfig) -> Settled:
        folder = own_cache(config.cache_dir)
        path = folder / "translate-settled.json" if folder is not None else None
        version = f"{code_version()}:{','.join(lang.code for lang in config.targets)}"
        try:
            data = json.loads((path and read_sealed(path)) or b"{}")  # sealed: only this user's runs made it
            known = data["articles"] if data.get("version") == version else {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            known = {}
        return cls(config, path, version, known if isinstance(known, dict) else {})

    def stamp(self, path: Path) -> list | None:
        """The stats of an article's text and catalogs; None if any is too new to be trusted."""
        found = []
        for file in [path] + [path.parent / f"{lang.code}.po" for lang in self.config.targets]:
            try:
                info = os.stat(file)
            except OSError:
                return None
            if too_recent(info.st_mtime_ns, info.st_ctime_ns, self.taken):
                return None
            found.append([info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino])
        return found

    def holds(self, path: Path) -> bool:
        stamp = self.known.get(str(path))
        return stamp is not None and stamp == self.stamp(path)

    def update(self, jobs: list[Job]) -> None:
        """Remember the articles with nothing to do in any language (kept by :meth:`save`)."""
        busy = {job.article.path for job in jobs if job.update.changed}
        for path in {job.article.path for job in jobs} - busy:
            stamp = self.stamp(path)
            if stamp is not None:
                self.known[str(path)] = stamp
        for path in busy:
            self.known.pop(str(path), None)
        self.noted = self.noted or bool(jobs)

    def save(self) -> None:
        """What :meth:`update` remembered, written once a run (its parts each wrote the whole file
        again: ~50 times at 100,000 articles); best effort."""
        if self.noted and self.path is not None:  # (None: a .cache that cannot be trusted; see microsite.cache)
            write_sealed(self.path, json.dumps({"version": self.version, "articles": self.known}).encode())


def run_translation(
    plan: TranslationPlan,
    load_engine: Callable[[str, str], object],
    progress: Callable[[int], Progress] | None = None,
    now: dt.datetime | None = None,
) -> TranslationResult:
    """Draft what the plan needs with the engine ``load_engine(source, target)`` returns, then save."""
    result = TranslationResult()
    source = plan.config.source_language
    for language in {job.language for job in plan.changed}:
        pending = plan.pending(language)
        ruled = {text: english for text in pending if (english := rule_draft(text)) is not None}
        pending = [text for text in pending if text not in ruled]
        drafts: dict[str, str] = {}
        label = ""
        if pending:
            try:
                engine = load_engine(source, language)
            except NoModel as exc:  # everything that needs no model is still done and saved
                result.no_model = str(exc)
                result.need_model += pending
            else:
                label = engine.label
                drafts, retried = translate_segments(engine, pending, plan.glossary, progress)
                result.retried += retried
                result.engine = label
                result.truncated += getattr(engine, "truncated", [])
        saved: set[str] = set()  # the drafts that reached a saved catalog: what the run reports
        labels = dict.fromkeys(ruled, RULES_LABEL)
        for job in (job for job in plan.changed if job.language == language):
            if _save(job, {**drafts, **ruled}, label, labels, now or dt.datetime.now(dt.UTC), result):
                needed = job.update.needs_translation()
                saved.update(source for source in needed if source in drafts)
                result.by_rule += sum(source in ruled for source in needed)
                result.stale += len(job.update.actions.get(MADE_STALE, []))
        result.translated += len(saved)
    return result


def translate_segments(
    engine, sources: list[str], glossary: Glossary, progress: Callable[[int], Progress] | None = None
) -> tuple[dict[str, str], int]:
    """Source → English for each source, protecting markup and glossary terms; and how many needed a retry."""
    masked = [mask(source, glossary) for source in sources]
    tick = progress(len(sources)) if progress else None
    outputs = engine.translate([item.text for item in masked], tick)
    drafts: dict[str, str] = {}
    retry = []
    for item, output in zip(masked, outputs, strict=True):
        english = item.unmask(output)
        if english is None:
            retry.append(item)
        else:
            drafts[item.source] = english
    if retry:
        runs = [item.pieces() for item in retry]
        texts = [text.strip() for pieces in runs for translate, text in pieces if translate]
        translated = iter(engine.translate(texts))
        for item, pieces in zip(retry, runs, strict=True):
            count = sum(1 for translate, _ in pieces if translate)
            drafts[item.source] = join_pieces(pieces, [next(translated) for _ in range(count)])
    return drafts, len(retry)


def _save(
    job: Job, drafts: dict[str, str], label: str, labels: dict[str, str], now: dt.datetime, result: TranslationResult
) -> bool:
    """Save one catalog's update; whether it was written (a conflict or a failure is noted in ``result``).

    ``labels``: the drafts made by something else than the engine ``label`` names (the rules)."""
    document = job.update.document
    if document.original is None:
        made_by = f"machine draft ({label})" if label else "python build.py translate"
        document.chunks.insert(0, new_header(document, job.article.slug, now, made_by))
    text = apply_update(job.update, drafts, label, labels)
    if text == document.original:
        return False
    clean_leftovers(document.path.parent, document.path.name)
    try:
        replace_file(document.path, text.encode("utf-8"), document.raw)
    except ChangedOnDisk:  # an editor saved it meanwhile: theirs wins, run translate again
        result.conflicts.append(document.path)
        return False
    except ContentError as exc:  # full disk, read-only folder or file: the other catalogs still get saved
        result.failed.append(exc.problem)
        return False
    result.written.append(document.path)
    return True


class ReviewedElsewhere:
    """Reviewed English from the other articles' catalogs, looked up by source (``in``, ``[]``):
    the first :class:`Reuse` of ``index`` not from ``slug``.

    Never sized nor walked: that would be a pass over every reviewed entry of the archive (asked
    once per article, a first run over 20,000 articles was not done after 8 minutes)."""

    def __init__(self, index: ReuseIndex, slug: str) -> None:
        self.index, self.slug = index, slug

    def __contains__(self, source: object) -> bool:
        return isinstance(source, str) and self.index.lookup(source, self.slug) is not None

    def __getitem__(self, source: str) -> Reuse:
        found = self.index.lookup(source, self.slug)
        if found is None:
            raise KeyError(source)
        return found
