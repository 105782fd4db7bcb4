#!/usr/bin/env python3
"""The newsroom's command line: build (default), serve, translate, check, models, new, import, fix-unicode.

Each command parses its arguments and calls one library function in ``microsite``.
Run ``python build.py COMMAND --help`` for a command's options.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import time
from pathlib import Path

from microsite.content.config import SiteConfig, check_zone, load_config
from microsite.errors import BuildError, ContentError, MachineTranslationError, Problem, display_path

HERE = Path(__file__).resolve().parent
LEAVE_QUICKLY = []  # set by a command with nothing left to write or close: Python's teardown is skipped


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = [name for name, *_ in commands()]
    if not argv or (argv[0] not in names and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")  # `python build.py` and `python build.py --strict` build
    args = parser(argv[0] if argv[0] in names else None).parse_args(argv)
    if args.run is not run_build:  # a build logs nothing; the other commands' libraries may
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return args.run(args)
    except BuildError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(exc.problems)} error(s); nothing was written.", file=sys.stderr)
    except (ContentError, MachineTranslationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 1


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; ``only``: make just that command's options (a build that finds nothing to
    do pays for one command's, not eight), else every command's (``python build.py --help``)."""
    top = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the bilingual news site from content/ into site/ (the default command).",
    )
    sub = top.add_subparsers(title="commands", metavar="COMMAND")
    for name, run, help, arguments in commands():
        if only in (None, name):
            cmd = sub.add_parser(name, help=help, description=help)
            cmd.set_defaults(run=run)
            cmd.add_argument(
                "--root", type=Path, default=HERE, help="the site's folder, holding site.toml (default: this script's)"
            )
            arguments(cmd)
    return top


def commands() -> tuple:
    """Each command: its name, what runs it, its help, and what adds its own options."""
    return (
        ("build", run_build, "render content/ through templates/ into site/", build_arguments),
        ("serve", run_serve, "live preview: rebuild on every change and reload the browser", serve_arguments),
        (
            "translate",
            run_translate,
            "draft the English of new and changed segments offline (argostranslate)",
            translate_arguments,
        ),
        ("check", run_check, "validate everything and show translation progress; writes nothing", check_arguments),
        ("models", run_models, "list the installed translation packages, or install one", models_arguments),
        ("new", run_new, "start a new article from its Vietnamese title", new_arguments),
        (
            "import",
            run_import,
            "import articles from saved news pages (.html) or text scrapes (.txt)",
            import_arguments,
        ),
        ("fix-unicode", run_fix_unicode, "re-save text files in composed Unicode (NFC)", fix_unicode_arguments),
    )


def build_arguments(build: argparse.ArgumentParser) -> None:
    build.add_argument(
        "--strict",
        action="store_true",
        help="publish gate: warnings and translation findings (drafts, stale, QA) are errors; nothing is written",
    )
    build.add_argument("--base-url", help="public URL of the site, overriding site.toml (e.g. from the Pages workflow)")
    build.add_argument("--out", type=Path, help="output folder (default: site/ in the site's folder)")


def serve_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")


def translate_arguments(translate: argparse.ArgumentParser) -> None:
    translate.add_argument("slugs", nargs="*", metavar="SLUG", help="articles to translate (default: all)")
    translate.add_argument(
        "--dry-run", action="store_true", help="show what would change and be translated; load no model, write nothing"
    )


def models_arguments(models: argparse.ArgumentParser) -> None:
    models.add_argument(
        "action", nargs="?", choices=["list", "install"], default="list", help="list (default) or install"
    )
    models.add_argument("file", nargs="?", type=Path, help="the .argosmodel file to install")
    models.add_argument(
        "--download",
        nargs=2,
        metavar=("FROM", "TO"),
        help="install from the Argos package index instead (needs internet)",
    )


def check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "--strict", action="store_true", help="exit non-zero on warnings and translation findings (the publish gate)"
    )


