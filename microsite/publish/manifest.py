"""The build manifest: what the last build read and wrote, so a build with nothing to do ends at once.

After a successful build, ``.cache/build-<output>.pickle`` records every input file's stat (content,
templates, static files, site.toml), the code that built it, the options, the output folder as
the build left it, and the warnings and summary the build printed. The next build compares stats
before importing anything heavy (jinja2, markdown, babel, Pillow, nh3): if nothing differs, it
prints the same warnings and summary, writes nothing and touches nothing in ``site/``.

The manifest also lists every file and folder of the output as the build left it, with its stamp
(size, modification and change time, inode, read with ``lstat``): a file removed, changed,
appended to or replaced in ``site/``, or one added to it, makes the next build a real one, which
swaps in a checked copy of the site from the cache (which nothing in ``site/`` shares: files are
copied; see :mod:`.tree`).
This check costs a ``lstat`` per output file on a build with nothing to do. The build records
the output from the stamps it took of the files as it wrote or checked them (:mod:`.tree`), and
stats only the folders again: a second walk of the whole site per build is not needed.

The manifest is only a cache, sealed like every cache file (:mod:`microsite.cache`). A missing,
unreadable, foreign or corrupt manifest, another version of the code or of a library, another
project folder or other options mean a full build, never a wrong site. Stats are
taken before the build reads its inputs, so a file changed while building differs next time.
Where a stat could not tell two versions apart (a file changed in the same clock tick as the
snapshot: timestamps have a granularity), its content digest is kept and compared instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
from collections.abc import Iterable
from functools import cached_property, partial
from pathlib import Path
from typing import NamedTuple

from ..cache import Stamp, code_version, load_pickle, store_pickle, too_recent
from ..content.config import SiteConfig
from ..errors import ContentError, Problem
from ..files import read_bytes, remove_file
from ..parallel import Pending, Threaded, forked, forked_then

FORMAT = 8
INPUT_FOLDERS = ("content", "templates", "static")
INPUT_FILES = ("site.toml",)
PROBED = 4  # the inputs changed last that are stat'ed first, to foresee an edit (see check_last_build)
AHEAD_INPUTS = 20_000  # ...on a project of up to this many inputs (the snapshot sent back: ~1 µs each)


def manifest_path(cache_dir: Path, output: Path) -> Path:
    """One manifest per output folder (``--out`` builds keep their own)."""
    key = hashlib.sha256(str(output).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_dir / f"build-{key}.pickle"


def _stat_key(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode]


Snapshot = tuple[float, dict[str, list[int]]]  # when, and every input's stat


class Foreseen(NamedTuple):
    """A build :func:`check_last_build` found certain to come, its work begun by a forked child:
    the inputs' snapshot, then the survey of the output's standby (:func:`.tree.survey_beside`)."""

    snapshot: Pending[Snapshot]
    survey: Pending


def take_snapshot(root: Path) -> Snapshot:
    """The time, then every input's stat: a file changed after this time differs from its stat."""
    return time.time(), snapshot(root)


def snapshot(root: Path) -> dict[str, list[int]]:
    """Every input's stat, by path from the project root; links are followed as the build follows them.

    A folder is known by its inode and kind from the listing itself (no system call: at 1,000
    articles that is 2,000 fewer); paths are joined as text, not as Path objects (a tenth of the
    snapshot's time went there). A file added, removed or renamed shows as a key that differs.
    """
    found: dict[str, list[int]] = {}
    base = os.fspath(root) + "/"
    _stat_files(base, found)
    _walk(base, list(INPUT_FOLDERS), found)
    return found


def _stat_files(base: str, found: dict[str, list[int]]) -> None:
    for name in INPUT_FILES:
        try:
            found[name] = _stat_key(os.stat(base + name))
        except OSError:
            found[name] = []


def _walk(base: str, stack: list[str], found: dict[str, list[int]]) -> dict[str, list[int]]:
    """Add the stats under each folder of ``stack`` (relative to ``base``) to ``found``."""
    while stack:
        stack += _list(base, stack.pop(), found)
    return found


