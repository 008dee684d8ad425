"""How long validation takes on hostile input, compared with validating the shipped claims.

    python benchmarks/hostile.py [--repeat 5] [--only deep]

Every fixture in tests/hostile/cases, and files written here (deep nesting up to 100,000 levels,
an oversized file, a flood of values), is validated in this process on a copy of the publication
whose claims folder holds just that file (the data files and archived sources are read as usual),
with no check cache. The baseline is the same validation of the shipped claims/ folder. Each
figure is the fastest of `--repeat` runs; the ratio is case / baseline, so a ratio near or below
1 means a hostile file costs no more than the real publication. Also times the YAML loader alone
on each file, and the `factcheck validate` command on the baseline and on the 100,000-level file
(exit code 1, not a signal, is part of what is checked).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
from generator.corpus import Project, load_corpus  # noqa: E402
from generator.diagnostics import Diagnostics  # noqa: E402
from generator.yamlsafe import MAX_FILE_BYTES, decode_text, load_yaml  # noqa: E402

PARTS = ["mkdocs.yml", "content", "claims", "data", "seeds", "theme_overrides"]
CASES = REPO / "tests" / "hostile" / "cases"
BASE = (CASES / "crlf-line-endings.yaml").read_bytes().replace(b"\r\n", b"\n").decode("utf-8")
ANALYSIS = "analysis: Plain analysis.\n"


def _claim(analysis: str) -> bytes:
    return BASE.replace(ANALYSIS, analysis).encode("utf-8")


def _block(unit: str, levels: int) -> str:
    return "analysis:\n" + "".join(" " * (i + 1) + unit + "\n" for i in range(levels)) + " " * (levels + 1) + "x\n"


MADE: dict[str, Callable[[], bytes]] = {
    "deep-flow-sequence-50000 (the segfault)": lambda: _claim("analysis: " + "[" * 50_000 + "]" * 50_000 + "\n"),
    "deep-flow-sequence-100000": lambda: _claim("analysis: " + "[" * 100_000 + "]" * 100_000 + "\n"),
    "deep-unclosed-flow-sequence-100000": lambda: _claim("analysis: " + "[" * 100_000 + "\n"),
    "deep-flow-mapping-50000": lambda: _claim("analysis: " + "{k: " * 50_000 + "x" + "}" * 50_000 + "\n"),
    "deep-bare-braces-100000": lambda: _claim("analysis: " + "{" * 100_000 + "}" * 100_000 + "\n"),
    "deep-compact-sequence-100000": lambda: _claim("analysis:\n  " + "- " * 100_000 + "x\n"),
    "deep-block-sequence-700": lambda: _claim(_block("-", 700)),
    "deep-block-mapping-700": lambda: _claim(_block("k:", 700)),
    "deep-mixed-20000": lambda: _claim("analysis:\n  - - k:\n        - [" + "{k: [" * 20_000 + "]}" * 20_000 + "]\n"),
    "oversized-file": lambda: _claim(ANALYSIS) + b"# " + b"x" * MAX_FILE_BYTES + b"\n",
    "value-flood": lambda: _claim(ANALYSIS) + b"flood:\n" + b"".join(b"  - %d\n" % i for i in range(25_000)),
}


def publication(target: Path, *, claims: bool) -> Path:
    target.mkdir(parents=True)
    for part in PARTS:
        source = REPO / part
        if part == "claims" and not claims:
            (target / part).mkdir()
        elif source.is_dir():
            shutil.copytree(source, target / part)
        elif source.exists():
            shutil.copy2(source, target / part)
    return target


def fastest(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def outcome(project: Project, rel: str) -> str:
    _, diagnostics = load_corpus(project)
    mine = [d for d in diagnostics.errors if d.path == rel]
    return f"{mine[0].code} at {mine[0].line}:{mine[0].column}" if mine else "accepted"


def cli(root: Path, *paths: Path) -> tuple[float, int]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "generator.cli", "--root", str(root), "validate", "--no-cache",
                             *map(str, paths)], capture_output=True, check=False, cwd=REPO)
    return time.perf_counter() - started, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="measure only the cases whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        shipped = publication(Path(tmp) / "shipped", claims=True)
        count = len(list((shipped / "claims").glob("*.yaml")))
        baseline = fastest(lambda: load_corpus(Project(shipped)), args.repeat)
        print(f"baseline: validating the shipped claims/ ({count} files, data and sources): "
              f"{baseline * 1000:.1f} ms (fastest of {args.repeat})\n")
        cases: dict[str, bytes] = {p.stem: p.read_bytes() for p in sorted(CASES.glob("*.yaml"))}
        cases.update({name: make() for name, make in MADE.items()})
        print(f"{'case':42} {'bytes':>8} {'validate ms':>12} {'x baseline':>11} {'loader ms':>10}  outcome")
        worst = ("", 0.0)
        for name, content in cases.items():
            if args.only not in name:
                continue
            pub = publication(Path(tmp) / f"case-{len(list(Path(tmp).iterdir()))}", claims=False)
            target = pub / "claims" / "hostile.yaml"
            target.write_bytes(content)
            project = Project(pub)
            seconds = fastest(lambda project=project: load_corpus(project), args.repeat)

            def load(content: bytes = content) -> None:
                text = decode_text(content, "claims/hostile.yaml", Diagnostics())
                if text is not None:
                    load_yaml(text, "claims/hostile.yaml", Diagnostics())

            loader = fastest(load, args.repeat)
            ratio = seconds / baseline
            worst = max(worst, (name, ratio), key=lambda item: item[1])
            print(f"{name:42} {len(content):>8,} {seconds * 1000:>12.1f} {ratio:>11.2f} {loader * 1000:>10.2f}  "
                  f"{outcome(project, 'claims/hostile.yaml')}")
            shutil.rmtree(pub)
        print(f"\nslowest relative to the baseline: {worst[0]} at {worst[1]:.2f}x")
        deep = publication(Path(tmp) / "deep", claims=False)
        (deep / "claims" / "deep.yaml").write_bytes(MADE["deep-flow-sequence-100000"]())
        base_cli = min(cli(shipped) for _ in range(3))
        deep_cli = min(cli(deep) for _ in range(3))
        print(f"factcheck validate (whole process, fastest of 3): shipped claims {base_cli[0]:.2f} s "
              f"(exit {base_cli[1]}); 100,000 nested brackets {deep_cli[0]:.2f} s (exit {deep_cli[1]}), "
              f"{deep_cli[0] / base_cli[0]:.2f}x")


if __name__ == "__main__":
    main()
