"""Faults that must end in one clear message (file, what to do), exit 1, the previous site intact.

Real permissions (root's overrides dropped), real pipes, a real full disk (a small tmpfs), real
damaged photos: never a traceback, never a hang, never a half-written site.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import make_photo
from tests.faults import REPO, cli, on_small_disk, snapshot


@pytest.fixture
def built(site):
    """A site with one translated article, built once: the previous site every fault must leave alone."""
    site.article("bai", body='Đoạn một.\n\n![Ảnh](images/a.jpg "Chú thích.")\n', photos=("images/a.jpg",))
    site.translate("bai")
    result = cli("--root", str(site.root))
    assert result.returncode == 0, result.stderr
    site.before = snapshot(site.root / "site")
    yield site
    for path in site.root.rglob("*"):  # let pytest remove what a test locked
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    site.root.chmod(0o755)


def fails_cleanly(site, result, *expected: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr.replace(str(site.root) + "/", ""), result.stderr
    assert snapshot(site.root / "site") == site.before
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".site.")] == []


ARTICLE = Path("content") / "bai"


@pytest.mark.parametrize(
    "locked, expected",
    [
        ("images/a.jpg", "images/a.jpg: cannot read it: permission denied"),
        ("index.md", "index.md: cannot read it: permission denied"),
        ("en.po", "en.po: cannot read it: permission denied"),
        ("", "content/bai: cannot read this folder: permission denied"),
    ],
)
def test_unreadable_files_and_folders(built, locked: str, expected: str) -> None:
    target = built.root / ARTICLE / locked
    target.chmod(0)
    fails_cleanly(built, cli("--root", str(built.root), privileged=False), expected)


def test_read_only_project_folder(built) -> None:
    index = built.root / ARTICLE / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("Đoạn một.", "Đoạn đã sửa."), encoding="utf-8")
    built.root.chmod(0o555)
    fails_cleanly(built, cli("--root", str(built.root), privileged=False), "cannot write it: permission denied")


def test_read_only_cache(built) -> None:
    make_photo(built.root / ARTICLE / "images" / "b.jpg", color="orange")  # a new photo needs resizing
    index = built.root / ARTICLE / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + '\n![Ảnh hai](images/b.jpg "Hai.")\n', encoding="utf-8")
    for folder in [built.root / ".cache", *(built.root / ".cache").rglob("*")]:
        if folder.is_dir():
            folder.chmod(0o555)
    # A cache that cannot be written costs speed only: one warning, the new photo resized elsewhere.
    result = cli("--root", str(built.root), privileged=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(".cache: not used: it cannot be read and written") == 1, result.stderr
    assert (built.root / "site" / ARTICLE.name / "images" / "b-480w.jpg").is_file()


def test_a_read_only_template_cache_only_costs_speed(built, tmp_path) -> None:
    """Compiled templates are a speed-up: a cache that cannot be written is skipped, not an error."""
    template = built.root / "templates" / "base.html"
    template.write_text(template.read_text(encoding="utf-8") + "<!-- changed -->\n", encoding="utf-8")
    for path in [built.root / ".cache", *(built.root / ".cache").rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    result = cli("--root", str(built.root), "--out", str(tmp_path / "out"), privileged=False)
    assert result.returncode == 0, result.stderr
    assert "<!-- changed -->" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_a_full_disk_leaves_the_previous_site(site, tmp_path) -> None:
    """--out on a 1 MB tmpfs: the first build fits, the second (a bigger photo) does not."""
    site.article("bai", body='Đoạn.\n\n![Ảnh](images/a.jpg "Chú thích.")\n', photos=("images/a.jpg",))
    site.translate("bai")
    disk = tmp_path / "disk"
    script = f"""
import random, subprocess, sys
from pathlib import Path
from PIL import Image
root, out = {str(site.root)!r}, {str(disk / "site")!r}
def build():
    return subprocess.run([sys.executable, "build.py", "--root", root, "--out", out], capture_output=True, text=True)
def files():
    return sorted((str(p), p.read_bytes()) for p in Path(out).rglob("*") if p.is_file())
