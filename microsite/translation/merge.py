"""Bring a translation catalog up to date with its article, without ever losing an editor's English.

Like ``msgmerge --previous``, in two steps so that one machine-translation batch serves every
article: :func:`plan_update` decides, per source segment, what happens; :func:`apply_update` writes
the entries once the drafts are known.

- a segment whose entry exists with English is left alone, byte for byte;
- a segment with an obsolete entry gets it back, in the state it had (restored);
- a new segment close to an entry that left the article takes that entry's English, marked fuzzy
  with the old source as ``#| msgid`` and a fresh machine draft in a comment (stale);
- a new segment reviewed in another article's catalog is filled from there, as a draft (reused);
- any other new segment, or an entry without English, gets a machine draft (fuzzy, with a comment
  naming the engine);
- an entry whose source left the article becomes obsolete (``#~``), kept for restoring and reuse.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import polib

from ..content.article import DistinctSegment
from .catalog import FRESH_NOTE, MACHINE_NOTE, REUSED_NOTE, SETTLED, settlement_blocks
from .pofile import Chunk, PoDocument

SIMILAR = 0.6  # difflib ratio from which an old entry counts as the same segment, edited
DRAFT = MACHINE_NOTE
REUSED = REUSED_NOTE
FRESH = FRESH_NOTE  # our comment on a stale entry, replaced on every change
# What plan_update does to each source: actions (an entry it MADE_STALE is then in catalog.STALE's state).
NEW, FILLED, REUSED_ACTION, MADE_STALE, RESTORED, OBSOLETE = "new", "filled", "reused", "stale", "restored", "obsolete"


@dataclass(frozen=True)
class Reuse:
    """A reviewed translation from another catalog."""

    text: str
    origin: str


class Lookup(Protocol):
    """Reviewed English by source (a mapping, or :class:`.translate.ReviewedElsewhere`)."""

    def __contains__(self, source: object) -> bool: ...

    def __getitem__(self, source: str) -> Reuse: ...


@dataclass
class Update:
    """What :func:`plan_update` decided for one catalog."""

    document: PoDocument
    wanted: list[DistinctSegment]
    reference: str  # the article's file name, for ``#:``
    actions: dict[str, list[str]] = field(default_factory=dict)  # action → sources
    matches: dict[str, Chunk] = field(default_factory=dict)  # new source → old entry it inherits
    reused: dict[str, Reuse] = field(default_factory=dict)
    restored: dict[str, Chunk] = field(default_factory=dict)
    obsoleted: list[Chunk] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.actions.values())  # a new catalog's segments all have an action

    def needs_translation(self) -> list[str]:
        """Sources that need a machine draft: new and emptied ones, and the new text of stale ones."""
        return [*self.actions.get(NEW, []), *self.actions.get(FILLED, []), *self.actions.get(MADE_STALE, [])]


def plan_update(
    document: PoDocument, wanted: list[DistinctSegment], reference: str, reuse: Lookup | None = None
) -> Update:
    """Decide what happens to each segment and entry; nothing is written.

    In the order msgmerge takes them: a segment with an entry keeps it (filled if empty); one whose
    obsolete entry is there gets it back; the rest inherit the nearest entry whose source went
    (stale), take English reviewed elsewhere, or are new. Entries no segment inherited go obsolete.
    """
    update = Update(document, wanted, reference)
    actions: dict[str, list[str]] = {key: [] for key in (NEW, FILLED, REUSED_ACTION, MADE_STALE, RESTORED, OBSOLETE)}
    active = {chunk.msgid: chunk for chunk in document.chunks if chunk.ours and not chunk.obsolete}
    obsolete = _first_obsolete(document)
    unplaced = _place_known(update, active, obsolete, actions)
    sources = {item.source for item in wanted}
    gone = [chunk for msgid, chunk in active.items() if msgid not in sources]
    candidates = [chunk for chunk in gone + list(obsolete.values()) if chunk.entry.msgstr.strip()]
    update.matches = _nearest(unplaced, candidates)
    _place_unknown(update, unplaced, {} if reuse is None else reuse, actions)  # (looked up only: see ReviewedElsewhere)
    inherited = {id(chunk) for chunk in update.matches.values()}
    update.obsoleted = [chunk for chunk in gone if id(chunk) not in inherited]
    actions[OBSOLETE] = [chunk.msgid for chunk in update.obsoleted]
    update.actions = actions
    return update


def _first_obsolete(document: PoDocument) -> dict[str, Chunk]:
    """The obsolete entries by source, in file order; the first of equal ones."""
    obsolete: dict[str, Chunk] = {}
    for chunk in document.chunks:
        if chunk.ours and chunk.obsolete:
            obsolete.setdefault(chunk.msgid, chunk)
    return obsolete


def _place_known(
    update: Update, active: dict[str, Chunk], obsolete: dict[str, Chunk], actions: dict[str, list[str]]
) -> list[str]:
    """Segments that have an entry (filled when empty) or an obsolete one to restore; the others' sources."""
    unplaced = []
    for item in update.wanted:
        chunk = active.get(item.source)
        if chunk is not None:
            if not chunk.entry.msgstr.strip():
                actions[FILLED].append(item.source)
        elif item.source in obsolete:
            update.restored[item.source] = obsolete.pop(item.source)
            actions[RESTORED].append(item.source)
        else:
            unplaced.append(item.source)
    return unplaced


