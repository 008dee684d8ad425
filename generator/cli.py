"""The `factcheck` command: validate, build and scaffold a publication."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .corpus import Project, load_corpus
from .diagnostics import format_diagnostics

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


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
    _, diagnostics = load_corpus(project, only=only)
    if args.strict:
        from .diagnostics import Diagnostic, Diagnostics, Severity
        diagnostics = Diagnostics(Diagnostic(d.path, d.line, d.column, Severity.ERROR, d.message, d.field, d.hint, d.code)
                                  for d in diagnostics)
    output = format_diagnostics(diagnostics, args.format)
    if output:
        print(output)
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    if args.format == "text":
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return EXIT_CONTENT if errors else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    config_file = Path(args.root) / args.config_file
    if not config_file.is_file():
        print(f"factcheck build: {config_file}: no such file", file=sys.stderr)
        return EXIT_USAGE
    _log_to_stderr()
    overrides = {"strict": True}
    if args.site_dir:
        overrides["site_dir"] = str(Path(args.site_dir).resolve())
    try:
        config = load_config(str(config_file), **overrides)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (PluginError, ConfigurationError, Abort) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK


def _log_to_stderr() -> None:
    import logging

    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_factcheck", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._factcheck = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


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
    validate.set_defaults(func=cmd_validate)

    build = sub.add_parser("build", help="build the site (strict) with MkDocs")
    build.add_argument("--site-dir", help="output folder (default: site_dir from mkdocs.yml)")
    build.add_argument("--config-file", default="mkdocs.yml")
    build.set_defaults(func=cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
