"""``pantau classify`` end to end through typer (no broker, no database)."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from pantau.app import build_app

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


def test_parallel_workers_write_what_one_process_writes_in_the_same_order(tmp_path):
    # more lines than one chunk, with bad lines on both sides of a chunk boundary: numbers must stay right
    from pantau.classify_offline import CHUNK

    lines, broken = [], (3, CHUNK - 1, CHUNK, 2 * CHUNK + 100)
    for i in range(2 * CHUNK + 203):
        if i in broken:
            lines.append("{broken")
        else:
            lines.append(json.dumps({"source": "x", "external_id": f"p{i}",
                                     "text": "coblos 02 Prabowo-Gibran!" if i % 3 == 0 else f"cuaca hari ke-{i} cerah"}))
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        result = runner.invoke(build_app(), ["classify", "--in", str(src), "--out", str(out), "--workers", workers])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1]
    rows = [json.loads(x) for x in outputs[1].splitlines()]
    assert [r.get("external_id") for r in rows[:3]] == ["p0", "p1", "p2"]
    assert [n for n, r in enumerate(rows) if "error" in r] == list(broken)
    assert all(f"line {n + 1}:" in r["error"] for n, r in enumerate(rows) if "error" in r)


def test_plain_form_starts_without_typer_and_writes_what_the_typer_command_writes(tmp_path):
    from pantau.classify_offline import fast_main, plain_options

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([json.dumps({"source": "x", "external_id": "a1", "text": "coblos 02 Prabowo-Gibran!"}),
                              "{broken", ""]) + "\n")
    fast, typed = tmp_path / "fast.jsonl", tmp_path / "typed.jsonl"
    assert fast_main(["--in", str(src), f"--out={fast}", "--workers", "1"]) == 0
    result = runner.invoke(build_app(), ["classify", "--in", str(src), "--out", str(typed), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert fast.read_text() == typed.read_text()
    # anything else is left to typer (its help and its messages): subcommands, unknown or repeated options,
    # a missing input, an output that is a folder, a bad worker count
    for args in (["--help"], ["examples"], ["--in", str(src)], ["--in", str(src), "--out", str(fast), "--x", "1"],
                 ["--in", str(src), "--in", str(src), "--out", str(fast)], ["--in", str(tmp_path / "no"), "--out", str(fast)],
                 ["--in", str(src), "--out", str(tmp_path)], ["--in", str(src), "--out", str(fast), "--workers", "-1"]):
        assert plain_options(args) is None, args
    assert fast_main(["--in", str(src), "--out", str(fast), "--config", str(tmp_path / "none")]) == 2
