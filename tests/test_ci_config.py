"""The CI workflows and the pre-commit hook run the same commands the test suite exercises."""

from __future__ import annotations

import yaml

from .conftest import REPO


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


def test_ci_entry_point_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[dev]"' in ci and 'pip install -e ".[dev]"' in readme
    assert "\npytest\n" in ci and "pytest" in readme
