"""Copy the site's font from its npm package into static/fonts/, with its licence.

    npm ci && python scripts/update_fonts.py

Literata (SIL Open Font License 1.1) covers Vietnamese fully. Only the two subsets the site's
text needs are kept, Latin and Vietnamese, as variable fonts (every weight in one file), upright
and italic; the style sheet loads each only for the characters it covers (unicode-range). A test
checks the copies are byte for byte the package's, so the files in static/fonts/ stay traceable
to the version in package-lock.json.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "node_modules" / "@fontsource-variable" / "literata"
TARGET = REPO / "static" / "fonts"
SUBSETS, STYLES = ("latin", "vietnamese"), ("normal", "italic")
FILES = [f"literata-{subset}-wght-{style}.woff2" for subset in SUBSETS for style in STYLES]
LICENCE = "LICENSE-Literata.txt"


def main() -> int:
    if not PACKAGE.is_dir():
        print(f"{PACKAGE} is missing: run `npm ci` first", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(PACKAGE / "files" / name, TARGET / name)
    shutil.copyfile(PACKAGE / "LICENSE", TARGET / LICENCE)
    print(f"copied {len(FILES)} font files and the licence into {TARGET.relative_to(REPO)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