def _list(base: str, relative: str, found: dict[str, list[int]]) -> list[str]:
    """Add the stats of one folder's entries to ``found``; its sub-folders, to walk next."""
    try:
        with os.scandir(base + relative) as listing:
            entries = list(listing)
    except OSError:
        found[relative + "/"] = []
        return []
    folders = []
    for entry in entries:
        path = relative + "/" + entry.name
        if entry.is_dir(follow_symlinks=False):
            found[path + "/"] = [entry.inode(), stat.S_IFDIR]
            folders.append(path)
            continue
        try:
            info = entry.stat()  # through a link, as the build reads it
        except OSError:
            found[path] = []
            continue
        if stat.S_ISDIR(info.st_mode):  # a link to a folder: refused by the build, not followed here
            found[path + "/"] = [info.st_ino, info.st_mode]
        else:
            found[path] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode]
    return folders


NOT_TEMPLATES = ("templates/strings.toml",)  # the one file of templates/ Jinja never renders (read as TOML)


def file_digest(path: Path) -> str | None:
    """A regular file's content digest; None for anything else (a pipe is never read: it could block)."""
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()
    except (OSError, ContentError):
        return None


def output_listing(output: Path) -> list[str]:
    """Every file and folder under ``output`` (folders end in ``/``), as the build left them; never
    through a link."""
    found, stack = [""], [""]
    while stack:
        relative = stack.pop()
        with os.scandir(output / relative if relative else output) as entries:
            for entry in entries:
                name = relative + entry.name
                if entry.is_dir(follow_symlinks=False):
                    found.append(name + "/")
                    stack.append(name + "/")
                else:
                    found.append(name)
    return sorted(found)


INPUT_COST = 1.5  # an input's stat (with its share of the folder listings), in output lstats (measured)
STAMP_AHEAD = 2_000  # a site's files from which its stamps are taken by a thread (:meth:`Manifest.stamp_ahead`)


def _share(outputs: int, inputs: int) -> int:
    """How many of the output's names the no-op check's forked child stamps while this process
    stats the inputs (:func:`_shared_check`): as many as make the two parts cost alike. On a large
    project the child stats half the inputs too (:func:`_split_check`): then half the output."""
    if inputs > AHEAD_INPUTS:
        return outputs // 2
    return min(outputs, int((outputs + INPUT_COST * inputs) / 2))


def _split(outputs: str, inputs: int) -> tuple[list[str], list[str]]:
    """The output's names the forked child stamps, and the rest (stamped by this process)."""
    listing = outputs.split("\n") if outputs else []
    cut = _share(len(listing), inputs)
    return listing[:cut], listing[cut:]


def _output_state(
    output: Path, outputs: str, inputs: int, known: dict[str, Stamp] | None = None, folders: dict | None = None
) -> list:
    return [output_stamps(output, part, known, folders) for part in _split(outputs, inputs)]


def output_stamps(
    output: Path, listing: list[str], known: dict[str, Stamp] | None = None, folders: dict[str, Stamp] | None = None
) -> int | None:
    """One number standing for the stamps of ``listing``'s files and folders; None if one is missing.

    Python's hash of the stamps in order: stable from run to run for the integers of a stat (the
    code key holds Python's version), and cheaper per file than a text digest; a stamp changed by
    chance to one giving the same 64-bit hash is not a practical concern.
    ``known``: stamps already taken (a build's of the files it wrote), used instead of a ``lstat``;
    ``folders``: the same of folders (by name, without the listing's ``/``: :attr:`.tree.TreeRecord.folders`).
    The mode is not chained: a change of mode or kind changes the change time or the inode.
    """
    try:
        folder = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        return _chain(folder, listing, known, folders)
    except OSError:
        return None
    finally:
        os.close(folder)


def _chain(folder: int, listing: list[str], known: dict[str, Stamp] | None, folders: dict | None = None) -> int:
    """:func:`output_stamps` of the output open as ``folder``: each name is looked up from there (a
    tenth faster than from ``/``); ``./`` makes the output's own name (``""``) the folder itself.
    The stamps are hashed as one tuple, in the listing's order (a hash a name, chained, cost four
    times more: by the hundred thousand, a tenth of an edit's build)."""
    lstat = os.lstat
    known, folders = known or {}, folders or {}
    stamps = []
    for name in listing:
        stamp = known.get(name)
        if stamp is None and name.endswith("/"):
            stamp = folders.get(name[:-1])
        if stamp is None:
            info = lstat("./" + name, dir_fd=folder)
            stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        stamps.append(stamp)
    try:
        return hash((len(listing), tuple(stamps)))
    except TypeError:  # (a stamp kept as a list)
        return hash((len(listing), tuple(map(tuple, stamps))))


