"""The CI workflows and the pre-commit hook run the same commands the test suite exercises."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from generator import compat

from .conftest import ENGINE, REPO, REQUIRE_ALL


def _steps(workflow: str) -> list[dict]:
    data = yaml.safe_load((REPO / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def _commands(workflow: str) -> str:
    return "\n".join(step.get("run", "") for step in _steps(workflow))


def test_pull_requests_are_validated_with_annotations_built_strict_and_uploaded() -> None:
    commands = _commands("pull-request.yml")
    assert "factcheck validate --format github" in commands
    assert "mkdocs build --strict" in commands
    assert "bash .ci/run" in commands
    assert any(step.get("uses", "").startswith("actions/upload-artifact@") for step in _steps("pull-request.yml"))


def test_main_is_deployed_with_the_official_pages_actions() -> None:
    uses = [step.get("uses", "") for step in _steps("deploy.yml")]
    for action in ("actions/configure-pages@", "actions/upload-pages-artifact@", "actions/deploy-pages@"):
        assert any(u.startswith(action) for u in uses), action
    assert "mkdocs build --strict" in _commands("deploy.yml")
    trigger = yaml.safe_load((REPO / ".github" / "workflows" / "deploy.yml").read_text())[True]
    assert trigger["push"]["branches"] == ["main"]


def test_pre_commit_hook_validates_changed_claims() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["factcheck-validate"]["entry"] == "factcheck validate"
    assert hooks["factcheck-validate"]["files"] == r"^claims/.*\.ya?ml$"


def _ci_lines() -> list[str]:
    return [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()]


def _readme_quick_start() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]


def test_ci_entry_point_runs_the_readme_test_command() -> None:
    quick_start = _readme_quick_start()
    assert 'pip install -e ".[dev]"' in quick_start  # developers' install stays the documented one
    tests = [line for line in quick_start if line.startswith("pytest")]
    assert tests == ["pytest"], "the README's test command is plain pytest"
    assert tests[0] in _ci_lines(), ".ci/run must run exactly the README's test command"


def test_ci_lints_type_checks_and_lets_nothing_skip() -> None:
    lines = _ci_lines()
    assert lines.index("ruff check .") < lines.index("mypy") < lines.index("pytest")
    exports = " ".join(line for line in lines if line.startswith("export "))
    assert f"{REQUIRE_ALL}=1" in exports, ".ci/run must turn skips into failures"
    text = "\n".join(lines)
    assert "--junitxml=" in text and 'find("skipped")' in text, ".ci/run must also check the report for skips"


def test_pre_commit_runs_the_same_lint_and_type_commands_as_ci() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    for hook_id in ("ruff", "mypy"):
        hook = hooks[hook_id]
        assert hook["language"] == "system" and hook["pass_filenames"] is False
        assert hook["entry"] in _ci_lines(), f"the {hook_id} hook must run what .ci/run runs"


def test_ci_and_workflows_install_from_the_hash_checked_lock() -> None:
    ci = "\n".join(_ci_lines())
    assert 'pip install -q --require-hashes -r "$LOCK"' in ci
    assert "pip install -q --no-deps --no-build-isolation -e ." in ci
    for workflow in ("pull-request.yml", "deploy.yml"):
        commands = _commands(workflow)
        assert "pip install --require-hashes -r requirements/lock.txt" in commands, workflow
        assert "pip install --no-deps --no-build-isolation -e ." in commands, workflow
        assert ".[dev]" not in commands, f"{workflow} must not resolve dependencies afresh"


def test_pull_requests_run_everything_on_both_engines() -> None:
    data = yaml.safe_load((REPO / ".github" / "workflows" / "pull-request.yml").read_text(encoding="utf-8"))
    job = data["jobs"]["test"]
    assert job["strategy"]["matrix"]["engine"] == list(compat.ENGINES)
    assert any(step.get("run") == "bash .ci/run --engine ${{ matrix.engine }}" for step in job["steps"])


def test_ci_refuses_an_unknown_engine_before_installing_anything() -> None:
    result = subprocess.run(["bash", str(REPO / ".ci" / "run"), "--engine", "mkdocs2"], capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "unknown engine 'mkdocs2' (use mkdocs or properdocs)" in result.stderr


# --- The lock -------------------------------------------------------------------------------------------

LOCKS = {"lock.txt": ["dev"], "lock-properdocs.txt": ["dev", "properdocs"]}
_ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)")


def parse_lock(text: str) -> dict[str, tuple[str, int, set[str]]]:
    """A uv/pip-compile lock: canonical name -> (version, number of sha256 hashes, what it is required by)."""
    entries: dict[str, tuple[str, int, set[str]]] = {}
    for block in re.split(r"\n(?=\S)", text):
        match = _ENTRY.match(block)
        if not match:
            continue
        via = re.findall(r"^\s+#\s+(?:via\s+)?(\S.*)$", block, re.MULTILINE)
        entries[canonicalize_name(match[1])] = (match[2], block.count("--hash=sha256:"), {v.strip() for v in via})
    return entries


def lock_disagreements(pyproject: dict, extras: list[str], lock_text: str) -> list[str]:
    """What makes a lock disagree with pyproject.toml: a pin it lacks or locks at another version, an entry
    without hashes, a direct dependency pyproject no longer has, a build backend outside [build-system]."""
    project = pyproject["project"]
    wanted = [*project["dependencies"], *(r for extra in extras for r in project["optional-dependencies"][extra])]
    lock = parse_lock(lock_text)
    problems: list[str] = []
    pinned: set[str] = set()
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        pinned.add(name)
        specs = list(requirement.specifier)
        if len(specs) != 1 or specs[0].operator != "==":
            problems.append(f"pyproject.toml: {line!r} is not pinned exactly (name==version)")
        elif name not in lock:
            problems.append(f"{name} is pinned in pyproject.toml but missing from the lock")
        elif lock[name][0] != specs[0].version:
            problems.append(f"{name}: pyproject.toml pins {specs[0].version}, the lock has {lock[name][0]}")
    for name, (version, hashes, via) in lock.items():
        if hashes == 0:
            problems.append(f"{name}=={version} has no hash in the lock")
        if "factcheck-desk (pyproject.toml)" in via and name not in pinned:
            problems.append(f"{name} is locked as a direct dependency but pyproject.toml does not ask for it")
    for line in pyproject["build-system"]["requires"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        if name not in lock or not requirement.specifier.contains(lock[name][0]):
            problems.append(f"build backend {line!r} from [build-system] is not in the lock at a matching version")
    return problems


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_the_lock_agrees_with_pyproject(lock: str) -> None:
    text = (REPO / "requirements" / lock).read_text(encoding="utf-8")
    assert text.startswith("# This file was autogenerated by uv") and "#    tools/lock\n" in text
    problems = lock_disagreements(_pyproject(), LOCKS[lock], text)
    assert problems == [], "run tools/lock to regenerate the lock:\n" + "\n".join(problems)


def test_both_engines_are_tested_with_the_same_versions_of_everything_else() -> None:
    mkdocs = parse_lock((REPO / "requirements" / "lock.txt").read_text(encoding="utf-8"))
    properdocs = parse_lock((REPO / "requirements" / "lock-properdocs.txt").read_text(encoding="utf-8"))
    assert {name: entry[0] for name, entry in mkdocs.items()} == \
        {name: entry[0] for name, entry in properdocs.items() if name in mkdocs}
    assert "properdocs" in properdocs and "properdocs" not in mkdocs


def test_a_lock_that_disagrees_with_pyproject_is_caught() -> None:
    pyproject = _pyproject()
    text = (REPO / "requirements" / "lock.txt").read_text(encoding="utf-8")
    version = parse_lock(text)["pydantic"][0]
    bumped = re.sub(rf"^pydantic=={re.escape(version)} ", "pydantic==0.0.1 ", text, flags=re.MULTILINE)
    assert lock_disagreements(pyproject, ["dev"], bumped) == [
        f"pydantic: pyproject.toml pins {version}, the lock has 0.0.1"]
    unhashed = re.sub(r"^(jinja2==\S+) \\\n(\s+--hash=\S+ \\\n)*\s+--hash=\S+", r"\1", text, flags=re.MULTILINE)
    assert any(p.startswith("jinja2==") and p.endswith("has no hash in the lock")
               for p in lock_disagreements(pyproject, ["dev"], unhashed))
    pyproject["project"]["dependencies"] = [d for d in pyproject["project"]["dependencies"] if "pydantic" not in d]
    pyproject["project"]["dependencies"].append("nh3>=0.3")
    problems = lock_disagreements(pyproject, ["dev"], text)
    assert "pydantic is locked as a direct dependency but pyproject.toml does not ask for it" in problems
    assert "pyproject.toml: 'nh3>=0.3' is not pinned exactly (name==version)" in problems


# --- Skips, and refusing them ---------------------------------------------------------------------------

_SKIPPING = """
import pytest
from tests.conftest import need