def _place_unknown(update: Update, unplaced: list[str], reuse: Lookup, actions: dict[str, list[str]]) -> None:
    """Segments without an entry: stale when they inherit one, reused when reviewed elsewhere, else new."""
    for source in unplaced:
        if source in update.matches:
            actions[MADE_STALE].append(source)
        elif source in reuse:
            update.reused[source] = reuse[source]
            actions[REUSED_ACTION].append(source)
        else:
            actions[NEW].append(source)


def apply_update(
    update: Update, drafts: Mapping[str, str], engine: str, labels: Mapping[str, str] | None = None
) -> str:
    """The catalog's new text: kept chunks as they were, changed entries rendered.

    A source without a draft (no model could make one) still gets everything that needs none: an
    edited segment's English is kept, stale, with the source it was written for; a new segment
    gets an empty entry (untranslated, as Poedit shows it); an emptied entry stays as it is.
    ``labels``: what made the drafts of some sources, when not ``engine`` (drafts by rule).
    """
    made_by = {source: (labels or {}).get(source, engine) for source in drafts}
    result, tail = _walk(update, drafts, made_by, engine)
    placed = {chunk.msgid for chunk in result if chunk.ours and not chunk.obsolete}
    new = {
        item.source: _placed_anew(update, item, drafts, made_by, engine)
        for item in update.wanted
        if item.source not in placed
    }
    update.document.chunks = _in_reading_order(result, update.wanted, new) + tail
    return update.document.render()


def _walk(
    update: Update, drafts: Mapping[str, str], made_by: Mapping[str, str], engine: str
) -> tuple[list[Chunk], list[Chunk]]:
    """One walk over the catalog's chunks: those kept in place (stale, filled or as they were), and
    the obsolete ones for the end. Restored entries and stale ones from obsolete entries are left
    for :func:`_placed_anew`."""
    wanted = {item.source: item for item in update.wanted}
    matched = {id(chunk): source for source, chunk in update.matches.items()}
    obsoleted = {id(chunk) for chunk in update.obsoleted}
    restored = {id(chunk) for chunk in update.restored.values()}
    filled = set(update.actions.get(FILLED, []))
    result: list[Chunk] = []
    tail: list[Chunk] = []
    for chunk in list(update.document.chunks):
        if id(chunk) in matched and not chunk.obsolete:
            source = matched.pop(id(chunk))
            result.append(
                _stale(chunk, wanted[source], drafts.get(source), made_by.get(source, engine), update.reference)
            )
        elif id(chunk) in obsoleted:
            tail.append(_obsolete(chunk))
        elif id(chunk) in restored or id(chunk) in matched:
            continue  # placed with the segments, by _placed_anew
        elif chunk.ours and not chunk.obsolete and chunk.msgid in filled and chunk.msgid in drafts:
            result.append(
                _fill(chunk, wanted[chunk.msgid], drafts[chunk.msgid], made_by[chunk.msgid], update.reference)
            )
        else:
            (tail if chunk.obsolete else result).append(chunk)
    return result, tail