def new_arguments(new: argparse.ArgumentParser) -> None:
    new.add_argument("title", help='the headline, e.g. "Tháo gỡ khó khăn cho doanh nghiệp"')
    new.add_argument("--date", type=dt.date.fromisoformat, default=dt.date.today(), help="YYYY-MM-DD (default: today)")
    new.add_argument("--slug", help="folder and URL name (default: made from the title, ASCII)")


def import_arguments(imports: argparse.ArgumentParser) -> None:
    imports.add_argument("pages", nargs="+", type=Path, metavar="PAGE", help="a page saved as Web page, complete")
    imports.add_argument("--slug", help="folder and URL name (default: made from the headline; one PAGE only)")
    imports.add_argument(
        "--date", type=dt.date.fromisoformat, help="YYYY-MM-DD, when the page gives none or a wrong one"
    )
    imports.add_argument("--tags", help='comma-separated, replacing the page\'s own: "công nghiệp, xuất khẩu"')
    imports.add_argument(
        "--force", action="store_true", help="replace an existing article (its folder is kept in content/.backups/)"
    )


def fix_unicode_arguments(fix: argparse.ArgumentParser) -> None:
    fix.add_argument("paths", nargs="+", type=Path, help="files to fix")


def config_of(args: argparse.Namespace) -> SiteConfig:
    return load_config(args.root / "site.toml", base_url=getattr(args, "base_url", None))


def run_build(args: argparse.Namespace) -> int:
    import gc

    gc.disable()  # (until the builder is imported: the modules and the manifest made nothing to collect)
    try:
        from microsite.publish.manifest import check_last_build, settled

        started = time.perf_counter()
        config = load_config(args.root / "site.toml", base_url=args.base_url, zone=False)  # checked below
        # taken: reused by the build (ahead: taken beside while the builder is imported, when an edit is certain)
        last, taken = check_last_build(config, output=args.out, strict=args.strict, ahead=True)
        if last is None:
            from microsite.publish.builder import build_site

            gc.freeze()  # (what the imports made, set aside for good: later passes need not walk it)
    finally:
        gc.enable()
    if last is not None:  # decided from file stats, before the heavy libraries are imported
        report_warnings(last.problems())
        editions = ", ".join(f"{count} in {code}" for code, count in last.pages.items())
        seconds = time.perf_counter() - started
        print(
            f"Nothing changed since the last build: {display_path(Path(last.output))}/ is up to date "
            f"(articles {editions}; {last.files} files); checked in {seconds:.2f} s."
        )
        LEAVE_QUICKLY.append(True)  # freeing the last build's record costs a tenth of a no-op
        return 0
    taken, survey = settled(taken, config.root)
    try:
        check_zone(config)
    except BaseException:
        if survey is not None:  # (its child, surveying for a build that will not run, stopped)
            survey.cancel()
        raise
    result = build_site(config, output=args.out, strict=args.strict, taken=taken, progress=build_bar, survey=survey)
    report_warnings(result.warnings)
    editions = ", ".join(f"{count} in {code}" for code, count in result.pages.items())
    seconds = time.perf_counter() - started
    print(f"Built {display_path(result.output)}/: articles {editions}; {result.files} files in {seconds:.2f} s.")
    # Everything is written and closed (the site swapped in, the caches saved): freeing the records
    # of every article would only cost time (~0.7 s at 100,000 articles), so they are held to the end.
    LEAVE_QUICKLY.append(result)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from microsite.publish.builder import check_site
    from microsite.translation.catalog import MISSING, REVIEWED, STATES
    from microsite.translation.qa import QAFinding

    config = config_of(args)
    records, warnings, found = check_site(config)  # unchanged articles come from the last build's records
    for record in records:
        draft = " (draft: not published)" if record.draft else ""
        print(f"{display_path(record.path)}{draft}")
        for language in config.targets:
            states = record.states[language.code]
            total = sum(states.values())
            counts = ", ".join(f"{states[state]} {state}" for state in STATES)
            article_findings = record.findings[language.code]
            qa = sum(isinstance(finding, QAFinding) for finding in article_findings)
            if language.code in record.languages:
                edition = "published"
            elif states[MISSING] or record.draft:
                edition = "not published"
            else:
                edition = f'not published: {total - states[REVIEWED]} not reviewed (publish = "{language.publish}")'
            print(f"  {language.code}: {total} segments: {counts}; {qa} QA finding(s); {edition}")
            found += article_findings
    for finding in found:
        print(f"{'error' if args.strict else 'finding'}: {finding}", file=sys.stderr)
    report_warnings(warnings)
    qa = sum(isinstance(finding, QAFinding) for finding in found)
    print(
        f"{len(records)} article(s) checked: {qa} QA finding(s), {len(found) - qa} review finding(s) "
        f"(untranslated, drafts, stale), {len(warnings)} warning(s); nothing written."
    )
    return 1 if args.strict and (warnings or found) else 0


