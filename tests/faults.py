"""Helpers for fault injection with real processes, permissions and file systems.

As root (CI), permissions do not stop a process: commands meant to meet them run under
``setpriv`` with the capabilities that bypass file permissions dropped. A full disk is a small
tmpfs mounted in a private mount namespace (``unshare -m``), gone when the command ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.needs import unavailable

NO_OVERRIDE = "--bounding-set=-dac_override,-dac_read_search,-fowner"


def unprivileged(command: list[str]) -> list[str]:
    """``command`` as a process that file permissions apply to (root's overrides dropped)."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        unavailable("setpriv (util-linux) is not installed here: as root, permissions cannot be tested without it")
    return ["setpriv", NO_OVERRIDE, *command]


def cli(*args: str, privileged: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python build.py ARGS`` as a user runs it."""
    command = [sys.executable, str(REPO / "build.py"), *args]
    if not privileged:
        command = unprivileged(command)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def on_small_disk(mountpoint: Path, script: str, size: str = "256k", timeout: float = 120) -> str:
    """Run a Python ``script`` with a ``size`` tmpfs mounted at ``mountpoint``; its stdout."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        unavailable("a full disk is simulated with a small tmpfs, which needs root and unshare (util-linux)")
    mountpoint.mkdir(parents=True, exist_ok=True)
    shell = 'mount -t tmpfs -o size="$1" tmpfs "$2" && exec "$3" -c "$4"'
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", shell, "sh", size, str(mountpoint), sys.executable, script],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