def _placed_anew(
    update: Update, item: DistinctSegment, drafts: Mapping[str, str], made_by: Mapping[str, str], engine: str
) -> Chunk:
    """The entry of a segment the walk did not place: restored, stale from an obsolete entry, reused,
    a machine draft, or empty (untranslated until a model or an editor gives it English)."""
    source = item.source
    inherited = update.matches.get(source)
    if source in update.restored:
        return _restore(update.restored[source], item, update.reference)
    if inherited is not None and inherited.obsolete:
        return _stale(inherited, item, drafts.get(source), made_by.get(source, engine), update.reference)
    if source in update.reused:
        return _new(item, update.reused[source].text, REUSED + update.reused[source].origin, update.reference)
    if source in drafts:
        return _new(item, drafts[source], DRAFT + made_by[source], update.reference)
    return Chunk(_located(polib.POEntry(msgid=source, msgstr=""), item, update.reference), None)


def approved(entry: polib.POEntry, text: str) -> polib.POEntry:
    """The entry as an editor approved it: their English, reviewed, without the tool's draft notes."""
    entry = _copy(entry)
    entry.msgstr = text
    entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
    entry.previous_msgid = None
    entry.tcomment = "\n".join(_comments(entry, DRAFT, REUSED))
    return entry


def drafted(entry: polib.POEntry, text: str) -> polib.POEntry:
    """The entry with an editor's English saved as a draft: fuzzy, an editor's now (the engine's and
    the reuse notes go); a stale entry stays stale, its fresh machine draft kept for "Use it"."""
    entry = _copy(entry)
    entry.msgstr = text
    if "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")
    lines = (entry.tcomment or "").splitlines()
    entry.tcomment = "\n".join(line for line in lines if not line.startswith((DRAFT, REUSED)))
    return entry


def settled(entry: polib.POEntry, key: str, reason: str, current: set[str]) -> polib.POEntry:
    """The entry with one QA finding settled (``settled: KEY REASON``, a translator comment that
    translate and desk saves keep), after the other comments and before a fresh draft's note.
    Settlements of findings no longer raised (keys not in ``current``) go: they never match again."""
    entry = _copy(entry)
    others, blocks = settlement_blocks(entry.tcomment)
    kept = [line for block in blocks if block[0][len(SETTLED) :].split(" ")[0] in current - {key} for line in block]
    fresh = next((n for n, line in enumerate(others) if line.startswith(FRESH)), len(others))  # (stays last)
    entry.tcomment = "\n".join([*others[:fresh], *kept, f"{SETTLED}{key} {reason}", *others[fresh:]])
    return entry


def fresh_draft(entry: polib.POEntry) -> str | None:
    """The new machine draft ``translate`` left on a stale entry, if any."""
    lines = (entry.tcomment or "").splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith(FRESH)), None)
    if start is None:
        return None
    text = " ".join(lines[start:]).partition("): ")[2].strip()
    return text or None


def add_entry(document: PoDocument, wanted: list[DistinctSegment], source: str, reference: str) -> Chunk:
    """Place an entry, still untranslated, for a segment that has none, after the nearest one before it.

    An obsolete entry for the segment comes back in its place (with its comments and English):
    msgfmt refuses a catalog holding both.
    """
    item = next(item for item in wanted if item.source == source)
    old = next((c for c in document.chunks if c.ours and c.obsolete and c.msgid == source), None)
    if old is not None:
        document.chunks = [chunk for chunk in document.chunks if chunk is not old]
        entry = _copy(old.entry)
        entry.obsolete = False
    else:
        entry = polib.POEntry(msgid=source, msgstr="")
    chunk = Chunk(_located(entry, item, reference), None)
    document.chunks = _in_reading_order(document.chunks, wanted, {source: chunk})
    return chunk


def _in_reading_order(chunks: list[Chunk], wanted: list[DistinctSegment], new: dict[str, Chunk]) -> list[Chunk]:
    """``chunks`` with each new chunk (by source) placed after the entry of the nearest segment read before it.

    New entries that follow one another in the article follow one another in the file; one with no
    entry before it goes first, after the header. One pass over the chunks (inserting into a list
    one by one, and finding places again after each insert, grew with the square of the catalog).
    """
    placed = {chunk.msgid for chunk in chunks if chunk.ours and not chunk.obsolete}
    following: dict[str | None, list[Chunk]] = {}
    anchor = None  # the source of the last existing entry read so far (None: none yet)
    for item in wanted:
        if item.source in new:
            following.setdefault(anchor, []).append(new[item.source])
        elif item.source in placed:
            anchor = item.source
    header = 1 if chunks and chunks[0].entry is None else 0
    result = [*chunks[:header], *following.pop(None, [])]
    for chunk in chunks[header:]:
        result.append(chunk)
        if chunk.ours and not chunk.obsolete:
            result.extend(following.pop(chunk.msgid, []))
    return result