def listing_of(files: Iterable[str]) -> list[str]:
    """What :func:`output_listing` gives for a folder holding exactly ``files`` (and their folders)."""
    found = {""}
    for path in files:
        found.add(path)
        folder = path.rpartition("/")[0]
        while folder and folder + "/" not in found:
            found.add(folder + "/")
            folder = folder.rpartition("/")[0]
    return sorted(found)


class Manifest:
    """What a build read and wrote; ``racy`` holds content digests of files changed near the snapshot.

    A plain class: importing ``dataclasses`` costs ~6 ms, 5% of a build that finds nothing to do,
    the one run that loads this module and not the builder's.
    """

    RECORDED = ("code", "root", "output", "options", "inputs", "taken", "racy", "outputs", "output_state")
    RECORDED += ("warnings", "pages", "files", "strict_ok", "newest")  # what is saved (not the lookups made since)

    def __init__(
        self,
        code: str,
        root: str,
        output: str,
        options: dict,
        inputs: dict[str, list[int]],
        taken: float,
        racy: dict[str, str | None] | None = None,
        outputs: str = "",
        output_state: list | None = None,
        warnings: list[list] | None = None,
        pages: dict[str, int] | None = None,
        files: int = 0,
        strict_ok: bool = False,
        newest: list[str] | None = None,
    ) -> None:
        self.code, self.root, self.output, self.options = code, root, output, options
        self.inputs, self.taken = inputs, taken
        self.racy = {} if racy is None else racy
        self.outputs = outputs  # output_listing, as the build left it, one name a line (loads fast)
        self.output_state = output_state  # output_stamps of ``outputs``: the forked part's, and the rest's
        self.warnings = [] if warnings is None else warnings  # [path, message, line] of each warning
        self.pages = {} if pages is None else pages
        self.files, self.strict_ok = files, strict_ok
        self.newest = [] if newest is None else newest  # the inputs modified last (:func:`_edited_again`)
        # Not saved: the templates' digests and texts as a build read them (:meth:`read_templates`).
        self.templates: dict[str, tuple[str | None, str | None]] = {}
        self.vouched: dict[str, str] = {}  # inputs keyed by the digest of the bytes used (:meth:`vouch`)
        self._stamping: Threaded[list] | None = None  # the output's stamps under way (:meth:`stamp_ahead`)
        self._stamped: dict[str, Stamp] | None = None  # the files they are taken with
        self._folders: dict[str, Stamp] | None = None  # and the folders stamped already

    def folder_inputs(self, prefix: str) -> tuple[list, bool]:
        """The stats of the inputs under one folder (``content/slug/``), and whether any is racy."""
        folders, racy = self._by_folder
        return folders.get(prefix, []), prefix in racy

    @cached_property
    def _by_folder(self) -> tuple[dict[str, list], set[str]]:
        """The inputs grouped by article folder, and the folders holding a racy file (made once)."""
        folders: dict[str, list] = {}
        for name, key in self.inputs.items():
            if name.startswith("content/"):
                slug, mark, _ = name[8:].partition("/")
                if mark:  # (a file or folder inside an article's folder, or the folder itself)
                    folders.setdefault(f"content/{slug}/", []).append((name, key))
        for found in folders.values():
            found.sort()  # (each folder's own, in name order: the whole snapshot's sort cost more)
        racy = {f"content/{name.split('/')[1]}/" for name in self.racy if name.count("/") > 1}
        return folders, racy

    @cached_property
    def shared_inputs(self) -> list[tuple[str, list[int]]]:
        """The inputs every page is rendered with (the templates folder's files and site.toml: not
        ``content/`` nor ``static/``) and their stats, in name order; worked out once (a build asks
        four times, and at 100,000 articles the inputs are 300,000)."""
        return sorted((name, key) for name, key in self.inputs.items() if not name.startswith(("content/", "static/")))

    def problems(self) -> list[Problem]:
        """The warnings the build printed, to print again."""
        return [Problem(Path(path), message, line) for path, message, line in self.warnings]

    @classmethod
    def begin(cls, root: Path, output: Path, options: dict, taken: Snapshot | None = None) -> Manifest:
        """The stats of every input, taken before the build reads any of them (``taken``: already)."""
        taken, inputs = taken or take_snapshot(root)
        manifest = cls(code_version(), str(root), str(output), options, inputs, taken)
        for path, key in inputs.items():
            if len(key) == 5 and stat.S_ISREG(key[4]) and too_recent(key[1], key[2], taken):  # compared by content
                manifest.racy[path] = file_digest(root / path)
        return manifest

    def read_templates(self, root: Path) -> None:
        """Read each template (every file of ``templates/`` but strings.toml: ``*.html``, ``*.xml``,
        ``robots.txt``, whatever a template includes) once: its digest keys what it renders,
        and its text is what the build renders with (:class:`.render.Renderer`), so a template
        saved again while the build runs, even within a stat's tick, can never be rendered under
        another version's key. (``(None, None)``: it could not be read.)"""
        for path, key in self.inputs.items():
            if not path.startswith("templates/") or path in NOT_TEMPLATES:
                continue
            if len(key) == 5 and stat.S_ISREG(key[4]):
                try:
                    data = read_bytes(root / path)
                except (OSError, ContentError):
                    self.templates[path] = (None, None)
                    continue
                try:  # (newlines as a file opened in text mode reads them, as Jinja's own loader does)
                    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
                except UnicodeDecodeError:
                    text = None  # (Jinja reads it itself, and says what is wrong)
                self.templates[path] = (hashlib.sha256(data).hexdigest(), text)

    def vouch(self, path: str, digest: str | None) -> None:
        """Say the build uses exactly the bytes of ``path`` (site-relative) whose digest is ``digest``
        (site.toml as the settings were read, strings.toml as the renderer read it): what the build
        renders is then keyed by that digest, as it is by the templates', never by the file's stat.
        A build right after a save to one keeps its pages for the next build (a stat that recent
        cannot stand for a file's content, so until now they were all rendered again there)."""
        if digest is not None and path in self.inputs:
            self.vouched[path] = digest

    def template_texts(self) -> dict[str, str]:
        """Each template's text as :meth:`read_templates` read it, by its name in ``templates/``."""
        return {path.removeprefix("templates/"): text for path, (_, text) in self.templates.items() if text is not None}

    def stamp_ahead(self, files: dict[str, Stamp], folders: dict[str, Stamp] | None = None) -> None:
        """The output listed from ``files`` (as :meth:`save` takes them) and stamped by a thread
        from now, beside the build's last steps (its records and kept pages saved): its work is
        mostly an ``lstat`` of each folder of the site the build did not stamp already (``folders``:
        :attr:`.tree.TreeRecord.folders`), a wait on the system that lets those steps run.
        :meth:`save` takes the answer; :meth:`stop_stamping` if the build fails before."""
        self.outputs, self._stamped, self._folders = "\n".join(listing_of(files)), files, folders
        if len(files) < STAMP_AHEAD:
            return  # (a small site's stamps cost less than a thread)
        output, outputs, inputs = Path(self.output), self.outputs, len(self.inputs)
        try:
            self._stamping = Threaded(lambda: _output_state(output, outputs, inputs, files, folders))
        except RuntimeError:  # no thread could be started: stamped by :meth:`save`
            self._stamping = None

    def stop_stamping(self) -> None:
        stamping, self._stamping = self._stamping, None
        if stamping is not None:
            stamping.cancel()

    def save(self, path: Path, files: dict[str, Stamp] | None = None) -> None:
        """Written atomically (and sealed) after the build swapped its output in; a failure only
        costs speed. ``files``: every file of the output with the stamp the build took of it as it
        wrote or checked it (its folders are listed from them and stat'ed here, or by the thread
        :meth:`stamp_ahead` started with the same ``files``); without it, the output is listed and
        stat'ed whole."""
        output = Path(self.output)
        stamping, self._stamping = self._stamping, None
        state = None
        if stamping is not None and files is not None and files is self._stamped:
            with contextlib.suppress(RuntimeError):  # (it failed: stamped here)
                state = stamping()
        elif stamping is not None:
            stamping.cancel()
        if state is None:
            try:
                if files is None or files is not self._stamped:
                    self.outputs = "\n".join(output_listing(output) if files is None else listing_of(files))
            except OSError:
                return
            folders = self._folders if files is not None and files is self._stamped else None
            state = _output_state(output, self.outputs, len(self.inputs), files, folders)
        self.output_state = state
        self._write(path)
        remove_file(path.with_suffix(".json"))  # the manifest as earlier versions kept it (JSON, ~1 kB an article)

    def _write(self, path: Path) -> None:
        if not self.newest and len(self.inputs) <= AHEAD_INPUTS:
            self.newest = _newest(self.inputs)
        recorded = {name: getattr(self, name) for name in self.RECORDED}
        store_pickle(path, {"format": FORMAT, **recorded})  # (a pickle loads in half the time JSON takes)

    def settle(self, cache_dir: Path, taken: Snapshot) -> None:
        """Drop from ``racy`` the files just found unchanged by content whose stats are now old enough
        to judge them by (as git refreshes a racy index): later checks then stat them, not read them.

        Safe because each such file's stat was equal and its bytes were equal after ``taken``: a later
        change gives it a newer time than the recorded one. Only speed is at stake if this manifest
        was replaced meanwhile: the one written here still records the inputs and output it checked.
        """
        settled = [name for name in self.racy if not too_recent(*taken[1][name][1:3], taken[0])]
        if not settled:
            return
        for name in settled:
            del self.racy[name]
        self.__dict__.pop("_by_folder", None)
        self._write(manifest_path(cache_dir, Path(self.output)))


