"""Every command fails in one line (what, where, what to do) with exit 2; --debug adds the traceback.

Before: with the stack down `pantau submit` printed 76 lines, `alerts` 236, `registry import` 379,
`agency key create` 210 (issue 9).
"""
from __future__ import annotations

import pytest

from tests.unit.ops.helpers import down_env, run

REPO_SAMPLE = "deploy/sample"
GOOD_LINE = '{"source": "x", "external_id": "1", "kind": "post", "text": "halo"}\n'


def _inputs(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(GOOD_LINE)
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("nip,nama\n199001012015031001,Budi\n")
    return {"GOOD": str(good), "BADCSV": str(bad_csv), "MISSING": str(tmp_path / "missing.jsonl")}


CASES = [
    # (args, words the one line must contain)
    (["alerts"], ["cannot reach the store", "127.0.0.1:", "pantau infra up"]),
    (["submit", "GOOD"], ["cannot reach Kafka", "127.0.0.1:", "pantau infra up"]),
    (["registry", "import", "deploy/sample/registry.csv"], ["cannot reach the store", "pantau infra up"]),
    (["agency", "key", "create", "BKN", "--role", "analyst"], ["cannot reach the store", "pantau infra up"]),
    (["submit", "MISSING"], ["missing.jsonl", "does not exist"]),
    (["registry", "import", "MISSING"], ["missing.jsonl", "does not exist"]),
    (["registry", "import", "BADCSV"], ["bad.csv", "bad_header", "nip,name,birth_date", "docs/contracts/registry-csv.md"]),
    (["dlq", "list"], ["cannot reach Kafka", "pantau infra up"]),
    (["notify", "failures"], ["cannot reach the store", "pantau infra up"]),
]


@pytest.mark.parametrize(("args", "words"), CASES, ids=[" ".join(c[0][:3]) for c in CASES])
def test_one_line_exit_2(tmp_path, args, words):
    inputs = _inputs(tmp_path)
    argv = [inputs.get(a, a) for a in args]
    result = run(argv, down_env(tmp_path))
    lines = [ln for ln in (result.stdout + result.stderr).splitlines() if ln.strip()]
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = run(["--debug", "alerts"], down_env(tmp_path))
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: cannot reach the store")


def test_a_broken_setting_is_one_line_naming_the_variable(tmp_path):
    result = run(["alerts"], down_env(tmp_path, PANTAU_API_PORT="eighty"))
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "PANTAU_API_PORT" in lines[0]


def test_submit_rejects_invalid_lines_with_line_field_and_reason(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(GOOD_LINE + '{"source": "x", "text": "no id"}\nnot json\n')
    result = run(["submit", "--strict", str(path)], down_env(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "line 2: external_id" in result.stderr
    assert "line 3: not valid JSON" in result.stderr
    assert "2 of 3 lines are invalid" in result.stderr and "nothing published" in result.stderr
