"""Make a clearly labelled placeholder photo (JPEG) where the real one is not available yet.

    python tools/placeholder_photo.py content/<slug>/images/name.jpg "What the real photo shows"

The build warns about a published article that still shows one (see
``microsite/content/placeholder.py``); an editor replaces it by saving the real photo under the same
file name, or by changing the path in index.md. `python build.py import` makes them too.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microsite.content.placeholder import placeholder_jpeg
from microsite.files import replace_file

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    target = Path(sys.argv[1])
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_file(target, placeholder_jpeg(sys.argv[2]))
