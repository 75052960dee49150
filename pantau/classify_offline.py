"""``pantau classify --in IN --out OUT``: offline classification of a JSON-lines file, and its fast start.

Offline classification runs in loops and batch jobs, so its start-up counts. The plain form of the command
(``--in``, ``--out``, ``--config``, ``--workers`` and nothing else) is parsed here without typer, rich or the
typer app (about 0.1 s of imports and parameter set-up); every other form, ``--help`` included, goes to the
typer command (``pantau.commands.classify``), which runs the same ``classify_file``.
"""
from __future__ import annotations

import gc
import json
import multiprocessing
import os
import sys
from collections.abc import Iterator
from json.encoder import encode_basestring
from pathlib import Path

from pydantic import ValidationError

_CLASSIFIER = None  # set in the parent before the workers fork, so they share it without rebuilding it
CHUNK = 100  # lines a worker classifies per task: small, so that both cores stay busy until the end


def _error_line(lineno: int, exc: Exception, raw: str) -> dict:
    """One output line for a bad input line: which line, which field, why."""
    external_id = source = None
    try:
        obj = json.loads(raw)
        if isinstance(obj, dict):
            external_id, source = obj.get("external_id"), obj.get("source")
    except ValueError:
        pass
    if isinstance(exc, ValidationError):
        problems = [{"field": ".".join(str(p) for p in e["loc"]) or "(record)", "why": e["msg"]} for e in exc.errors()]
    elif isinstance(exc, json.JSONDecodeError):
        problems = [{"field": "(line)", "why": f"invalid JSON: {exc.msg} at column {exc.colno}"}]
    else:
        problems = [{"field": "(record)", "why": f"{type(exc).__name__}: {exc}"}]
    return {"external_id": external_id, "source": source, "line": lineno,
            "error": f"line {lineno}: " + "; ".join(f"{p['field']}: {p['why']}" for p in problems), "fields": problems}


def _classify_lines(chunk: tuple[int, list[str]]) -> tuple[str, int, int, int]:
    """Output lines for input lines (numbered from ``first``), as one string (one object to send back from a
    worker), with the line, partisan and error counts."""
    from shared.schemas import ContentRecord

    first, lines = chunk
    out, flagged, bad = [], 0, 0
    for lineno, raw in enumerate(lines, first):
        if not raw.strip():
            row = {"external_id": None, "source": None, "line": lineno, "error": f"line {lineno}: (line): empty line",
                   "fields": [{"field": "(line)", "why": "empty line"}]}
            bad += 1
        else:
            try:
                record = ContentRecord.model_validate_json(raw)
                result = _CLASSIFIER.classify(record)
                flagged += int(result.partisan)
                # {"external_id", "source", ...the classification}: what json.dumps(..., ensure_ascii=False) writes
                # for the two strings, then the classification serialised by pydantic in one go (fast path)
                out.append(f'{{"external_id": {encode_basestring(record.external_id)}, "source": '
                           f'{encode_basestring(record.source)}, {result.model_dump_json()[1:]}\n')
                continue
            except (ValidationError, ValueError) as exc:
                row = _error_line(lineno, exc, raw)
                bad += 1
        out.append(json.dumps(row, ensure_ascii=False) + "\n")
    return "".join(out), len(out), flagged, bad


def _chunks(src) -> Iterator[tuple[int, list[str]]]:
    lines: list[str] = []
    first = 1
    for lineno, raw in enumerate(src, 1):
        lines.append(raw)
        if len(lines) == CHUNK:
            yield first, lines
            first, lines = lineno + 1, []
    if lines:
        yield first, lines


def classify_file(in_path: Path, out_path: Path, config: list[Path] | None, workers: int) -> str:
    """Classify ``in_path`` into ``out_path`` (output line n answers input line n); the summary line.
    Raises ``ConfigError`` for a broken election configuration."""
    global _CLASSIFIER
    from services.classify.domain.classifier import Classifier

    _CLASSIFIER = Classifier.from_config(config or None)
    if not workers:  # automatic: a small file finishes before a second process would have started
        workers = 1 if in_path.stat().st_size < 200_000 else os.cpu_count() or 1
    done = bad = flagged = 0
    with open(in_path, encoding="utf-8", errors="replace") as src, open(out_path, "w", encoding="utf-8") as dst:
        if workers > 1:
            # the workers' collections skip what they inherit (the classifier is never garbage), leaving its pages shared
            gc.freeze()
            pool = multiprocessing.get_context("fork").Pool(workers)
            gc.unfreeze()
            results = pool.imap(_classify_lines, _chunks(src))  # ordered: output line n answers input line n
        else:
            pool, results = None, map(_classify_lines, _chunks(src))
        try:
            for text, n_lines, n_flagged, n_bad in results:
                dst.write(text)
                done += n_lines
                flagged += n_flagged
                bad += n_bad
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    return f"classified {done} lines: {flagged} partisan, {bad} with errors -> {out_path} ({_CLASSIFIER.model_version})"


_OPTIONS = {"--in": "in_path", "--out": "out_path", "--config": "config", "--workers": "workers"}


def plain_options(args: list[str]) -> dict | None:
    """The options of the plain form (after ``classify``), checked as the typer command checks them; None for
    anything else, so that typer parses it and says what is wrong in its own words."""
    opts: dict = {"config": []}
    words = iter(args)
    for word in words:
        name, eq, value = word.partition("=")
        key = _OPTIONS.get(name)
        if key is None:
            return None
        if not eq:
            value = next(words, None)
        if not value or value.startswith("-"):
            return None
        if key == "config":
            opts["config"].append(Path(value))
        elif key in opts:
            return None
        else:
            opts[key] = value
    workers = opts.get("workers", "0")
    if "in_path" not in opts or "out_path" not in opts or not (workers.isascii() and workers.isdigit()):
        return None
    in_path, out_path = Path(opts["in_path"]), Path(opts["out_path"])
    if not in_path.is_file() or out_path.is_dir():
        return None
    return {"in_path": in_path, "out_path": out_path, "config": opts["config"] or None, "workers": int(workers)}


def fast_main(args: list[str]) -> int | None:
    """Run the plain form and return its exit code, or None when ``args`` are not the plain form. Errors end
    as the typer app ends them: one line on stderr, exit 2 (``pantau.errors``)."""
    opts = plain_options(args) if not os.environ.get("PANTAU_DEBUG") else None
    if opts is None:
        return None
    from shared.config_paths import ConfigError

    try:
        summary = classify_file(**opts)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"config error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - as PantauGroup: one line, exit 2
        from pantau.errors import describe

        print(f"error: {describe(exc)}", file=sys.stderr)
        return 2
    print(summary, file=sys.stderr)
    return 0
