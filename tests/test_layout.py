"""The house plan holds: data flows one way between the stage packages; a build loads no engine, no desk."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "microsite"
# What each stage may import from the project (besides itself): the ones before it in the flow.
ALLOWED = {
    "errors": set(),
    "text": set(),
    "inline": set(),
    "files": {"errors", "text"},
    "parallel": set(),
    "cache": {"errors", "files"},
    "store": {"errors", "files", "cache"},
    "content": {"errors", "text", "inline", "files", "parallel"},
    "importing": {"errors", "text", "files", "content"},
    "translation": {"errors", "text", "inline", "files", "cache", "store", "content", "parallel"},
    "publish": {"errors", "text", "inline", "files", "cache", "store", "content", "translation", "parallel"},
    "desk": {"errors", "text", "inline", "files", "cache", "store", "content", "translation", "publish", "parallel"},
}


def stage_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def project_imports(path: Path) -> list[str]:
    """Dotted names, from the package's root, of what a module imports from the project."""
    here = path.relative_to(REPO).with_suffix("").parts[:-1]  # the module's package
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - node.level + 1]
            names.append(".".join([*base, node.module or ""]).strip("."))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("microsite"):
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names if alias.name.startswith("microsite")]
    return names


MODULES = sorted(path for path in PACKAGE.rglob("*.py") if path.name != "__init__.py" or path.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_a_stage_imports_only_the_stages_before_it(path: Path) -> None:
    stage = stage_of(path)
    for name in project_imports(path):
        parts = name.split(".")
        assert parts[0] == "microsite", name
        target = parts[1] if len(parts) > 1 else ""
        assert target == stage or target in ALLOWED[stage], f"{path.relative_to(REPO)} imports {name}"
        if stage == "publish":  # the build never loads the translation engine
            assert not name.startswith("microsite.translation.machine"), f"{path.relative_to(REPO)} imports {name}"


def test_no_function_is_more_complex_than_20() -> None:
    """Cyclomatic complexity as radon counts it (branches and boolean operators): above 20 a function
    does more than one thing, and its tests cannot cover its paths."""
    from radon.complexity import cc_visit

    sources = [*MODULES, REPO / "build.py"]
    found = [
        f"{path.relative_to(REPO)}:{block.lineno} {block.fullname} {block.complexity}"
        for path in sources
        for block in cc_visit(path.read_text(encoding="utf-8"))
        if block.complexity > 20
    ]
    assert len(sources) > 40 and not found, found


def test_a_build_loads_no_engine_no_desk_and_no_file_watcher(sample_site) -> None:
    probe = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import build\n"
        "code = build.main(['build', '--root', sys.argv[1]])\n"
        "heavy = ('torch', 'argostranslate', 'ctranslate2', 'stanza', 'livereload', 'tornado', 'watchfiles',\n"
        "         'microsite.desk', 'microsite.importing', 'microsite.translation.machine',\n"
        "         'microsite.translation.translate', 'tqdm')\n"  # tqdm: only for a bar on a terminal
        "print(code, sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(sample_site)], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr


@pytest.mark.parametrize("kind", ["folder", "link", "file"])
def test_git_never_adds_the_cache_or_the_site_whatever_they_are(tmp_path, kind) -> None:
    """``.cache/`` in .gitignore does not match a link named ``.cache``: `git add .` committed one."""
    shutil.copy(REPO / ".gitignore", tmp_path / ".gitignore")
    for name in (".cache", "site"):
        if kind == "folder":
            (tmp_path / name).mkdir()
            (tmp_path / name / "file.txt").write_text("x", encoding="utf-8")
        elif kind == "link":
            (tmp_path / name).symlink_to(tmp_path / "elsewhere", target_is_directory=True)
        else:
            (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "index.md").write_text("x", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    added = subprocess.run(
        ["git", "-C", str(tmp_path), "add", "--dry-run", "-A"], capture_output=True, text=True, check=True
    ).stdout
    assert "index.md" in added and ".cache" not in added and "'site" not in added, added


@pytest.mark.parametrize(
    "script", sorted(path.name for path in (REPO / "bench").glob("*.py") if path.name != "__init__.py")
)
def test_every_bench_script_still_starts(script: str) -> None:
    """Benches run on demand, not in the suite: each must at least import and print its help (one
    without options, the QA recall, runs: it takes a second)."""
    command = [sys.executable, str(REPO / "bench" / script), "--help"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
