"""The `factcheck` command: validate, build and scaffold a publication."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

from . import gcpolicy
from .corpus import Project, load_corpus
from .diagnostics import format_diagnostics

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2

MkDocsCommand = Literal["build", "gh-deploy", "serve"]


def _project(args: argparse.Namespace) -> Project:
    root = Path(args.root).resolve()
    return Project(root, claims_dir=args.claims_dir, data_dir=args.data_dir, seeds_dir=args.seeds_dir)


def cmd_validate(args: argparse.Namespace) -> int:
    project = _project(args)
    only = None
    if args.paths:
        only = []
        for raw in args.paths:
            path = Path(raw).resolve()
            if not path.exists():
                print(f"factcheck validate: {raw}: no such file", file=sys.stderr)
                return EXIT_USAGE
            only.extend(sorted(path.glob("*.y*ml")) if path.is_dir() else [path])
    cache_dir = None
    if not args.no_cache:
        from .checkcache import committed_file

        cache_dir = project.root / args.cache_dir
        first = committed_file(project.root, cache_dir)
        if first:
            print(f"factcheck validate: the cache folder is committed to the repository ({first}, ...); "
                  f"remove it with `git rm -r --cached {args.cache_dir}`, or run with --no-cache", file=sys.stderr)
            return EXIT_USAGE
    _, diagnostics = load_corpus(project, only=only, cache_dir=cache_dir)
    if args.strict:
        from .diagnostics import Diagnostic, Diagnostics, Severity
        diagnostics = Diagnostics(  # warnings become errors; drafts stay drafts (they are never published)
            Diagnostic(d.path, d.line, d.column, Severity.ERROR, d.message, d.field, d.hint, d.code)
            if d.severity is Severity.WARNING else d for d in diagnostics)
    output = format_diagnostics(diagnostics, args.format)
    if output:
        print(output)
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    drafts = len({d.path for d in diagnostics.drafts})
    if args.format == "text":
        print(f"{errors} error(s), {warnings} warning(s), {drafts} draft(s) not published", file=sys.stderr)
    return EXIT_CONTENT if errors else EXIT_OK


def run_mkdocs(config_file: Path, *, command: MkDocsCommand = "build", strict: bool | None = None,
               site_dir: str | None = None, plugin_options: Mapping[str, object] | None = None) -> int:
    """Run a real MkDocs build as its own CLI does; report content errors without a traceback.
    `strict` and `site_dir` override mkdocs.yml when given; `plugin_options` override options of
    the factcheck plugin, as if set in mkdocs.yml. The engine (MkDocs or ProperDocs) is the one
    `compat.select()` picks."""
    from . import compat

    try:
        compat.select()
    except compat.EngineError as exc:
        print(f"factcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    _log_to_stderr()
    try:
        config = load_config(str(config_file), strict=strict, site_dir=site_dir)
        plugin = config.plugins.get("factcheck")
        for name, value in (plugin_options or {}).items():
            if plugin is None:
                raise ConfigurationError(f"{config_file}: the factcheck plugin is not enabled in `plugins`")
            plugin.config[name] = value
        config.plugins.on_startup(command=command, dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (PluginError, ConfigurationError, Abort) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    config_file = Path(args.root) / args.config_file
    if not config_file.is_file():
        print(f"factcheck build: {config_file}: no such file", file=sys.stderr)
        return EXIT_USAGE
    site_dir = str(Path(args.site_dir).resolve()) if args.site_dir else None
    return run_mkdocs(config_file, strict=True, site_dir=site_dir)


def _log_to_stderr() -> None:
    from . import compat

    logger = logging.getLogger(compat.active() or "mkdocs")
    if not any(getattr(h, "_factcheck", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._factcheck = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import SCHEMA_PATH, schema_text, write_schema

    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != schema_text():
            print(f"{SCHEMA_PATH} is out of date; run `factcheck schema --write`", file=sys.stderr)
            return EXIT_CONTENT
        return EXIT_OK
    if args.write:
        changed = write_schema()
        print(f"{SCHEMA_PATH} {'updated' if changed else 'already up to date'}", file=sys.stderr)
        return EXIT_OK
    print(schema_text(), end="")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    """Scaffold a claim; in a terminal, ask for what the flags did not give (see `scaffold`)."""
    from .scaffold import Aborted

    interactive = sys.stdin.isatty() and not args.no_input
    try:
        return _new(args, interactive)
    except (Aborted, KeyboardInterrupt) as exc:
        interrupted = isinstance(exc, KeyboardInterrupt) or (isinstance(exc, Aborted) and exc.interrupted)
        print(f"\nfactcheck new: {'interrupted' if interrupted else 'stopped'}; nothing was written", file=sys.stderr)
        return 130 if interrupted else EXIT_CONTENT


def _new(args: argparse.Namespace, interactive: bool) -> int:
    import datetime as dt

    from .clock import today
    from .corpus import load_references
    from .diagnostics import Diagnostics
    from .scaffold import Asker, Counter, NewClaim, Prompter, write_claim

    project = _project(args)
    refs = load_references(project, Diagnostics())
    try:
        date = dt.date.fromisoformat(args.date) if args.date else None
        published = dt.date.fromisoformat(args.published) if args.published else today()
    except ValueError as exc:
        print(f"factcheck new: {exc}; write dates as YYYY-MM-DD", file=sys.stderr)
        return EXIT_USAGE
    new = NewClaim(speaker=args.speaker or "", source=args.source or "", verdict=args.verdict or "",
                   topics=[t.strip() for given in args.topic or [] for t in given.split(",") if t.strip()],
                   date=date, claim=args.claim or "", counter_speaker=args.counter_speaker or "",
                   claim_id=args.id or "", published=published)
    if interactive:
        prompt = Prompter()

        def archive_now(url: str) -> str | None:
            from .archive import ArchiveError, archive

            try:
                result = archive(seeds=project.seeds_path, url=url)
            except ArchiveError as exc:
                prompt.say(f"  cannot archive it: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
                return None
            for path in result.written:
                prompt.say(f"  wrote {project.rel(path)}")
            if result.missing:
                prompt.say(f"  the page does not say: {', '.join(result.missing)}; fill them in "
                           f"{project.rel(result.written[2])} before validating")
            asker.refs = load_references(project, Diagnostics())
            return result.seed_id

        asker = Asker(prompt, refs, project.seeds_path, archive_now, today=published)
        asker.fill(new, ask_counters=not args.counter_speaker)
        refs = asker.refs
    else:
        missing = [flag for flag, value in (("speaker", new.speaker), ("source", new.source),
                                            ("counter-speaker", new.counter_speaker), ("verdict", new.verdict),
                                            ("topic", new.topics)) if not value]
        if missing:
            print(f"factcheck new: --{missing[0]} is required (or run it in a terminal to be asked)", file=sys.stderr)
            return EXIT_USAGE
        new.counters = [Counter(new.counter_speaker, new.source, stance=args.stance or "")]
    problems = [p for p in new.problems(refs) if not any(f"source {s!r}" in p for s in refs.seed_problems)]
    if problems:
        for problem in problems:
            print(f"factcheck new: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        path = write_claim(new, project.claims_path, project.claims_dir)
    except FileExistsError as exc:
        print(f"factcheck new: {project.rel(Path(str(exc)))} already exists; choose another --id", file=sys.stderr)
        return EXIT_USAGE
    if interactive:
        print(f"Wrote {project.rel(path)}. Paste the quotes and write the TODO parts, then run "
              f"`factcheck validate {project.rel(path)}` and `factcheck preview {project.rel(path)}`.",
              file=sys.stderr)
    print(project.rel(path))
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    from .preview import preview

    return preview(Path(args.root), [Path(p) for p in args.claims], Path(args.out) if args.out else None)


def cmd_synth(args: argparse.Namespace) -> int:
    from .synth import synthesize

    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        print(f"factcheck synth: {out} is not empty", file=sys.stderr)
        return EXIT_USAGE
    synthesize(args.count, out, args.seed)
    print(f"wrote {args.count} claims to {out}", file=sys.stderr)
    return EXIT_OK


def cmd_cms(args: argparse.Namespace) -> int:
    from .cms import run

    return run(_project(args), write=args.write, check=args.check, repo=args.repo, branch=args.branch,
               auth_url=args.auth_url)


def cmd_archive(args: argparse.Namespace) -> int:
    from .archive import run

    return run(args)


def cmd_init(args: argparse.Namespace) -> int:
    from .init import InitError, NewPublication, Reach, init

    target = Path(args.folder)
    try:
        new = NewPublication(name=args.name, site_url=args.site_url, description=args.description or "",
                             language=args.language, scale=args.scale, contact=Reach.parse(args.contact, "contact"),
                             corrections=Reach.parse(args.corrections, "corrections"),
                             submit=Reach.parse(args.submit, "submit"))
        written = init(target, new)
    except InitError as exc:
        print(f"factcheck init: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {len(written)} files to {target}", file=sys.stderr)
    print(f"next: fill in {target / 'data' / 'publication.yaml'} (then remove draft: true), adapt "
          f"content/methodology.md and data/verdicts.yaml, and run `factcheck validate` and `mkdocs serve` "
          f"in {target}", file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="factcheck", description="Validate and publish fact-check claims.")
    parser.add_argument("--root", default=".", help="publication folder (holding mkdocs.yml); default: current folder")
    parser.add_argument("--claims-dir", default="claims")
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--seeds-dir", default="seeds")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check claims, data files and quotes; report every problem")
    validate.add_argument("paths", nargs="*", help="claim files to check (default: all)")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument("--format", choices=["text", "github", "json"], default="text")
    validate.add_argument("--cache-dir", default=".factcheck-cache",
                          help="reuse results for files unchanged since the last run (default: .factcheck-cache)")
    validate.add_argument("--no-cache", action="store_true", help="parse and check every file again")
    validate.set_defaults(func=cmd_validate)

    build = sub.add_parser("build", help="build the site (strict) with MkDocs")
    build.add_argument("--site-dir", help="output folder (default: site_dir from mkdocs.yml)")
    build.add_argument("--config-file", default="mkdocs.yml")
    build.set_defaults(func=cmd_build)

    schema = sub.add_parser("schema", help="print the JSON Schema for claim files (or --write / --check it)")
    schema.add_argument("--write", action="store_true", help="write generator/schemas/claim.schema.json")
    schema.add_argument("--check", action="store_true", help="exit 1 if the shipped schema is out of date")
    schema.set_defaults(func=cmd_schema)

    new = sub.add_parser("new", help="scaffold a claim file (asks for what is missing when run in a terminal)")
    new.add_argument("--speaker", help="speaker id from data/speakers.yaml")
    new.add_argument("--date", help="when the statement was made (YYYY-MM-DD), if the source says")
    new.add_argument("--source", help="seed id of the archived source")
    new.add_argument("--topic", action="append", help="topic id (repeat for several)")
    new.add_argument("--verdict", help="rating id from data/verdicts.yaml")
    new.add_argument("--claim", help="the claim as a short sentence")
    new.add_argument("--counter-speaker", help="speaker id for the first counter-statement (the other side)")
    new.add_argument("--stance", choices=["contradicts", "supports", "adds-context"],
                     help="what the first counter-statement does to the claim (default: contradicts, or "
                          "adds-context when the claimant is quoted again)")
    new.add_argument("--id", help="file name without .yaml (default: from the claim text)")
    new.add_argument("--published", help="publication date (default: today)")
    new.add_argument("--no-input", action="store_true", help="never ask; fail if something is missing")
    new.set_defaults(func=cmd_new)

    preview = sub.add_parser("preview", help="render only the given claims, fast, and print where to look")
    preview.add_argument("claims", nargs="+", help="claim files to preview")
    preview.add_argument("--out", help="output folder (default: .factcheck-preview)")
    preview.set_defaults(func=cmd_preview)

    archive = sub.add_parser("archive", help="archive a news article in seeds/ (text, metadata and a WARC record)")
    archive.add_argument("url", nargs="?", help="address of the article (http or https)")
    archive.add_argument("--from-file", metavar="PAGE.html", help="archive a page saved by hand (needs --url)")
    archive.add_argument("--url", dest="url_option", metavar="URL", help="address the saved page came from")
    archive.add_argument("--id", help="source id (default: from outlet and date, e.g. example-herald-2025-08-20)")
    archive.add_argument("--wayback", action="store_true", help="also ask the Internet Archive for a public copy")
    archive.add_argument("--timeout", type=float, default=30.0, help="seconds for the whole capture (default: 30)")
    archive.add_argument("--max-bytes", type=int, default=5_000_000, help="largest page accepted (default: 5000000)")
    archive.add_argument("--max-redirects", type=int, default=10, help="redirects to follow (default: 10)")
    archive.set_defaults(func=cmd_archive)

    cms = sub.add_parser("cms", help="print the browser CMS configuration, admin/config.yml (or --write / --check it)")
    cms.add_argument("--write", action="store_true", help="write admin/config.yml, keeping its backend section")
    cms.add_argument("--check", action="store_true", help="exit 1 if admin/config.yml is out of date or unsafe")
    cms.add_argument("--repo", help="GitHub repository the CMS edits, as OWNER/NAME (kept in the backend section)")
    cms.add_argument("--branch", help="branch pull requests go to (default: main)")
    cms.add_argument("--auth-url", help="address of the sign-in proxy (backend base_url), when there is one")
    cms.set_defaults(func=cmd_cms)

    from .init import DEFAULT_SCALE, SCALES

    start = sub.add_parser("init", help="start a new publication in an empty folder",
                           description="Write a new publication that validates and builds: mkdocs.yml, reader "
                                       "pages, the publication file to fill in, a verdict scale, workflows and "
                                       "an example draft claim.")
    start.add_argument("folder", help="new (or empty) folder for the publication")
    start.add_argument("--name", required=True, help="the publication's name, e.g. 'Harbour News Fact Check'")
    start.add_argument("--site-url", required=True, help="where it will be published, e.g. https://factcheck.example.org/")
    start.add_argument("--description", help="one sentence for search engines and feeds")
    start.add_argument("--language", default="en", help="language code of the site (default: en)")
    start.add_argument("--scale", choices=sorted(SCALES), default=DEFAULT_SCALE,
                       help="verdict scale to start from: " + "; ".join(f"{k}: {v}" for k, v in SCALES.items()))
    start.add_argument("--contact", metavar="EMAIL_OR_URL", help="how readers reach the editors")
    start.add_argument("--corrections", metavar="EMAIL_OR_URL", help="where readers report an error")
    start.add_argument("--submit", metavar="EMAIL_OR_URL", help="where readers suggest a claim to check")
    start.set_defaults(func=cmd_init)

    synth = sub.add_parser("synth", help="write a synthetic publication of N claims (for scale tests)")
    synth.add_argument("--count", type=int, required=True)
    synth.add_argument("--out", required=True)
    synth.add_argument("--seed", type=int, default=1)
    synth.set_defaults(func=cmd_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    command: Callable[[argparse.Namespace], int] = args.func
    with gcpolicy.relaxed():
        return command(args)


def run() -> None:
    """The `factcheck` console command. Once the work is done and every stream is flushed, the
    process ends without tearing the interpreter down: freeing a large corpus object by object
    takes about a second at 10,000 claims, and nothing is left to do (a background thread that
    is still deleting the previous site leaves the rest to the next build)."""
    gcpolicy.relax()  # for good: restoring the defaults at the end would set off a full collection
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