def build_options(config: SiteConfig) -> dict:
    """What a build depends on besides its input files (site.toml's own settings are an input)."""
    return {"base_url": config.base_url}


def up_to_date(
    config: SiteConfig, output: Path | None = None, strict: bool = False, taken: Snapshot | None = None
) -> Manifest | None:
    """The last build's manifest when nothing it read has changed since (nothing to write), else None.

    ``taken``: the inputs' snapshot, when the caller took it (to build with it if not up to date).
    """
    return check_last_build(config, output, strict, taken)[0]


def check_last_build(
    config: SiteConfig,
    output: Path | None = None,
    strict: bool = False,
    taken: Snapshot | None = None,
    ahead: bool = False,
) -> tuple[Manifest | None, Snapshot | Foreseen]:
    """:func:`up_to_date`, and the inputs' snapshot it compared (a build that follows reuses it).

    The work is shared with a forked child (:func:`_shared_check`): on two cores it costs about
    half its sum, not the sum; when an input changed, the output's stamps are not waited for (the
    build that follows does not need them).

    ``ahead``: when one of the inputs the last build saw changed last differs now (an editor
    saving the article again: :func:`_edited_again`), the build is certain, so a forked child takes
    the snapshot, then surveys the output's standby (:class:`Foreseen`: give it to :func:`settled`),
    while this process goes on to import the builder: on two cores the two overlap. Only on a
    project small enough that sending the snapshot back costs less than that (:data:`AHEAD_INPUTS`).
    """
    output = (Path(output) if output else config.output_dir).resolve()
    root = config.root.resolve()
    manifest = _last_manifest(root, output, build_options(config), strict, config.cache_dir)
    if manifest is None:
        return None, taken or take_snapshot(root)
    if taken is None and ahead and len(manifest.inputs) <= AHEAD_INPUTS and _edited_again(root, manifest):
        with contextlib.suppress(OSError):  # (no process could be made: checked here instead)
            cache_dir = config.cache_dir
            return None, Foreseen(*forked_then(lambda: take_snapshot(root), lambda: _survey(cache_dir, output)))
    if taken is None:
        stamps, taken = _shared_check(root, output, manifest, config.cache_dir if ahead else None)
        if isinstance(taken, Foreseen):
            return None, taken
    else:
        stamps = _output_state(output, manifest.outputs, len(manifest.inputs)) if taken[1] == manifest.inputs else None
    if stamps is None or not _holds(manifest, root, stamps, taken, inputs_compared=True):
        return None, taken
    manifest.settle(config.cache_dir, taken)
    return manifest, taken


