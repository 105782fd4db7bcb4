"""Headless Chromium (Debian's chromium + chromedriver, through selenium) and a running ``serve``.

Used by the browser tests and by ``bench/review_speed.py``. Nothing is downloaded: selenium is
pointed at the system's browser and driver.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=1280,900",
)


def chrome():
    """A headless Chromium session from the system's browser and driver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    condition: Callable[[], object], seconds: float = 15.0, step: float = 0.05, message: Callable[[], str] | None = None
) -> object:
    """``condition()`` once it is true; AssertionError after ``seconds`` (with ``message()``, if given)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(step)
    raise AssertionError("timed out" + (":\n" + message() if message else ""))


class Served:
    """A ``python build.py serve`` process; ``log`` is what it has printed so far."""

    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(process.stdout), daemon=True)
        self.reader.start()  # read as it comes, so a full pipe never blocks the server

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def stop(self) -> str:
        """Stop it as Ctrl+C does; one that does not stop within 15 s is killed (never left running)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
            raise AssertionError("serve did not stop on Ctrl+C within 15 s:\n" + self.log) from None
        finally:
            self.reader.join(timeout=5)
        return self.log


FIRST_BUILD = re.compile(r"^(rebuilt in|\S+/ is up to date|build failed|the build failed unexpectedly)", re.MULTILINE)


def _interruptible() -> None:
    """Ctrl+C given back to ``serve`` as a terminal starts it: a suite started in the background by
    a script (``cmd &``: the shell ignores SIGINT in it) passes that on to every process it starts,
    and Python then never turns SIGINT into KeyboardInterrupt: :meth:`Served.stop` could not stop it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def serving(root: Path, *options: str) -> Iterator[Served]:
    """Run ``serve`` on a free port until the block ends; the desk answers before the block starts."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_interruptible,
    )
    try:
        served = Served(process, port)
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)  # never left running, whatever went wrong
        process.wait(timeout=15)
        raise
    try:
        wait_for(lambda: process.poll() is not None or urllib.request.urlopen(f"{served.url}/_review/", timeout=5))
        # The server answers while its first build runs: the block starts once that build is in.
        wait_for(lambda: process.poll() is not None or FIRST_BUILD.search(served.log), 120, message=lambda: served.log)
        if process.poll() is not None:
            raise AssertionError("serve stopped:\n" + served.stop())
        yield served
    finally:
        served.stop()
