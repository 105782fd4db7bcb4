"""A build with nothing to do, side by side with Hugo and Hugo + Pagefind; prints figures, asserts nothing.

    python bench/noop_vs_hugo.py                      # 1,000 articles, 9 rounds
    python bench/noop_vs_hugo.py --articles 1000 --rounds 15 --anchors ../shared/anchors

Makes the same archive for both tools with the anchors' ``make_corpus.py`` (in a RAM disk when
there is one), builds each once untimed, then interleaves, round after round:

- ours, nothing changed: ``python build.py --root DIR``, which must answer "Nothing changed";
  and the same started with ``-S`` and the site-packages on ``PYTHONPATH``: a Python without this
  machine's start-up hooks, as a newsroom's virtual environment starts;
- Hugo's build of the same archive (``hugo -d OUT``), and Hugo + Pagefind (the anchor for a site
  with a search index, as ours has);
- the floor under any Python no-op: ``python -c pass`` (the interpreter's start, with this
  machine's site-packages and their start-up hooks), ``python -S -c pass`` (without them: a
  start-up hook a machine adds, such as a ``.pth`` file importing certifi, costs every run), and
  ``find`` stamping every input and output file our check stamps (one ``stat``/``lstat`` each, in
  C, on one core).

Medians of the same run, and each as a share of Hugo's and of Hugo + Pagefind's.

Python runs as a newsroom's does by default, keeping its compiled bytecode (in a folder of the
run's own, ``PYTHONPYCACHEPREFIX``), even where the environment says ``PYTHONDONTWRITEBYTECODE``
(as this project's development machine does): otherwise every no-op would compile our modules again.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--articles", type=int, default=1000)
    options.add_argument("--rounds", type=int, default=9)
    options.add_argument("--anchors", type=Path, default=REPO.parent / "shared" / "anchors")
    args = options.parse_args()
    hugo = shutil.which("hugo")
    if hugo is None or not (args.anchors / "make_corpus.py").is_file():
        sys.exit("needs hugo (apt-get install hugo) and the anchors' make_corpus.py (--anchors DIR)")
    pagefind = glob.glob(str(Path(sys.prefix) / "lib" / "python3*" / "site-packages" / "pagefind_bin" / "pagefind*"))
    ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=ram) as folder:
        ours, theirs = Path(folder) / "ours", Path(folder) / "hugo"
        make = [sys.executable, str(args.anchors / "make_corpus.py"), str(args.articles)]
        subprocess.run([*make, str(ours), "--format", "microsite"], check=True, capture_output=True)
        subprocess.run([*make, str(theirs), "--format", "hugo"], check=True, capture_output=True)
        for name in ("site.toml", "templates", "static"):
            copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
            copy(REPO / name, ours / name)
        shutil.copytree(args.anchors / "hugo", theirs, dirs_exist_ok=True)
        build = [sys.executable, str(REPO / "build.py"), "--root", str(ours)]
        python = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        python["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "bytecode")
        subprocess.run(build, check=True, capture_output=True, env=python)
        out = Path(folder) / "hugo-out"

        libraries = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
        bare = dict(python, PYTHONPATH=os.pathsep.join(libraries))

        def noop(command: list[str] = build, environment: dict[str, str] = python) -> None:
            result = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
            if "Nothing changed" not in result.stdout:
                sys.exit(f"the second build was not a no-op:\n{result.stdout}")

        def hugo_build() -> None:
            command = [hugo, "--quiet", "--buildFuture", "-s", str(theirs), "-d", str(out)]
            subprocess.run(command, check=True, capture_output=True)

        def hugo_pagefind() -> None:
            hugo_build()
            subprocess.run([pagefind[0], "--site", str(out)], check=True, capture_output=True)

        stamped = ["find", "-L", "content", "templates", "static", "site.toml", "-printf", "%s %T@ %C@ %i\n"]
        output = ["find", "site", "-printf", "%s %T@ %C@ %i\n"]
        runs = {
            "ours, nothing changed": noop,
            "ours, no start-up hooks": lambda: noop([sys.executable, "-S", *build[1:]], bare),
            "python -c pass": lambda: subprocess.run([sys.executable, "-c", "pass"], check=True, env=python),
            "python -S -c pass": lambda: subprocess.run([sys.executable, "-S", "-c", "pass"], check=True, env=python),
            "find: the same stats": lambda: (
                subprocess.run(stamped, cwd=ours, check=True, stdout=subprocess.DEVNULL),
                subprocess.run(output, cwd=ours, check=True, stdout=subprocess.DEVNULL),
            ),
            "hugo": hugo_build,
        }
        if pagefind:
            runs["hugo + pagefind"] = hugo_pagefind
        hugo_build()
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, run in runs.items():
                started = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - started)
        files = sum(len(names) + len(folders) for _, folders, names in os.walk(ours / "site"))
        print(f"{args.articles} articles; our output has {files} files and folders; {os.cpu_count()} cores")
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, value in medians.items():
            shares = f"{value / medians['hugo']:.3f} of Hugo"
            if "hugo + pagefind" in medians:
                shares += f", {value / medians['hugo + pagefind']:.3f} of Hugo + Pagefind"
            print(f"{name:24} median {value:.3f} s (min {min(times[name]):.3f}): {shares}")


if __name__ == "__main__":
    main()