def _newest(inputs: dict[str, list[int]]) -> list[str]:
    """The files of ``inputs`` modified last (:data:`PROBED` of them), worked out as the manifest is
    saved: a check reads them from there (at 1,000 articles, a millisecond fewer on a no-op)."""
    import heapq

    files = (item for item in inputs.items() if len(item[1]) == 5)
    return [name for name, _ in heapq.nlargest(PROBED, files, key=lambda item: item[1][1])]


def _edited_again(root: Path, manifest: Manifest) -> bool:
    """Whether one of the files the last build saw modified last (:attr:`Manifest.newest`) differs
    from its stat now. Only a guess of how to check: whatever it says, every input is compared."""
    base = os.fspath(root) + "/"
    for name in manifest.newest:
        try:
            if _stat_key(os.stat(base + name)) != manifest.inputs.get(name):
                return True
        except OSError:
            return True  # (removed: an edit too)
    return False


def _survey(cache_dir: Path, output: Path) -> tuple:
    from .tree import survey_beside  # (in the child only: this process imports it with the builder)

    return survey_beside(cache_dir, output)


def settled(taken: Snapshot | Foreseen, root: Path) -> tuple[Snapshot, Pending | None]:
    """The snapshot :func:`check_last_build` gave, waited for if a forked child takes it (taken
    here if that child could not give it: killed, or no process could be made), and the standby's
    survey that child makes next (None: none), for :func:`.builder.build_site`."""
    if not isinstance(taken, Foreseen):
        return taken, None
    try:
        return taken.snapshot(), taken.survey
    except RuntimeError:
        taken.survey.cancel()
        return take_snapshot(root.resolve()), None