def _nearest(sources: list[str], candidates: list[Chunk]) -> dict[str, Chunk]:
    """Pair new sources with old entries, most similar pairs first, each old entry used once."""
    pairs = []
    for source in sources:
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(source)
        for number, chunk in enumerate(candidates):
            matcher.set_seq1(chunk.msgid)
            if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                ratio = matcher.ratio()
                if ratio >= SIMILAR:
                    pairs.append((-ratio, sources.index(source), number, source))
    result: dict[str, Chunk] = {}
    used: set[int] = set()
    for _, _, number, source in sorted(pairs):
        if source not in result and number not in used:
            result[source] = candidates[number]
            used.add(number)
    return result


def _comments(entry: polib.POEntry, *drop: str) -> list[str]:
    """The entry's translator comments without ours; a fresh draft (wrapped over lines) is always last."""
    lines = (entry.tcomment or "").splitlines()
    fresh = next((n for n, line in enumerate(lines) if line.startswith(FRESH)), len(lines))
    return [line for line in lines[:fresh] if not line.startswith(drop)]


def _located(entry: polib.POEntry, item: DistinctSegment, reference: str) -> polib.POEntry:
    entry.comment = item.kind
    entry.occurrences = [(reference, str(line)) for line in item.lines]
    return entry


def _new(item: DistinctSegment, text: str, comment: str, reference: str) -> Chunk:
    entry = polib.POEntry(msgid=item.source, msgstr=text, flags=["fuzzy"], tcomment=comment)
    return Chunk(_located(entry, item, reference), None)


def _fill(chunk: Chunk, item: DistinctSegment, text: str, engine: str, reference: str) -> Chunk:
    entry = _copy(chunk.entry)
    entry.msgstr = text
    if "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")
    entry.tcomment = "\n".join([*_comments(entry, DRAFT), DRAFT + engine])
    return Chunk(_located(entry, item, reference), None)


def _stale(chunk: Chunk, item: DistinctSegment, fresh: str | None, engine: str, reference: str) -> Chunk:
    """The entry of an edited segment: a person's English kept (stale), an untouched machine draft
    redone. Without a ``fresh`` draft (no model), any English is kept, stale: better than none."""
    old = chunk.entry
    if fresh is not None and _untouched_machine_draft(old):  # worthless once its source changed: replaced
        entry = _new(item, fresh, DRAFT + engine, reference).entry
        entry.tcomment = "\n".join([*_comments(old, DRAFT, REUSED), DRAFT + engine])
        return Chunk(entry, None)
    entry = _copy(old)
    entry.obsolete = False
    entry.msgid = item.source
    # The English still translates the source it was written for: keep that as the previous one.
    stale = "fuzzy" in old.flags and old.previous_msgid is not None
    entry.previous_msgid = old.previous_msgid if stale else old.msgid
    if "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")
    notes = _comments(old)
    entry.tcomment = "\n".join([*notes, f"{FRESH} ({engine}): {fresh}"] if fresh is not None else notes)
    return Chunk(_located(entry, item, reference), None)


def _untouched_machine_draft(entry: polib.POEntry) -> bool:
    """translate's own draft that nobody has edited or approved since (its engine note is still there)."""
    notes = (entry.tcomment or "").splitlines()
    return "fuzzy" in entry.flags and entry.previous_msgid is None and any(n.startswith(DRAFT) for n in notes)


def _restore(chunk: Chunk, item: DistinctSegment, reference: str) -> Chunk:
    entry = _copy(chunk.entry)
    entry.obsolete = False
    return Chunk(_located(entry, item, reference), None)


def _obsolete(chunk: Chunk) -> Chunk:
    entry = _copy(chunk.entry)
    entry.obsolete = True
    entry.occurrences = []
    return Chunk(entry, None)


def _copy(entry: polib.POEntry) -> polib.POEntry:
    return polib.POEntry(
        msgid=entry.msgid,
        msgstr=entry.msgstr,
        flags=list(entry.flags),
        previous_msgid=entry.previous_msgid,
        tcomment=entry.tcomment,
        comment=entry.comment,
        occurrences=list(entry.occurrences),
        obsolete=entry.obsolete,
    )
