"""The review desk under faults: a 4xx or 507 answer that says what happened, nothing written.

Permissions are real (the desk runs in a process without root's overrides), the full disk is a
real tmpfs, and HEAD goes through a real ``python build.py serve``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import urllib.request

import pytest

from tests.browser import _interruptible, serving
from tests.conftest import REPO
from tests.desk import test_desk
from tests.desk.test_desk import po_of, version
from tests.faults import on_small_disk, unprivileged

desk_site, client, saved = test_desk.desk_site, test_desk.client, test_desk.saved  # the desk tests' fixtures

SAVE = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {repo!r})
    from microsite.content.config import load_config
    from microsite.desk.app import Desk
    from microsite.desk.review import review_article
    from tests.desk.test_desk import Client
    config = load_config({toml!r})
    client = Client(Desk(lambda: config))
    loaded = review_article(config, "bai", "en").version_of("Tiêu đề bài viết")
    {before}
    print(json.dumps(client.save(version=loaded, source="Tiêu đề bài viết", text="A title typed in the desk")))
    """
)


def save_in_process(site, command_prefix=(), before: str = "pass") -> tuple[int, dict]:
    script = SAVE.format(repo=str(REPO), toml=str(site.root / "site.toml"), before=before)
    result = subprocess.run([*command_prefix, sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    status, data = json.loads(result.stdout.splitlines()[-1])
    return status, data


def test_a_save_into_a_read_only_folder_is_403_and_writes_nothing(desk_site) -> None:
    po = po_of(desk_site)
    before = po.read_bytes()
    po.parent.chmod(0o555)
    try:
        status, data = save_in_process(desk_site, unprivileged([]))
    finally:
        po.parent.chmod(0o755)
    assert status == 403, data
    assert "permission denied" in data["error"] and "nothing was saved" in data["error"]
    assert po.read_bytes() == before
    assert sorted(p.name for p in po.parent.iterdir()) == ["en.po", "images", "index.md"]


def test_a_read_only_catalog_is_refused_with_a_clear_message(desk_site, client) -> None:
    po = po_of(desk_site)
    before = po.read_bytes()
    po.chmod(0o444)
    status, data = client.save(version=version(client, "Tiêu đề bài viết"), source="Tiêu đề bài viết", text="Typed")
    assert status == 403, data
    assert "en.po: this file is read-only" in data["error"] and "chmod u+w" in data["error"]
    assert po.read_bytes() == before


def test_a_save_on_a_full_disk_is_507_and_writes_nothing(desk_site, tmp_path) -> None:
    disk = tmp_path / "disk"
    script = f"""
import json, shutil, subprocess, sys
from pathlib import Path
disk = Path({str(disk)!r})
shutil.copytree({str(desk_site.root)!r}, disk / "site-root", symlinks=True)
po = disk / "site-root/content/bai/en.po"
before = po.read_bytes()
filler = open(disk / "filler", "wb", buffering=0)  # fill the disk to the last block
try:
    while True:
        filler.write(b"x" * 4096)
except OSError:
    pass
script = {SAVE!r}.format(repo={str(REPO)!r}, toml=str(disk / "site-root/site.toml"), before="pass")
result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd={str(REPO)!r})
print(result.stdout.splitlines()[-1] if result.returncode == 0 else "crashed " + result.stderr)
print(po.read_bytes() == before, sorted(p.name for p in po.parent.iterdir()))
"""
    answer, files = on_small_disk(disk, script, size="16m").splitlines()
    status, data = json.loads(answer)
    assert status == 507, data
    assert "the disk is full" in data["error"] and "nothing was saved" in data["error"]
    assert files == "True ['en.po', 'images', 'index.md']"


@pytest.mark.parametrize(
    "path",
    [
        "/_review/en/bai%00/",
        "/_review/en/b%00ai/save",
        "/_review/en/bai/photo/images/cang%00.jpg",
        "/_review/en/bai/photo/images/" + "a" * 5000 + ".jpg",
        "/_review/en/" + "b" * 5000 + "/",
        "/_review/en/bai/photo/images/x.svg",
    ],
)
def test_hostile_paths_get_a_4xx_with_a_message(client, path: str) -> None:
    from urllib.parse import unquote

    method = "POST" if path.endswith("save") else "GET"
    status, _, body = client.request(method, unquote(path), accept="application/json")
    assert 400 <= status < 500, (status, body[:200])
    assert json.loads(body)["error"]


def test_the_desk_never_serves_an_svg_from_an_article(desk_site, client) -> None:
    (desk_site.root / "content" / "bai" / "images" / "x.svg").write_text("<svg onload='alert(1)'/>")
    status, _, _ = client.get("/_review/en/bai/photo/images/x.svg")
    assert status == 404


def test_head_is_answered_like_get_without_a_body(desk_site) -> None:
    desk_site.publish_drafts()  # the English page of the drafts exists
    with serving(desk_site.root) as served:
        for path in ("/_review/", "/_review/en/bai/", "/repo/en/bai/", "/repo/"):
            get = urllib.request.urlopen(f"{served.url}{path}", timeout=10)
            head = urllib.request.urlopen(urllib.request.Request(f"{served.url}{path}", method="HEAD"), timeout=10)
            assert head.status == get.status == 200
            assert head.read() == b""
            assert head.headers["Content-Type"] == get.headers["Content-Type"]
            assert get.read()  # (livereload sets the length of the body sent, so HEAD's is 0)
        log = served.stop()
    assert "HTTPOutputError" not in log and "Traceback" not in log


CTRL_C_IN_A_CALLBACK = """
import gc, os, signal, sys, weakref
sys.path.insert(0, sys.argv[1])
from microsite.desk.livereload_adapter import LiveServer

def app(environ, start_response):
    start_response("200 OK", [])
    return [b""]

server = LiveServer(app, app, "/_review/")
asked, watching = [], []

class Cycle:
    pass

def ctrl_c_inside_a_callback():
    cycle = Cycle()
    cycle.me = cycle  # (freed only by the collector, as a finished thread's objects are)
    def freed(reference):  # (as WeakSet's own callback runs when a thread object is freed)
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10_000):  # (Python looks for signals as it loops: here, inside the callback)
            pass
        asked.append(True)
    watching.append(weakref.ref(cycle, freed))  # (the reference outlives the cycle: its callback runs)
    del cycle
    gc.collect()

server.call_soon(ctrl_c_inside_a_callback)
server.serve("127.0.0.1", 0)
print("stopped" if asked else "stopped before the callback")
"""


def test_ctrl_c_stops_serve_even_when_it_lands_inside_a_callback_of_the_garbage_collector(tmp_path) -> None:
    """Python prints a KeyboardInterrupt raised inside a weakref callback as ignored, and goes on:
    seen in CI, where a Ctrl+C that landed as a thread object was freed left `serve` running. The
    server turns Ctrl+C into a request to stop, which is never lost."""
    script = tmp_path / "ctrl_c.py"
    script.write_text(CTRL_C_IN_A_CALLBACK, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), str(REPO)], capture_output=True, text=True, timeout=30, preexec_fn=_interruptible
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stopped", result.stdout + result.stderr
    assert "KeyboardInterrupt" not in result.stderr
