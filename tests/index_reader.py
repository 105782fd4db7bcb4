"""The search index read as a reader's browser reads it (static/words.js): what it answers, not how
its files happen to be cut.

An index made edit by edit (a base, a middle and a delta) holds the same answers as one made from nothing,
in other bytes: tests compare a site with a clean build byte for byte everywhere else, and by
:func:`answers` under ``searchindex/``.
"""

from __future__ import annotations

import json
from pathlib import Path

FOLDER = "searchindex"


def answers(site: Path) -> dict[str, tuple[dict, dict, int]]:
    """Per edition: for each key, the pages holding it (by address) with the posting's weight,
    spellings and positions; each live page's fragment; and the page count."""
    root = site / FOLDER
    found: dict[str, tuple[dict, dict, int]] = {}
    if not root.is_dir():
        return found
    for folder in sorted(root.iterdir()):
        shape = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        fragments = {int(p.stem): json.loads(p.read_text(encoding="utf-8")) for p in (folder / "p").glob("*.json")}
        entries: dict[str, dict[str, tuple]] = {}
        for segment in shape["segments"]:
            for shard in sorted((folder / segment["name"]).glob("*.json")):
                for key, (spellings, *rows) in json.loads(shard.read_text(encoding="utf-8")).items():
                    for page_id, weight, mask, *positions in rows:
                        if page_id in segment["overridden"]:
                            continue
                        spelled = frozenset(s for i, s in enumerate(spellings) if mask & (1 << min(i, 30)))
                        entries.setdefault(key, {})[fragments[page_id]["url"]] = (weight, spelled, tuple(positions))
        pages = {fragment["url"]: fragment for fragment in fragments.values()}
        found[folder.name] = (entries, pages, shape["pages"])
    return found


def without_index(files: dict[str, bytes]) -> dict[str, bytes]:
    """A site's files (path → bytes) but its search index's."""
    return {path: data for path, data in files.items() if not path.startswith(FOLDER + "/")}


def shards(shape: dict) -> dict[str, int]:
    """A meta.json's segments' shard counts, by name ("b", "m", "d"): 0 for a segment it lacks."""
    return {"b": 0, "m": 0, "d": 0} | {segment["name"]: segment["shards"] for segment in shape["segments"]}


def overridden(shape: dict) -> dict[str, list[int]]:
    """A meta.json's segments' pages overridden by later ones, by name: [] for a segment it lacks."""
    return {"b": [], "m": [], "d": []} | {segment["name"]: segment["overridden"] for segment in shape["segments"]}
