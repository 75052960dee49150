"""`pantau check-config` through typer: every config family is checked, errors name file and field."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pantau.cli import build_app

runner = CliRunner()


def test_the_repository_configuration_is_valid():
    result = runner.invoke(build_app(), ["check-config"])
    assert result.exit_code == 0, result.output
    assert "notify config" in result.output and "match config" in result.output


BAD_ELECTION = ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
                "contestants: [{id: c-1, race: r, name: A, hashtags: ['#bad tag']}]\n")


@pytest.mark.parametrize(
    ("option", "filename", "content", "expected"),
    [
        ("--elections", "bad.yaml", BAD_ELECTION, ["bad.yaml", "hashtags"]),
        ("--match", "match.yaml", "threshold: 2\n", ["match", "threshold"]),
        ("--match", "match.yaml", "threshold: 0.8\nthreshhold: 0.9\n", ["match", "threshhold"]),
    ],
    ids=["election-hashtag-with-space", "match-threshold-out-of-range", "match-misspelt-key"],
)
def test_an_invalid_file_fails_with_exit_2_and_says_where(tmp_path, option, filename, content, expected):
    bad = tmp_path / filename
    bad.write_text(content)
    result = runner.invoke(build_app(), ["check-config", option, str(bad)])
    assert result.exit_code == 2, result.output
    for word in expected:
        assert word in result.output
