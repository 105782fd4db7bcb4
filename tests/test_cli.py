"""The command line as a user runs it: python build.py ..., exit codes and messages."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from tests.conftest import REPO


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("command", ["", "build", "serve", "translate", "models", "check", "new", "fix-unicode"])
def test_every_command_has_help(command: str) -> None:
    result = run(*([command] if command else []), "--help")
    assert result.returncode == 0
    assert "usage: python build.py" in result.stdout


def test_the_command_list_names_every_command() -> None:
    listed = run("--help").stdout
    for command in ("build", "serve", "translate", "check", "models", "new", "import", "fix-unicode"):
        assert f"\n    {command}" in listed  # each command's parser is made only when it runs


def test_an_unknown_time_zone_stops_the_build_even_after_one_that_was_known(site) -> None:
    site.article("bai")
    assert run("--root", str(site.root)).returncode == 0
    settings = site.root / "site.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("Asia/Ho_Chi_Minh", "Mars/Olympus"), "utf-8")
    result = run("--root", str(site.root))
    assert result.returncode == 1, result.stdout
    line = settings.read_text(encoding="utf-8").splitlines().index('timezone = "Mars/Olympus"') + 1
    assert f"site.toml:{line}: timezone 'Mars/Olympus' is not a time zone name" in result.stderr
    assert "Traceback" not in result.stderr and (site.root / "site" / "index.html").is_file()  # the last site stays


def test_build_and_check(site) -> None:
    site.article("bai", body="Một.\n\nHai.\n")
    site.translate("bai", skip=1)
    built = run("--root", str(site.root))
    assert built.returncode == 0, built.stderr
    assert "Built" in built.stdout and "1 in vi, 0 in en" in built.stdout
    assert "warning:" in built.stderr and "content/bai/index.md" in built.stderr.replace("\\", "/")
    assert (site.root / "site" / "index.html").is_file()

    strict = run("build", "--strict", "--root", str(site.root))
    assert strict.returncode == 1
    assert "left out of the en edition: 1 segment(s)" in strict.stderr

    check = run("check", "--root", str(site.root))
    assert check.returncode == 0
    assert (
        "en: 5 segments: 4 reviewed, 0 machine draft, 0 editor draft, 0 stale, 1 missing; 0 QA finding(s); "
        "not published" in check.stdout
    )
    assert run("check", "--strict", "--root", str(site.root)).returncode == 1


def test_the_repositorys_own_content_builds_whole_and_strict(tmp_path) -> None:
    """What a newcomer builds first (the README's `python build.py`): every article of the
    repository's content/ in both editions, with no warning and no finding."""
    import shutil

    for name in ("site.toml", "content", "templates", "static"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, tmp_path / name)
    articles = sum(1 for _ in (tmp_path / "content").glob("*/index.md"))
    built = run("--strict", "--root", str(tmp_path))
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""
    assert f"articles {articles} in vi, {articles} in en" in built.stdout


def test_check_writes_nothing(site) -> None:
    site.article("bai")
    assert run("check", "--root", str(site.root)).returncode == 0
    assert not (site.root / "site").exists()


def test_bad_input_is_one_clear_error_with_file_and_line(site) -> None:
    site.article("bai", front='title: "A"\ndate: 2021-02-30\n')
    result = run("--root", str(site.root))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "index.md:3: date: day is out of range for month" in result.stderr
    assert "nothing was written" in result.stderr


def test_new_makes_an_ascii_slug(site) -> None:
    result = run("new", "Đường đến Điện Biên: tăng 38,95%", "--date", "2024-05-07", "--root", str(site.root))
    assert result.returncode == 0, result.stderr
    folder = site.root / "content" / "duong-den-dien-bien-tang-38-95"
    text = (folder / "index.md").read_text()
    assert 'title: "Đường đến Điện Biên: tăng 38,95%"' in text and "date: 2024-05-07" in text
    assert (folder / "images").is_dir()
    assert run("--root", str(site.root)).returncode == 0  # the scaffold builds as it is
    again = run("new", "Đường đến Điện Biên: tăng 38,95%", "--root", str(site.root))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_fix_unicode(site) -> None:
    path = site.article("bai", body=unicodedata.normalize("NFD", "Quảng Ninh.\n"))
    assert run("--root", str(site.root)).returncode == 1
    fixed = run("fix-unicode", str(path), "--root", str(site.root))
    assert fixed.returncode == 0 and "re-saved as NFC" in fixed.stdout
    assert unicodedata.is_normalized("NFC", path.read_text())
    assert run("--root", str(site.root)).returncode == 0


def test_a_template_mistake_names_the_template_and_line(site) -> None:
    site.article("bai")
    template = site.root / "templates" / "article.html"
    lines = template.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "<h1>" in line)
    template.write_text(template.read_text().replace("<h1>{{ page.title }}", "<h1>{{ page.titel }}"))
    result = run("--root", str(site.root))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"templates/article.html:{number}: template error:" in result.stderr.replace("\\", "/")
    assert "titel" in result.stderr
    template.write_text(template.read_text().replace("{% block main %}", "{% block main %}{% if %}"))
    result = run("--root", str(site.root))
    assert result.returncode == 1 and "Traceback" not in result.stderr and "template error:" in result.stderr


def test_serve_on_a_taken_port_says_what_to_do(site) -> None:
    import socket

    site.article("bai")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(site.root), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and f"--port {port + 1}" in result.stderr
