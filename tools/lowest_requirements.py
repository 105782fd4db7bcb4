"""Print the lowest versions the requirements files allow, pinned, for CI to install and test.

    python tools/lowest_requirements.py requirements.txt requirements-dev.txt > lowest.txt
    python -m pip install -r lowest.txt

Each ``name>=X`` (or ``name>=X,<Y``) becomes ``name==X``; exact pins (``==``) stay as they are;
``-r other.txt`` lines are followed. A floor that does not work is then found by CI, not by a
newsroom that happens to have an old version installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<extras>\[[^\]]*\])?\s*(?P<spec>[^#;]*)")


def lowest(path: Path, seen: set[Path]) -> list[str]:
    """The pinned lowest versions of one requirements file (and the files it includes)."""
    path = path.resolve()
    if path in seen:
        return []
    seen.add(path)
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            pins += lowest(path.parent / line.split(None, 1)[1], seen)
            continue
        match = REQUIREMENT.match(line)
        if match is None:
            raise SystemExit(f"{path}: cannot read {line!r}")
        specs = [spec.strip() for spec in match.group("spec").split(",") if spec.strip()]
        floor = next((spec[2:].strip() for spec in specs if spec.startswith(("==", ">="))), None)
        if floor is None:
            raise SystemExit(f"{path}: {match.group('name')} has no lowest version (>= or ==); give it one")
        pins.append(f"{match.group('name')}{match.group('extras') or ''}=={floor}")
    return pins


def main(paths: list[str]) -> None:
    seen: set[Path] = set()
    pins: dict[str, str] = {}
    for name in paths:
        for pin in lowest(Path(name), seen):
            pins.setdefault(pin.split("=")[0].split("[")[0].lower(), pin)
    print("\n".join(pins.values()))


if __name__ == "__main__":
    main(sys.argv[1:] or ["requirements.txt"])
