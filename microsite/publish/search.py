"""The search index: Pagefind over the published article pages, built with the site, queried in the browser.

Pagefind (``pagefind-bin`` from PyPI, its binary in the wheel; no network) reads the pages marked
``data-pagefind-body`` (article pages only: list pages, drafts, held-back editions and the desk
are never in the site or never marked) and writes a chunked index per ``<html lang>`` into
``pagefind/``, so a reader's browser fetches only the pieces a query needs.

Indexing costs time in proportion to the site, so a copy of the index is kept in ``.cache/search/``
under a digest of every indexed page's bytes: a build whose article pages are byte for byte the
last one's copies the kept index instead of running Pagefind again. Copies, not links, both ways:
nothing done to ``site/`` can change what the next build publishes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

from ..errors import ContentError
from ..files import problem_of, remove_tree

FOLDER = "pagefind"
MARK = b"data-pagefind-body"
# Pagefind's ready-made interfaces: the search page has its own (templates/search.html, static/search.js).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")  # fmt: skip
KEPT = 2  # indexes kept in .cache/search/: this build's and the one before (another output's)
# Word positions per index chunk (Pagefind's own default makes chunks of 250-500 KB, and a query
# downloads every chunk its words fall in). Measured with bench/search_speed.py; see the README.
# Pagefind names the setting unstable: tests/publish/test_search.py checks that it still applies.
CHUNK_SIZE = 1000


def pagefind_binary() -> Path | None:
    """The Pagefind executable shipped in the ``pagefind_bin`` wheel, or None when it is not installed."""
    spec = importlib.util.find_spec("pagefind_bin")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "pagefind"
    return binary if binary.is_file() else None


def index_site(site: Path, cache: Path) -> bool:
    """Write ``site/pagefind/`` for the pages under ``site``; True if Pagefind ran (False: the kept index fit).

    Raises ContentError when Pagefind is missing or fails: a site whose search page cannot search
    is not published.
    """
    binary = pagefind_binary()
    if binary is None:
        raise ContentError(
            site, "the search index needs Pagefind: python -m pip install -r requirements.txt (pagefind-bin)"
        )
    key, pages = _digest(site, binary)
    if pages == 0:  # no published article: Pagefind would index every page instead, so no index
        return False
    kept = cache / key
    if (kept / "pagefind-entry.json").is_file():
        try:
            shutil.copytree(kept, site / FOLDER)
            os.utime(kept)  # most recently used
            return False
        except OSError:
            remove_tree(site / FOLDER)  # a damaged copy: index again
    command = [str(binary), "--site", str(site), "--output-subdir", FOLDER, "--quiet"]
    try:
        environment = {**os.environ, "NO_COLOR": "1", "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": str(CHUNK_SIZE)}
        run = subprocess.run(command, capture_output=True, text=True, timeout=3600, env=environment)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ContentError(site, f"Pagefind could not build the search index: {exc}") from None
    if run.returncode != 0:
        details = (run.stderr or run.stdout).strip().splitlines()
        raise ContentError(
            site, f"Pagefind could not build the search index: {details[-1] if details else run.returncode}"
        )
    try:
        for name in UNUSED:
            (site / FOLDER / name).unlink(missing_ok=True)
        _canonical_entry(site / FOLDER / "pagefind-entry.json")
    except OSError as exc:
        raise ContentError(site / FOLDER, problem_of(exc, "write")) from None
    _keep(site / FOLDER, cache, key)
    return True


def _canonical_entry(path: Path) -> None:
    """Pagefind writes its entry file's languages in any order: sorted, the same site gives the same bytes."""
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _digest(site: Path, binary: Path) -> tuple[str, int]:
    """What the index depends on (every indexed page's path and bytes, Pagefind's own version), and
    how many pages are to be indexed."""
    digest = hashlib.blake2b(digest_size=16)
    pages = 0
    digest.update(f"{binary.stat().st_size} {CHUNK_SIZE}".encode())
    for root, folders, files in os.walk(site):
        folders.sort()
        for name in sorted(files):
            if name.endswith(".html"):
                path = os.path.join(root, name)
                with open(path, "rb") as file:
                    data = file.read()
                if MARK in data:
                    digest.update(os.path.relpath(path, site).encode() + b"\0" + data + b"\0")
                    pages += 1
    return digest.hexdigest(), pages


def _keep(index: Path, cache: Path, key: str) -> None:
    """Keep a copy of the index for the next build; best effort, like every cache (a full or
    read-only ``.cache`` only costs the next build the indexing time)."""
    temporary = cache / f".{key}.building-{os.getpid()}"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        remove_tree(temporary)
        shutil.copytree(index, temporary)
        remove_tree(cache / key)
        os.replace(temporary, cache / key)
        kept = sorted((p for p in cache.iterdir() if not p.name.startswith(".")), key=_age)
        for old in kept[KEPT:]:
            remove_tree(old)
    except OSError:
        remove_tree(temporary)


def _age(path: Path) -> float:
    return -path.stat().st_mtime