first = build()
assert first.returncode == 0, first.stderr
before = files()
noise = Image.effect_noise((1200, 1200), 90).convert("RGB")  # noise: hard to compress, ~1 MB as PNG
noise.save(Path(root) / "content/bai/images/a.png")
index = Path(root) / "content/bai/index.md"
index.write_text(index.read_text().replace("images/a.jpg", "images/a.png"))
second = build()
print(second.returncode)
print("traceback" if "Traceback" in second.stderr else "no traceback")
print("same" if files() == before else "changed")
print(sorted(p.name for p in Path(out).parent.iterdir()))
print(second.stderr)
"""
    lines = on_small_disk(disk, script, size="1m").splitlines()  # the first site (search index included) fits
    assert lines[:4] == ["1", "no traceback", "same", "['site']"], lines
    assert "the disk is full" in "\n".join(lines[4:])


def truncated_jpeg(path: Path) -> None:
    make_photo(path, size=(1600, 1200))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def huge_png(path: Path) -> None:
    """A PNG whose header says 20000×20000: Pillow's decompression-bomb check fires on opening it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


@pytest.mark.parametrize(
    "make, name, expected",
    [
        (truncated_jpeg, "cut.jpg", "images/cut.jpg: this photo cannot be decoded"),
        (huge_png, "huge.png", "huge.png is too large to resize safely"),
        (lambda p: p.write_bytes(b"<svg onload='alert(1)'/>"), "x.svg", "is an SVG drawing, which can carry scripts"),
        (lambda p: make_photo(p.with_suffix(".jpg")) and p.with_suffix(".jpg").rename(p), "x.html", "holds a JPEG"),
    ],
)
def test_damaged_or_dangerous_photos(built, make, name: str, expected: str) -> None:
    make(built.root / ARTICLE / "images" / name)
    index = built.root / ARTICLE / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + f'\n![Ảnh](images/{name} "Hai.")\n', encoding="utf-8")
    fails_cleanly(built, cli("--root", str(built.root)), expected)


def test_hostile_svg_files_are_never_published(built) -> None:
    hostile = [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="https://x"/></foreignObject></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
    ]
    index = built.root / ARTICLE / "index.md"
    text = index.read_text(encoding="utf-8")
    for number, svg in enumerate(hostile):
        (built.root / ARTICLE / "images" / f"s{number}.svg").write_text(svg, encoding="utf-8")
        index.write_text(text + f"\n![Ảnh](images/s{number}.svg)\n", encoding="utf-8")
        fails_cleanly(built, cli("--root", str(built.root)), "SVG drawing")
    index.write_text(text.replace("summary:", "image: images/s0.svg\nsummary:"), encoding="utf-8")  # the cover
    fails_cleanly(built, cli("--root", str(built.root)), "SVG drawing")
    assert [p.parent.name for p in (built.root / "site").rglob("*.svg*")] == ["static"]  # the site's own icon


def test_en_po_that_is_a_folder(built) -> None:
    po = built.root / ARTICLE / "en.po"
    po.unlink()
    po.mkdir()
    fails_cleanly(built, cli("--root", str(built.root)), "en.po: this is a folder, not a regular file")


def test_out_that_is_a_file(built, tmp_path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("mine", encoding="utf-8")
    fails_cleanly(built, cli("--root", str(built.root), "--out", str(target)), "this is a file, not a folder")
    assert target.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    "src, expected",
    [
        ("images/" + "a" * 300 + ".jpg", "over 255 bytes"),
        ("images/a%00b.jpg".replace("%00", "\\u0000"), "control character U+0000"),
    ],
)
def test_photo_paths_too_long_or_with_nul(built, src: str, expected: str) -> None:
    index = built.root / ARTICLE / "index.md"
    text = index.read_text(encoding="utf-8")
    index.write_text(text.replace("summary:", f'image: "{src}"\nsummary:'), encoding="utf-8")
    fails_cleanly(built, cli("--root", str(built.root)), expected)


@pytest.mark.parametrize("name", ["index.md", "en.po"])
def test_a_pipe_instead_of_a_file_never_blocks(built, name: str) -> None:
    path = built.root / ARTICLE / name
    path.unlink()
    os.mkfifo(path)
    result = cli("--root", str(built.root), timeout=60)  # a hang fails here with TimeoutExpired
    fails_cleanly(built, result, f"{name}: this is a pipe, socket or device, not a regular file")


