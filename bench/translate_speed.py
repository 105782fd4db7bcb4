"""Machine-translation speed: our batched layer against argostranslate, and translate on the sample site.

    python bench/translate_speed.py [--segments 500] [--package PATH.argosmodel]

Prints, for the tests' tiny fixture package (built here) and, when one is installed in your own
argos folder, the real vi→en package:

- segments/s for N segments through microsite.translation.machine vs ``argostranslate.translate.translate``
  called once per segment, on the same package;
- wall time and peak memory (VmHWM of the child process) of a no-op ``translate`` on the sample
  site, and whether torch was imported;
- wall time of a full ``translate`` of the sample article (its en.po removed, in a copy).

Everything runs in child processes with private argos folders, so nothing of yours is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "content" / "thao-go-kho-khan-cho-quang-ninh" / "index.md"

CHILD = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, {repo!r})
    from microsite.translation import machine
    from microsite.content.article import parse_article
    from pathlib import Path
    count = {count}
    sources = [s.source for s in parse_article(Path({sample!r})).segments()]
    texts = [sources[i % len(sources)] + f" ({{i}})" for i in range(count)]
    engine = machine.load_engine("vi", "en")
    engine.translate(texts[:2])  # load the model and splitter
    start = time.perf_counter(); ours = engine.translate(texts); layer = time.perf_counter() - start
    import argostranslate.translate as t
    t.translate(texts[0], "vi", "en")
    start = time.perf_counter()
    theirs = [t.translate(x, "vi", "en") for x in texts]
    argos = time.perf_counter() - start
    print(json.dumps({{"layer": count / layer, "argos": count / argos, "same": ours == theirs,
                      "label": engine.label}}))
    """
)

NOOP = textwrap.dedent(
    """
    import json, sys, time
    def peak_mb():  # VmHWM: this process's own peak, reset at exec (ru_maxrss is not)
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    start = time.perf_counter()
    sys.path.insert(0, {repo!r})
    import build
    code = build.main(["translate", "--root", {root!r}])
    print(json.dumps({{"seconds": time.perf_counter() - start, "exit": code, "torch": "torch" in sys.modules,
                      "ctranslate2": "ctranslate2" in sys.modules,
                      "rss_mb": peak_mb()}}))
    """
)


def argos_env(base: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(base / name.lower())
    env["ARGOS_PACKAGES_DIR"] = str(base / "packages")
    env["ARGOS_PACKAGE_INDEX"] = "http://127.0.0.1:9/"
    return env


def run(code: str, env: dict[str, str]) -> dict:
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_package(name: str, archive: Path, count: int, scratch: Path) -> None:
    base = scratch / name
    env = argos_env(base)
    install = f"import sys; sys.path.insert(0, {str(REPO)!r}); from microsite import machine; "
    install += f"machine.install_file(__import__('pathlib').Path({str(archive)!r}), 'vi', 'en')"
    subprocess.run([sys.executable, "-c", install], env=env, check=True)
    speed = run(CHILD.format(repo=str(REPO), sample=str(SAMPLE), count=count), env)
    print(f"{name} ({speed['label']}), {count} segments:")
    print(f"  microsite.translation.machine (batched): {speed['layer']:8.1f} segments/s")
    print(f"  argostranslate.translate:    {speed['argos']:8.1f} segments/s  ({speed['layer'] / speed['argos']:.1f}x)")
    print(f"  same English: {speed['same']}")

    site = scratch / f"site-{name}"
    shutil.copytree(REPO, site, ignore=shutil.ignore_patterns(".git", "site", ".cache", "bench", "tests"))
    (site / "content" / SAMPLE.parent.name / "en.po").unlink()
    full = run(NOOP.format(repo=str(REPO), root=str(site)), env)
    print(f"  full translate of the sample article: {full['seconds']:.2f} s, peak {full['rss_mb']:.0f} MB")
    noop = run(NOOP.format(repo=str(REPO), root=str(site)), env)
    print(
        f"  no-op translate on the sample site: {noop['seconds']:.3f} s, peak {noop['rss_mb']:.0f} MB, "
        f"torch imported: {noop['torch']}, model loaded: {noop['ctranslate2']}"
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--segments", type=int, default=500)
    options.add_argument("--package", type=Path, help="a real vi→en .argosmodel to measure as well")
    args = options.parse_args()
    sys.path.insert(0, str(REPO))
    from tests.argos_fixture import build_package

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        bench_package("fixture", build_package(scratch / "fixture-package"), args.segments, scratch)
        if args.package:
            bench_package("real", args.package, args.segments, scratch)
        else:
            print("(no real package given: pass --package translate-vi_en-1_9.argosmodel to measure one)")


if __name__ == "__main__":
    main()
