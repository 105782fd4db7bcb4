"""The preview's watcher when the system's limit on watched folders is reached (a real limit).

An archive of ~100,000 articles has more folders than Linux lets a user watch
(fs.inotify.max_user_watches). The limit here is real and small: each case runs in a user
namespace of its own (``unshare -Ur``) whose limit (/proc/sys/user/max_inotify_watches) is set
below what the archive needs, so the machine's own limit is left alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.needs import unavailable

ARTICLES = 30  # each with an images/ folder: 61 folders in all

CHILD = r"""
import json, logging, queue, sys, threading, time
from pathlib import Path
from microsite.desk.watch import watch_sources

logging.basicConfig(level=logging.WARNING, format="%(message)s")
content, other = Path(sys.argv[1]), Path(sys.argv[2])
seen, stop = queue.Queue(), threading.Event()
if other.is_dir():  # another program's watches (an editor's), in place before the preview starts
    import watchfiles

    theirs = queue.Queue()
    editor = lambda: [theirs.put(batch) for batch in watchfiles.watch(other, stop_event=stop)]
    threading.Thread(target=editor, daemon=True).start()
    while True:
        (other / "probe").write_text(str(time.monotonic()))
        try:
            theirs.get(timeout=0.2)
            break
        except queue.Empty:
            pass
ready = watch_sources([content], seen.put, stop)
in_place = ready.wait(60)
# Saved once, right after the watcher says every save is seen: an article's text and a photo
# (events, or the looker's next look).
once = {content / "bai-05" / "index.md", content / "bai-07" / "images" / "moi.jpg"}
for path in once:
    path.write_bytes(b"\xff\xd8" + bytes(8) if path.suffix == ".jpg" else "Đoạn đã sửa.\n".encode())
unseen, deadline = set(once), time.monotonic() + 15
while unseen and time.monotonic() < deadline:
    try:
        unseen -= seen.get(timeout=0.1)
    except queue.Empty:
        pass


def noticed(path, change, seconds=30.0):
    # change the file until a batch names it (the watches or the first look are in place by then)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        change(path)
        waited = time.monotonic() + 2
        while time.monotonic() < waited:
            try:
                if path in seen.get(timeout=0.1):
                    return True
            except queue.Empty:
                pass
    return False


def append(path):
    with open(path, "a", encoding="utf-8") as file:
        file.write("\nThêm một câu.\n")


probe = content / "bai-00" / "probe.txt"
results = {"ready": in_place, "saved once": not unseen}
results["probe"] = noticed(probe, lambda p: p.write_text(str(time.monotonic())))
results["text"] = noticed(content / "bai-17" / "index.md", append)
results["photo"] = noticed(content / "bai-23" / "images" / "anh.jpg", lambda p: p.write_bytes(b"\xff\xd8" + bytes(8)))
new = content / "bai-new"
new.mkdir()
results["new article"] = noticed(new / "index.md", append)
results["removed"] = noticed(content / "bai-03" / "index.md", lambda p: p.unlink(missing_ok=True))
results["threads"] = sum(t.name == "preview-watch" and t.is_alive() for t in threading.enumerate())
stop.set()
print(json.dumps(results))
"""


def watch_with_limit(tmp_path: Path, limit: int, held: int = 0) -> tuple[dict, str]:
    """Run the watcher over a generated archive with at most ``limit`` watched folders, ``held``
    of them by another program first; what it noticed, and what it logged."""
    if shutil.which("unshare") is None:
        unavailable("a small limit on watched folders needs unshare (util-linux)")
    content = tmp_path / "content"
    for number in range(ARTICLES):
        (content / f"bai-{number:02}" / "images").mkdir(parents=True)
        (content / f"bai-{number:02}" / "index.md").write_text("---\ntitle: Tin\n---\nĐoạn.\n", encoding="utf-8")
    other = tmp_path / "other"
    for number in range(held):
        (other / f"{number}").mkdir(parents=True)
    shell = 'echo "$1" > /proc/sys/user/max_inotify_watches && exec "$2" -c "$3" "$4" "$5"'
    result = subprocess.run(
        ["unshare", "-Ur", "sh", "-c", shell, "sh", str(limit), sys.executable, CHILD, str(content), str(other)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if result.returncode != 0 and "max_inotify_watches" in result.stderr and "denied" in result.stderr.lower():
        unavailable(f"this system does not let a user namespace set its own limit on watches: {result.stderr}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1]), result.stderr


@pytest.mark.parametrize("limit", [45, 20])
def test_every_save_is_still_seen_past_the_systems_limit_on_watched_folders(tmp_path, limit) -> None:
    """45: the articles' folders are watched on their own (31 watches), their photos looked at;
    20: even that is more than the limit, and everything is looked at. Either way: every kind of save is seen,
    the preview says what it does and how to raise the limit, and no thread dies."""
    noticed, log = watch_with_limit(tmp_path, limit)
    assert noticed == {
        "ready": True,
        "saved once": True,
        "probe": True,
        "text": True,
        "photo": True,
        "new article": True,
        "removed": True,
        "threads": 2 if limit > ARTICLES else 1,  # (a looker beside the events, or the looker alone)
    }, log
    assert "Traceback" not in log
    assert f"allows {limit} watched folders to a user (fs.inotify.max_user_watches) and" in log
    assert f"content has {2 * ARTICLES + 1}" in log and "sudo sysctl fs.inotify.max_user_watches=524288" in log
    if limit > ARTICLES:
        assert f"it and its {ARTICLES} subfolders are watched on their own" in log
    else:
        assert f"even its own {ARTICLES} subfolders are more: all of it is looked at" in log


def test_the_watcher_makes_do_when_other_programs_hold_the_watches_it_counted_on(tmp_path) -> None:
    """70 allowed, the archive needs 61, an editor holds 30 (its folder and 29 in it): watching all
    of it is refused; the articles' folders (31) are watched on their own, the rest looked at."""
    noticed, log = watch_with_limit(tmp_path, 70, held=29)
    kinds = ("ready", "saved once", "probe", "text", "photo", "new article", "removed")
    assert all(noticed[kind] for kind in kinds), log
    assert noticed["threads"] == 2 and "Traceback" not in log, log
    assert "the system refused to watch the 61 folders of" in log
    assert "other programs hold most of the 70 watched folders the system allows a user" in log
    assert f"it and its {ARTICLES} subfolders are watched on their own" in log