def _shared_check(
    root: Path, output: Path, manifest: Manifest, ahead: Path | None = None
) -> tuple[list | None, Snapshot | Foreseen]:
    """The inputs' snapshot and, unless an input changed, the output's stamps (None if one did).

    A forked child stamps its share of the output (:func:`_share`) from the start while this
    process stats the inputs; when one differs, the child is stopped then and there: a build with
    work to do waits for no stat of the site it is about to replace. ``ahead`` (the cache's
    folder): when an input is seen to differ before the snapshot is whole, the build is certain,
    so a forked child takes the rest of it, then surveys the standby (:class:`Foreseen`), while
    this process goes on to import the builder (an article other than the last one edited: at
    1,000 articles the snapshot's ~40 ms overlap the imports, on average half of them).
    """
    forked_part, rest = _split(manifest.outputs, len(manifest.inputs))
    if len(manifest.inputs) > AHEAD_INPUTS:
        return _split_check(root, output, manifest, forked_part, rest)
    pending = forked(lambda: output_stamps(output, forked_part))
    try:
        taken = _snapshot_watched(root, manifest.inputs, output, ahead)
        if isinstance(taken, Foreseen) or taken[1] != manifest.inputs:
            return None, taken
        mine = output_stamps(output, rest)
        return [pending(), mine], taken
    finally:
        pending.cancel()


WATCHED = 64  # folders listed between two looks at whether the inputs listed so far differ


def _snapshot_watched(root: Path, inputs: dict, output: Path, ahead: Path | None) -> Snapshot | Foreseen:
    """:func:`take_snapshot`; but with ``ahead`` (the cache's folder), once an input listed differs
    from ``inputs`` (looked at every :data:`WATCHED` folders), the rest is taken by a forked child,
    which then surveys the standby of ``output`` (:func:`check_last_build`'s ``ahead``)."""
    when, base, found = time.time(), os.fspath(root) + "/", {}
    _stat_files(base, found)
    stack, known, listed = list(INPUT_FOLDERS), inputs.items(), dict(found)
    while stack and ahead is not None:
        if not listed.items() <= known:  # (in C) an input new or changed: the build is certain
            with contextlib.suppress(OSError):  # (no process could be made: taken here)
                rest = partial(_snapshot_rest, when, base, stack, found)
                return Foreseen(*forked_then(rest, partial(_survey, ahead, output)))
            break
        listed = {}
        for _ in range(min(WATCHED, len(stack))):
            stack += _list(base, stack.pop(), listed)
        found |= listed
    return when, _walk(base, stack, found)