@pytest.mark.parametrize(
    "name, command", [("site.toml", "build"), ("templates/strings.toml", "build"), ("content/glossary.yaml", "check")]
)
def test_a_pipe_in_place_of_a_settings_file_never_blocks(built, name: str, command: str) -> None:
    path = built.root / name
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    result = cli(command, "--root", str(built.root), timeout=60)
    fails_cleanly(built, result, f"{name}: this is a pipe, socket or device, not a regular file")


def test_symlinks_out_of_the_site_are_refused(built, tmp_path) -> None:
    elsewhere = tmp_path / "private"
    elsewhere.mkdir()
    (elsewhere / "index.md").write_text(
        '---\ntitle: "Bí mật"\ndate: 2021-06-25\n---\n\nNội dung riêng.\n', encoding="utf-8"
    )
    make_photo(elsewhere / "secret.jpg")
    (elsewhere / "en.po").write_text('msgid "Bí mật"\nmsgstr "Secret"\n', encoding="utf-8")
    leak = built.root / "content" / "leak"
    leak.symlink_to(elsewhere, target_is_directory=True)
    fails_cleanly(built, cli("--root", str(built.root)), "content/leak: this article folder is a symbolic link")
    leak.unlink()

    photo = built.root / ARTICLE / "images" / "link.jpg"
    photo.symlink_to(elsewhere / "secret.jpg")
    index = built.root / ARTICLE / "index.md"
    text = index.read_text(encoding="utf-8")
    index.write_text(text + '\n![Ảnh](images/link.jpg "Hai.")\n', encoding="utf-8")
    fails_cleanly(built, cli("--root", str(built.root)), "this photo is a symbolic link")
    index.write_text(text, encoding="utf-8")

    po = built.root / ARTICLE / "en.po"
    po.unlink()
    po.symlink_to(elsewhere / "en.po")
    fails_cleanly(built, cli("--root", str(built.root)), "this catalog is a symbolic link")


def test_a_photo_that_is_not_what_its_name_says(built) -> None:
    path = built.root / ARTICLE / "images" / "fake.png"
    Image.new("RGB", (10, 10)).save(path, "JPEG")
    index = built.root / ARTICLE / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + '\n![Ảnh](images/fake.png "Hai.")\n', encoding="utf-8")
    fails_cleanly(built, cli("--root", str(built.root)), "fake.png holds a JPEG file")


def test_files_read_and_kept_whole_whatever_their_size(tmp_path, monkeypatch) -> None:
    """The reader takes a file whole (one read, and one more to see its end); the cache's writer
    makes its folder when missing and leaves no temporary behind."""
    from microsite.files import read_bytes, write_cache

    for size in (0, 1, 65_536, 3 * 1024 * 1024 + 7):
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        path = tmp_path / f"file-{size}"
        path.write_bytes(data)
        assert read_bytes(path) == data
    kept = tmp_path / "new" / "folder" / "page.html"
    assert write_cache(kept, b"<p>kept</p>") and kept.read_bytes() == b"<p>kept</p>"
    assert write_cache(str(kept), b"<p>again</p>") and kept.read_bytes() == b"<p>again</p>"
    assert [p.name for p in kept.parent.iterdir()] == ["page.html"]  # no temporary left
    monkeypatch.chdir(tmp_path)
    assert write_cache("bare.html", b"<p>here</p>") and (tmp_path / "bare.html").read_bytes() == b"<p>here</p>"


@pytest.mark.parametrize("buffered", [False, True])
def test_a_report_that_cannot_be_printed_is_said_on_stderr_and_the_build_stays(built, buffered: bool) -> None:
    """Standard output on a full disk (/dev/full): the build is done, its report is lost; it says
    so in one line, with status 1, whether each print fails (unbuffered) or only the last flush."""
    article = built.root / ARTICLE / "index.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nĐoạn hai.\n", encoding="utf-8")
    environment = {**os.environ, "PYTHONUNBUFFERED": "" if buffered else "1"}
    for _ in range(2):  # the build that renders, then the no-op (which leaves without Python's teardown)
        with open("/dev/full", "w") as full:
            result = subprocess.run(
                [sys.executable, str(REPO / "build.py"), "--root", str(built.root)],
                stdout=full, stderr=subprocess.PIPE, text=True, env=environment, timeout=120,
            )  # fmt: skip
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
        assert "error: standard output could not be written (No space left on device)" in result.stderr
        assert "Đoạn hai." in (built.root / "site" / "bai" / "index.html").read_text(encoding="utf-8")
