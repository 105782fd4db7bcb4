"""Translation QA measured on planted catalogs: errors found, alarms raised on clean text.

    python bench/qa_recall.py

The catalogs are tests/translation/qa_planted.py: clean Vietnamese→English pairs written as a
careful editor would (number words, "first half", "Q1", "VND1.5 trillion", names with their
Vietnamese letters), and the same pairs with one planted error each (Vietnamese left in the
English, Roman numerals and ordinals lost or changed, periods, quarters, years and amounts
changed). Prints what ``check`` (qa.compare) finds in each, then recall and false alarms.
Issue 11's bar: at least 10 of 11 errors found, at most 1 false alarm on the clean version.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from microsite.translation.qa import compare  # noqa: E402
from tests.translation.qa_planted import CLEAN, PLANTED  # noqa: E402


def main() -> None:
    alarms = 0
    for kind, source, english in CLEAN:
        found = compare(source, english, kind=kind)
        alarms += bool(found)
        if found:
            print(f"false alarm: {english!r}: {found}")
    hits = 0
    for index, english, what, finding in PLANTED:
        kind, source, _ = CLEAN[index]
        found = compare(source, english, kind=kind)
        hits += len(found) == 1 and found[0].startswith(finding)  # the planted error, as what it is
        print(f"{'found ' if found else 'MISSED'} {what:35} {'; '.join(found)[:110]}")
    print(f"\nrecall: {hits} of {len(PLANTED)} planted errors found")
    print(f"false alarms: {alarms} of {len(CLEAN)} clean segments")


if __name__ == "__main__":
    main()