def run_translate(args: argparse.Namespace) -> int:
    from microsite.translation.machine import load_engine
    from microsite.translation.translate import TranslationResult, loaded_once, translation_plans

    started = time.perf_counter()
    config = config_of(args)
    pending: dict[str, dict[str, None]] = {language.code: {} for language in config.targets}
    result, engines, changed, catalogs = TranslationResult(), loaded_once(load_engine), 0, 0
    try:
        for plan in translation_plans(config, args.slugs):  # (a part of the archive at a time, each saved)
            changed, catalogs = changed + len(plan.changed), catalogs + len(plan.jobs) + plan.settled
            translate_part(plan, args.dry_run, pending, result, engines)
    except BuildError as exc:
        if not result.written:
            raise
        # an article broken while the run went on (all were checked first): the parts before it are saved
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"{len(exc.problems)} error(s); {len(result.written)} catalog(s) were saved before it. Fix it and run "
            "translate again: it drafts only what is still missing.",
            file=sys.stderr,
        )
        return 1
    if args.dry_run:
        return dry_run({code: list(sources) for code, sources in pending.items()}, changed)
    if not changed:
        print(f"Nothing to do: all {catalogs} catalog(s) are up to date.")
        return 0
    report_problems(result)
    report_drafts(result)
    print(
        f"Done in {time.perf_counter() - started:.1f} s. The drafts wait for review: run `python build.py serve` "
        "and open the review desk at http://127.0.0.1:8000/_review/ (or edit the en.po files in Poedit)."
    )
    return 1 if result.conflicts or result.failed or result.no_model else 0


def translate_part(plan, dry: bool, pending: dict[str, dict[str, None]], result, engines) -> None:
    """One part of a translate run: what it changes shown, then drafted and saved (or, ``dry``, its
    drafts counted in ``pending``); what it did added to ``result``."""
    from microsite.translation.translate import run_translation

    for job in plan.changed:
        counts = ", ".join(f"{len(sources)} {action}" for action, sources in job.update.actions.items() if sources)
        print(f"{display_path(job.update.document.path)}: {counts or 'new catalog'}")
    if dry:
        for code, sources in pending.items():
            sources.update(dict.fromkeys(plan.pending(code)))
    elif plan.changed:
        label = f"Translating (part {plan.part} of {plan.parts})" if plan.parts > 1 else "Translating"
        result.add(run_translation(plan, engines, lambda total: progress_bar(total, label)))


def dry_run(pending: dict[str, list[str]], catalogs: int) -> int:
    for language, sources in pending.items():
        for source in sources:
            print(f"  would translate into {language}: {source[:70]}{'…' if len(source) > 70 else ''}")
    total = sum(len(sources) for sources in pending.values())
    print(
        f"Dry run: {total} segment(s) to machine-translate, {catalogs} catalog(s) to update; "
        "no model loaded, nothing written."
    )
    return 0


