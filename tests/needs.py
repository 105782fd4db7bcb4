"""What a test needs that pip does not install: system tools, npm packages, the browser.

A test whose tool is missing is skipped, saying which tool and how to install it. CI (``.ci/run``)
installs every one of them, so there the same test fails instead: nothing that matters is ever
skipped in CI.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "cli" / "index.js"
LITERATA = NODE_MODULES / "@fontsource-variable" / "literata"


def unavailable(reason: str) -> NoReturn:
    """Skip the test here, saying why; fail it in CI, which installs everything."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run must install it")
    pytest.skip(reason)


def need(tool: str) -> str:
    """A command-line tool: on PATH, or installed beside this Python (a venv's bin/ not on PATH)."""
    path = shutil.which(tool) or shutil.which(tool, path=str(Path(sys.executable).parent))
    if path is None:
        unavailable(f"{tool} is not installed here (see the README's Tests section)")
    return path


def need_npm(path: Path) -> Path:
    """A file from an npm package in package.json (``npm ci`` installs them)."""
    if not path.exists():
        parts = path.relative_to(NODE_MODULES).parts
        package = "/".join(parts[: 2 if parts[0].startswith("@") else 1])
        unavailable(f"the npm package {package} is not installed here (run npm ci)")
    return path


def need_browser() -> None:
    """Headless Chromium, its driver and selenium."""
    for tool in ("chromium", "chromedriver"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed here (apt-get install chromium chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        unavailable("selenium is not installed here (pip install -r requirements-dev.txt)")


def need_axe() -> str:
    """The browser, and axe-core's script to inject into a page."""
    need_browser()
    return need_npm(AXE).read_text(encoding="utf-8")
