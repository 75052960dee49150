"""``pantau classify`` end to end through typer (no broker, no database)."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from pantau.cli import build_app

runner = CliRunner()


def test_classify_one_line_per_input_in_order_with_errors(tmp_path):
    lines = [
        json.dumps({"source": "x", "external_id": "a1", "text": "coblos 02 bapak ibu, Prabowo-Gibran!"}),
        "{not json",
        json.dumps({"source": "x", "text": "missing id"}),
        json.dumps({"source": "instagram", "external_id": "a4", "kind": "like", "target": {"handle": "prabowo"}}),
        json.dumps({"source": "x", "external_id": "a5", "kind": "dance"}),
        json.dumps({"source": "news", "external_id": "a6", "text": "KPU tetapkan jadwal debat capres"}),
    ]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(lines) + "\n")
    result = runner.invoke(build_app(), ["classify", "--in", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == len(lines)
    assert rows[0]["external_id"] == "a1" and rows[0]["partisan"] is True
    assert set(rows[0]) == {"external_id", "source", "partisan", "score", "stance", "form", "evidence", "model_version"}
    assert rows[0]["stance"][0] == {"contestant": "capres-02", "polarity": "support", "score": rows[0]["stance"][0]["score"]}
    assert "line 2" in rows[1]["error"]
    assert "line 3" in rows[2]["error"] and "external_id" in rows[2]["error"]
    assert rows[3]["form"] == "engagement"
    assert "kind" in rows[4]["error"] and rows[4]["external_id"] == "a5"
    assert rows[5]["partisan"] is False and rows[5]["form"] == "none"