pytestmark = pytest.mark.filterwarnings("ignore")

def test_needs_a_missing_tool():
    need(None, "needs the frobnicator: apt-get install frobnicator")

@pytest.mark.skip(reason="skipped by a marker")
def test_marked():
    pass

def test_runs():
    need("/usr/bin/present", "never shown")
"""


def _run_pytest(folder: Path, require_all: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in (REQUIRE_ALL, "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if require_all is not None:
        env[REQUIRE_ALL] = require_all
    # The repository's conftest is loaded as a plugin, as it is for the real suite.
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider", "-rs",
                           "--continue-on-collection-errors",
                           "--rootdir", str(folder), "-c", str(folder / "pytest.ini"), str(folder)],
                          capture_output=True, text=True, env=env, cwd=folder, timeout=120, check=False)


@pytest.fixture
def skipping_suite(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_tools.py").write_text(_SKIPPING, encoding="utf-8")
    (tmp_path / "test_whole_module.py").write_text(
        'import pytest\npytest.skip("needs Java: apt-get install default-jre-headless", allow_module_level=True)\n',
        encoding="utf-8")
    return tmp_path


def test_missing_tools_skip_with_the_command_that_provides_them(skipping_suite: Path) -> None:
    for unset in (None, "0"):
        result = _run_pytest(skipping_suite, unset)
        assert result.returncode == 0, result.stdout
        assert "1 passed, 3 skipped" in result.stdout
        assert "needs the frobnicator: apt-get install frobnicator" in result.stdout
        assert "needs Java: apt-get install default-jre-headless" in result.stdout


def test_require_all_turns_every_skip_into_a_failure(skipping_suite: Path) -> None:
    result = _run_pytest(skipping_suite, "1")
    assert result.returncode == 1, result.stdout
    # A skip in the test body fails it; a skip in setup (a marker) or in collection is an error.
    assert re.search(r"=+ 1 failed, 1 passed, 2 errors in ", result.stdout.splitlines()[-1]), result.stdout
    for reason in ("needs the frobnicator: apt-get install frobnicator", "skipped by a marker",
                   "needs Java: apt-get install default-jre-headless"):
        assert reason in result.stdout
    assert f"{REQUIRE_ALL}=1 (set by .ci/run) refuses skipped tests" in result.stdout


# --- The engine -----------------------------------------------------------------------------------------

def test_the_suite_runs_on_the_selected_engine() -> None:
    import mkdocs

    assert compat.active() == ENGINE == compat.requested()
    assert mkdocs.__name__ == ENGINE, f"`import mkdocs` gives {mkdocs.__name__}, not the selected {ENGINE}"
    other = "properdocs" if ENGINE == "mkdocs" else "mkdocs"
    with pytest.raises(compat.EngineError, match=f"{ENGINE} is already in use"):
        compat.select(other)
