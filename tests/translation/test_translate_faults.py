"""translate when catalogs cannot be saved: each failure named, every other catalog saved, exit 1.

Real engine (the tests' tiny Argos package), real permissions, a real full disk.
"""

from __future__ import annotations

from tests.faults import cli, on_small_disk


def three_articles(site) -> list:
    return [site.article(f"bai-{n}", body=f"Bài số {n}.\n\nHôm nay trời đẹp.\n").parent for n in (1, 2, 3)]


def test_a_read_only_article_folder_is_reported_and_the_others_are_saved(argos_package, site) -> None:
    folders = three_articles(site)
    folders[1].chmod(0o555)
    try:
        result = cli("translate", "--root", str(site.root), privileged=False)
    finally:
        folders[1].chmod(0o755)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "content/bai-2/en.po: cannot write it: permission denied" in result.stderr.replace(str(site.root) + "/", "")
    assert "its drafts were not saved" in result.stderr
    assert "1 catalog(s) could not be saved (the others were)" in result.stderr
    assert [(folder / "en.po").exists() for folder in folders] == [True, False, True]
    assert sorted(p.name for p in folders[1].iterdir()) == ["index.md"]  # no temporary file left


def test_a_full_disk_is_reported_per_catalog_without_a_traceback(argos_package, site, tmp_path) -> None:
    three_articles(site)
    disk = tmp_path / "disk"
    script = f"""
import shutil, subprocess, sys
from pathlib import Path
root = Path({str(disk)!r}) / "site-root"
shutil.copytree({str(site.root)!r}, root)
filler = open(Path({str(disk)!r}) / "filler", "wb", buffering=0)
try:
    while True:
        filler.write(b"x" * 4096)
except OSError:
    pass
result = subprocess.run([sys.executable, "build.py", "translate", "--root", str(root)], capture_output=True, text=True)
print(result.returncode, "Traceback" in result.stderr)
print(sorted(p.name for p in (root / "content").rglob("*") if "en.po" in p.name))
print(result.stderr)
"""
    status, files, *stderr = on_small_disk(disk, script, size="4m").splitlines()
    assert status == "1 False", stderr
    assert files == "[]"  # nothing half-written, no temporary file left
    errors = "\n".join(stderr)
    assert errors.count("the disk is full") == 3 and "3 catalog(s) could not be saved" in errors