def report_problems(result) -> None:
    """What translate could not do: catalogs changed meanwhile or not saved, sentences cut short."""
    for path in result.written:
        print(f"Wrote {display_path(path)}")
    for path in result.conflicts:
        print(
            f"warning: {display_path(path)} changed on disk while translating; left as it is: run translate again",
            file=sys.stderr,
        )
    for problem in result.failed:
        print(f"error: {problem}; its drafts were not saved", file=sys.stderr)
    if result.failed:
        print(
            f"{len(result.failed)} catalog(s) could not be saved (the others were); fix that, then run translate "
            "again: it drafts only what is still missing",
            file=sys.stderr,
        )
    for text in result.truncated:
        print(
            f"warning: the engine stopped before the end of a very long sentence; check by hand: {text[:70]}…",
            file=sys.stderr,
        )


def report_drafts(result) -> None:
    """What translate drafted: by the engine, by rule, kept stale, and what still needs a model."""
    if result.translated:
        print(
            f"Machine-translated {result.translated} segment(s) with {result.engine}"
            f"{f' ({result.retried} piece by piece to keep markup)' if result.retried else ''}."
        )
    if result.by_rule:
        print(f"Drafted {result.by_rule} segment(s) by rule (numbers, dates, amounts alone), marked as machine drafts.")
    if result.stale:
        print(
            f"Kept the English of {result.stale} edited segment(s), marked stale with the Vietnamese it was "
            "written for: the desk shows what changed."
        )
    if result.no_model:
        print(
            f"warning: {len(result.need_model)} segment(s) still need a model for a machine draft (everything "
            f"else was saved; an editor can also write their English in the desk):\n{result.no_model}",
            file=sys.stderr,
        )


def build_bar(total: int, label: str = "Rendering", unit: str = "article"):
    """A build's long steps (the articles read and rendered, the site's files written, the search
    index made) as a bar on a terminal (none when output goes to a file or a pipe, nor for a few
    items: it would only flicker). tqdm is imported only for a bar to show (an edit's build spares it)."""
    if total < 100 or not sys.stderr.isatty():
        return lambda count: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit=unit, desc=label, file=sys.stderr, dynamic_ncols=True, leave=False)

    def advance(count: int) -> None:
        bar.update(count)
        if bar.n >= total:
            bar.close()

    return advance


def progress_bar(total: int, label: str = "Translating"):
    from tqdm import tqdm

    bar = tqdm(total=total, unit="segment", desc=label, file=sys.stderr, dynamic_ncols=True)

    def advance(count: int) -> None:
        bar.update(count)
        if bar.n >= total:
            bar.close()

    return advance


def run_models(args: argparse.Namespace) -> int:
    import tempfile

    from microsite.translation import machine

    config = config_of(args)
    source, target = config.source_language, config.targets[0].code if config.targets else "en"
    if args.action == "list":
        if args.file or args.download:
            raise MachineTranslationError("`models` lists packages; to add one use `models install FILE`")
        packages = machine.installed_packages()
        for info in packages:
            print(f"{info.name} {info.version}  {info.source}→{info.target}  sentences: {info.splitter}  {info.path}")
        for folder, why in machine.broken_packages():
            print(f"warning: broken package in {folder} ({why}); {machine.how_to_remove(folder)}", file=sys.stderr)
        if not any((info.source, info.target) == (source, target) for info in packages):
            print(f"No {source}→{target} package installed.\n" + machine.how_to_install(source, target))
        return 0
    if args.download:
        if args.file:
            raise MachineTranslationError("give either a FILE or --download FROM TO, not both")
        with tempfile.TemporaryDirectory() as folder:
            info = machine.install_file(machine.download_package(*args.download, Path(folder)), *args.download)
    elif args.file:
        info = machine.install_file(args.file, source, target)
    else:
        raise MachineTranslationError("models install needs a FILE.argosmodel, or --download FROM TO")
    print(f"Installed {info.name} {info.version} ({info.source}→{info.target}) in {info.path}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from microsite.desk.preview import serve

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: serving on {args.host}: other computers on the network can see the preview and "
            "open the review desk",
            file=sys.stderr,
        )
    serve(config_of(args), lambda: config_of(args), host=args.host, port=args.port)
    return 0


