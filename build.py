#!/usr/bin/env python3
"""The newsroom's command line: build (default), serve, check, new, fix-unicode.

Each command parses its arguments and calls one library function in ``microsite``.
Run ``python build.py COMMAND --help`` for a command's options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from pathlib import Path

from microsite.config import SiteConfig, load_config
from microsite.errors import BuildError, ContentError, Problem, display_path

HERE = Path(__file__).resolve().parent
COMMANDS = ("build", "serve", "check", "new", "fix-unicode")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")  # `python build.py` and `python build.py --strict` build
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return args.run(args)
    except BuildError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(exc.problems)} error(s); nothing was written.", file=sys.stderr)
    except ContentError as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 1


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the bilingual news site from content/ into site/ (the default command).",
    )
    sub = top.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, run, help: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help, description=help)
        cmd.set_defaults(run=run)
        cmd.add_argument(
            "--root", type=Path, default=HERE, help="the site's folder, holding site.toml (default: this script's)"
        )
        return cmd

    build = command("build", run_build, "render content/ through templates/ into site/")
    build.add_argument("--strict", action="store_true", help="treat every warning as an error (nothing is written)")
    build.add_argument("--base-url", help="public URL of the site, overriding site.toml (e.g. from the Pages workflow)")
    build.add_argument("--out", type=Path, help="output folder (default: site/ in the site's folder)")

    serve = command("serve", run_serve, "live preview: rebuild on every change and reload the browser")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")

    check = command("check", run_check, "validate everything and show translation progress; writes nothing")
    check.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")

    new = command("new", run_new, "start a new article from its Vietnamese title")
    new.add_argument("title", help='the headline, e.g. "Tháo gỡ khó khăn cho doanh nghiệp"')
    new.add_argument("--date", type=dt.date.fromisoformat, default=dt.date.today(), help="YYYY-MM-DD (default: today)")
    new.add_argument("--slug", help="folder and URL name (default: made from the title, ASCII)")

    fix = command("fix-unicode", run_fix_unicode, "re-save text files in composed Unicode (NFC)")
    fix.add_argument("paths", nargs="+", type=Path, help="files to fix")
    return top


def config_of(args: argparse.Namespace) -> SiteConfig:
    return load_config(args.root / "site.toml", base_url=getattr(args, "base_url", None))


def run_build(args: argparse.Namespace) -> int:
    from microsite.builder import build_site

    started = time.perf_counter()
    result = build_site(config_of(args), output=args.out, strict=args.strict)
    report_warnings(result.warnings)
    editions = ", ".join(f"{count} in {code}" for code, count in result.pages.items())
    seconds = time.perf_counter() - started
    print(f"Built {display_path(result.output)}/: articles {editions}; {result.files} files in {seconds:.2f} s.")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from microsite.builder import gather
    from microsite.catalog import MISSING, STATES

    content = gather(config_of(args))
    for article in content.articles:
        draft = " (draft: not published)" if article.draft else ""
        print(f"{display_path(article.path)}{draft}")
        for language in content.config.targets:
            states = content.states(article, language.code)
            total = sum(states.values())
            counts = ", ".join(f"{states[state]} {state}" for state in STATES)
            edition = "not published" if states[MISSING] else "published"
            print(f"  {language.code}: {total} segments: {counts}; {edition}")
    report_warnings(content.warnings)
    print(f"{len(content.articles)} article(s) checked, {len(content.warnings)} warning(s); nothing written.")
    return 1 if args.strict and content.warnings else 0


def run_serve(args: argparse.Namespace) -> int:
    from microsite.serve import serve

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}: other computers on the network can see the preview", file=sys.stderr)
    serve(config_of(args), lambda: config_of(args), host=args.host, port=args.port)
    return 0


def run_new(args: argparse.Namespace) -> int:
    from microsite.scaffold import new_article

    config = config_of(args)
    try:
        path = new_article(config.content_dir, args.title, args.date, args.slug)
    except ValueError as exc:
        raise ContentError(config.content_dir, str(exc)) from None
    print(f"Created {display_path(path)}; write the article there and put its photos in images/.")
    return 0


def run_fix_unicode(args: argparse.Namespace) -> int:
    from microsite.scaffold import normalize_file

    for path in args.paths:
        if not path.is_file():
            raise ContentError(path, "no such file")
        changed = normalize_file(path)
        print(f"{display_path(path)}: {'re-saved as NFC' if changed else 'already NFC'}")
    return 0


def report_warnings(warnings: list[Problem]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