def _snapshot_rest(when: float, base: str, stack: list[str], found: dict[str, list[int]]) -> Snapshot:
    """The snapshot begun at ``when``: the stats under the folders of ``stack`` added to ``found``."""
    return when, _walk(base, stack, found)


def _split_check(
    root: Path, output: Path, manifest: Manifest, forked_part: list[str], rest: list[str]
) -> tuple[list | None, Snapshot]:
    """:func:`_shared_check` of a large project: the inputs' snapshot taken half here, half by a
    forked child (the articles' folders shared out once ``content/`` is listed), which sends its
    half back (~1 µs an input, against ~9 µs to stat one) and then stamps its part of the output
    while this process stamps the rest, unless an input changed. At 100,000 articles the snapshot
    of an edit's build took 2.7 s in one process."""
    when, base, found = time.time(), os.fspath(root) + "/", {}
    _stat_files(base, found)
    articles = _list(base, "content", found)
    theirs, mine = articles[len(articles) // 2 :], articles[: len(articles) // 2]
    try:
        half, stamps = forked_then(lambda: _walk(base, list(theirs), {}), lambda: output_stamps(output, forked_part))
    except OSError:  # (no process could be made: taken here)
        half, stamps = None, None
    try:
        _walk(base, [name for name in INPUT_FOLDERS if name != "content"] + mine, found)
        try:
            found.update(half() if half is not None else _walk(base, list(theirs), {}))
        except RuntimeError:  # (the child was killed: its half taken here)
            found.update(_walk(base, list(theirs), {}))
        taken = when, found
        if found != manifest.inputs or stamps is None:
            return (None if found != manifest.inputs else _output_state(output, manifest.outputs, len(found))), taken
        mine_stamped = output_stamps(output, rest)
        try:
            return [stamps(), mine_stamped], taken
        except RuntimeError:
            return [output_stamps(output, forked_part), mine_stamped], taken
    finally:
        if half is not None:
            half.cancel()
        if stamps is not None:
            stamps.cancel()


def unchanged(
    root: Path, output: Path, options: dict, strict: bool, cache_dir: Path, taken: Snapshot | None = None
) -> Manifest | None:
    """The last build's manifest if nothing it depends on changed since, else None (build again)."""
    manifest = _last_manifest(root, output, options, strict, cache_dir)
    if manifest is None:
        return None
    stamps = _output_state(output, manifest.outputs, len(manifest.inputs))
    return manifest if _holds(manifest, root, stamps, taken or take_snapshot(root)) else None


def _holds(manifest: Manifest, root: Path, output_state: list, taken: Snapshot, inputs_compared: bool = False) -> bool:
    """Whether the output (its ``output_state`` now) and the inputs (``taken``; ``inputs_compared``:
    found equal already) are as the build left them."""
    if output_state != manifest.output_state:
        return False  # the output was changed, added to or removed from since: build it again
    if not inputs_compared and taken[1] != manifest.inputs:
        return False
    # stats too close to the snapshot to tell: compared by content
    return all(digest is not None and file_digest(root / name) == digest for name, digest in manifest.racy.items())


def _last_manifest(root: Path, output: Path, options: dict, strict: bool, cache_dir: Path) -> Manifest | None:
    """The last build's manifest if it is this user's, of this code, folder, output and options."""
    if os.path.islink(cache_dir):
        return None  # a cache that is not the project's own folder is never read (open_cache says why)
    data = load_pickle(manifest_path(cache_dir, output))
    if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
        return None  # no manifest, or not one this code wrote: build
    try:
        manifest = Manifest(**data)
    except TypeError:
        return None
    if (strict and not manifest.strict_ok) or manifest.root != str(root) or manifest.output != str(output):
        return None
    if manifest.options != options or manifest.code != code_version():
        return None
    return manifest