def run_new(args: argparse.Namespace) -> int:
    from microsite.content.scaffold import new_article

    config = config_of(args)
    try:
        path = new_article(
            config.content_dir, args.title, args.date, args.slug, tuple(lang.code for lang in config.languages)
        )
    except ValueError as exc:
        raise ContentError(config.content_dir, str(exc)) from None
    print(f"Created {display_path(path)}; write the article there and put its photos in images/.")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from microsite.importing import import_article

    config = config_of(args)
    if args.slug and len(args.pages) > 1:
        raise ContentError(args.pages[1], "--slug names one article: import one page at a time with it")
    tags = None if args.tags is None else [" ".join(tag.split()) for tag in args.tags.split(",") if tag.strip()]
    languages = tuple(language.code for language in config.languages)
    failed = 0
    for page in args.pages:
        try:
            result = import_article(
                config.content_dir, page, args.slug, args.force, args.date, tags, languages, config.timezone
            )
        except ContentError as exc:
            print(f"error: {exc}; nothing was written for it", file=sys.stderr)
            failed += 1
            continue
        placeholders = f", {len(result.missing)} of them placeholders" if result.missing else ""
        print(
            f"Imported {display_path(page)} as {display_path(result.path)} (a draft): "
            f"{len(result.photos)} photo(s){placeholders}."
        )
        if result.backup is not None:
            print(f"  The article that was there is kept in {display_path(result.backup)}/.")
        for photo in result.missing:
            if not photo.origin:
                where = "not in the file"
            elif "://" in photo.origin:
                where = f"not saved with the page, not downloaded: {photo.origin}"
            else:
                where = f"not found beside the saved page: {photo.origin}"
            print(f"  photo {where}")
            print(f"    a labelled placeholder stands in as images/{photo.name}; save the real photo under that name")
        for what in result.left_out:
            print(f"  left out: {what}")
        if not result.date_found and args.date is None:
            print("  no publication date in the page: today's date was written; correct it in index.md")
    if failed:
        print(f"{failed} page(s) not imported.", file=sys.stderr)
    return 1 if failed else 0


def run_fix_unicode(args: argparse.Namespace) -> int:
    from microsite.content.scaffold import normalize_file

    for path in args.paths:
        if not path.is_file():
            raise ContentError(path, "no such file")
        changed = normalize_file(path)
        print(f"{display_path(path)}: {'re-saved as NFC' if changed else 'already NFC'}")
    return 0


def report_warnings(warnings: list[Problem]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def leave(status: int) -> None:
    """Exit with ``status`` once what was printed is flushed; after a build or a no-op without
    Python's teardown (about 15 ms at 1,000 articles, and freeing a build's records more)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError as exc:
        sys.exit(report_lost(exc))
    if LEAVE_QUICKLY:
        import os

        os._exit(status)
    sys.exit(status)


class WatchedOutput:
    """Standard output, remembering the error that stopped a write to it (a full disk, a closed
    pipe): that is reported as such, not as a failure of the command's own files."""

    def __init__(self, stream) -> None:
        self.stream, self.failure = stream, None

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as exc:
            self.failure = exc
            raise

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            self.failure = exc
            raise

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def report_lost(exc: OSError) -> int:
    """Say on standard error that the command's report could not be written; exit status 1. What
    the command did stays done (every file it writes is put in place whole)."""
    import os

    with contextlib.suppress(OSError, ValueError):  # what is still buffered goes nowhere, not in Python's exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())
    with contextlib.suppress(OSError):
        message = f"error: standard output could not be written ({exc.strerror or exc}); the report is lost"
        print(message, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.stdout = watched = WatchedOutput(sys.stdout)
    try:
        code = main()
    except OSError as exc:
        if exc is not watched.failure:
            raise
        code = report_lost(exc)
    leave(code)
