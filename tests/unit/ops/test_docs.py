"""The docs in the repository match the code: topics, the registry header, links, the README's commands.

Before (issue 9): the README and --help pointed at a design document outside the repository.
"""
from __future__ import annotations

import re
import shlex

import pytest
import yaml
from typer.testing import CliRunner

from pantau.app import build_app
from shared import topics
from shared.schemas import REGISTRY_CSV_HEADER
from shared.settings import REPO_ROOT

DOCS = REPO_ROOT / "docs"
README = (REPO_ROOT / "README.md").read_text()


def test_asyncapi_channels_are_the_topic_registry():
    doc = yaml.safe_load((DOCS / "contracts" / "asyncapi.yaml").read_text())
    assert sorted(c["address"] for c in doc["channels"].values()) == sorted(
        [*topics.all_topic_names(), topics.AGENCY_CASES.name])  # the agencies' topics: one template


def test_topics_doc_names_every_topic():
    text = (DOCS / "contracts" / "topics.md").read_text()
    for spec in (*topics.PIPELINE, *topics.OUTPUTS, topics.AGENCY_CASES):
        assert f"`{spec.name}`" in text


def test_registry_csv_doc_has_the_exact_header():
    assert ",".join(REGISTRY_CSV_HEADER) in (DOCS / "contracts" / "registry-csv.md").read_text()


def _markdown_files():
    return [REPO_ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_relative_links_resolve_inside_the_repository(path):
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", path.read_text()):
        if "://" in target:
            continue
        resolved = (path.parent / target).resolve()
        assert resolved.exists(), f"{path.name}: {target}"
        assert REPO_ROOT in resolved.parents or resolved == REPO_ROOT, f"{path.name}: {target} is outside the repository"


def _readme_commands() -> list[list[str]]:
    """`pantau …` commands of the README's command table, as far as the words before the options."""
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    out = []
    rows = [re.split(r"(?<!\\)\|", line)[1] for line in section.splitlines() if line.startswith("| `")]
    for cell in rows:
        for variant in re.findall(r"`([^`]+)`", cell):
            words = shlex.split(variant.replace("\\|", "|"))
            if words[0] != "pantau":
                continue
            head = []
            for word in words[1:]:
                if word.startswith("-") or word.startswith("[") or word.isupper() or "=" in word or "." in word:
                    break
                head.append(word)
            for alternative in (head[-1].split("|") if head and "|" in head[-1] else [None]):
                out.append(head[:-1] + [alternative] if alternative else head)
    return out


COMMANDS = _readme_commands()


def test_the_readme_table_lists_the_operator_commands():
    names = {" ".join(c) for c in COMMANDS}
    for expected in ("up", "submit", "dlq list", "dlq replay", "agency key rotate", "notify resend", "check-config"):
        assert expected in names, names


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_readme_command_exists(command):
    result = CliRunner().invoke(build_app(), [*command, "--help"])
    assert result.exit_code == 0, result.output


def test_help_points_into_the_repository():
    for command in ([], ["registry", "import"], ["match"]):
        text = CliRunner().invoke(build_app(), [*command, "--help"]).output
        assert "shared/docs" not in text


OFFLINE = {  # README table commands that need no broker or store, run as written with sample files
    "classify": lambda tmp: {"IN.jsonl": str(REPO_ROOT / "deploy/sample/content.jsonl"), "OUT.jsonl": str(tmp / "c.jsonl")},
    "match": lambda tmp: {"REG.csv": str(REPO_ROOT / "deploy/sample/registry.csv"),
                          "IN.jsonl": str(REPO_ROOT / "deploy/sample/content.jsonl"), "OUT.jsonl": str(tmp / "m.jsonl")},
    "registry generate": lambda tmp: {"N": "50", "S": "1", "REG.csv": str(tmp / "reg.csv")},
    "routes test": lambda tmp: {"LABEL=VALUE": "agency=PEMKOT-3374", "...": "form=engagement"},
}


def _table_row(name: str) -> list[str]:
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        cell = line.split("|")[1] if line.startswith("| `pantau ") else ""
        for variant in re.findall(r"`([^`]+)`", cell):
            words = shlex.split(variant)
            if " ".join(words[1:1 + len(name.split())]) == name:
                return words[1:]
    raise AssertionError(f"`pantau {name}` is not in the README's command table")


@pytest.mark.parametrize("name", sorted(OFFLINE))
def test_offline_readme_commands_run_as_written(tmp_path, name):
    values = OFFLINE[name](tmp_path)
    argv = [values.get(word, word) for word in _table_row(name)]
    result = CliRunner().invoke(build_app(), argv)
    assert result.exit_code == 0, result.output
