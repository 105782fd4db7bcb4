"""The one error type for what a user did wrong, and the warnings a build collects."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple


class Problem(NamedTuple):
    """A finding about one input file: where it is and what to do about it."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = display_path(self.path)
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Bad input (content, catalog, configuration): carries the file, the line and what to do."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.problem = Problem(Path(path), message, line)
        super().__init__(str(self.problem))

    def __reduce__(self) -> tuple:  # so it crosses from a worker process intact
        return ContentError, (self.problem.path, self.problem.message, self.problem.line)


class StorageError(ContentError):
    """The file system refused a write (full disk, permissions, read-only): ``errno`` says which."""

    def __init__(self, path: Path, message: str, errno: int | None = None) -> None:
        super().__init__(path, message)
        self.errno = errno

    def __reduce__(self) -> tuple:
        return StorageError, (self.problem.path, self.problem.message, self.errno)


class BuildError(Exception):
    """Several content errors found while gathering; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        noun = "error" if len(problems) == 1 else "errors"
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} {noun}, nothing written:\n{lines}")

    def __reduce__(self) -> tuple:
        return BuildError, (self.problems,)


class MachineTranslationError(Exception):
    """Machine translation cannot run (no argostranslate, no package, a bad package file, no network).

    Here rather than in translation.machine so the build's command line can name it without importing that
    module (urllib, ssl, importlib.metadata: ~30 ms on every build).
    """


class NoModel(MachineTranslationError):
    """No model can translate here (argostranslate or the language pair's package is not installed):
    ``translate`` still does everything that needs none."""


def display_path(path: Path) -> str:
    """The path relative to the working folder when it is inside it, as users typed it."""
    return _display(str(path), os.getcwd())


@lru_cache(maxsize=4096)
def _display(path: str, cwd: str) -> str:
    folder, name = os.path.split(path)
    try:  # the folder resolved (links followed: slow, and folders recur), the name as given
        return str((_resolved(folder) / name).relative_to(_resolved(cwd)))
    except ValueError:
        return str(Path(path))


@lru_cache(maxsize=4096)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()


def did_you_mean(word: str, known: Iterable[str], form: str = " (did you mean {!r}?)") -> str:
    """``form`` filled with the known name closest to a mistyped one (`` (did you mean 'title'?)``), or ""."""
    import difflib

    close = difflib.get_close_matches(word, list(known), n=1)
    return form.format(close[0]) if close else ""
