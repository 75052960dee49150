"""Classify commands: ``pantau classify --in --out`` (offline, the service's own code), and the learning loop
(issue 21): ``examples``, ``retrain``, ``promote``, ``rollback``, ``models``, ``replay``. Imports stay inside the
commands: ``pantau classify`` is loaded alone (``STANDALONE``), and offline classification pays for no store
or broker client; its plain form does not even load this module (``pantau.classify_offline``)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

err = Console(stderr=True, highlight=False)

classify_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)


@classify_app.callback()
def classify(
    ctx: typer.Context,
    in_path: Annotated[Optional[Path], typer.Option("--in", exists=True, dir_okay=False, help="content records v1, one JSON per line")] = None,
    out_path: Annotated[Optional[Path], typer.Option("--out", dir_okay=False, help="classifications, one JSON per input line")] = None,
    config: Annotated[Optional[list[Path]], typer.Option("--config", help="election YAML file or folder (repeatable); default config/elections")] = None,
    workers: Annotated[int, typer.Option("--workers", min=0, help="processes classifying in parallel; 0 = one per CPU core (output order is kept)")] = 0,
) -> None:
    """Classify content offline (no broker, no database): partisan, stance, SKB form, evidence
    (`pantau classify --in IN.jsonl --out OUT.jsonl`); and the learning loop: analysts' examples, retrain,
    promote, rollback, models, replay (see the subcommands)."""
    if ctx.invoked_subcommand is not None:
        return
    if in_path is None or out_path is None:
        raise typer.BadParameter("give --in and --out (or a subcommand: examples, retrain, promote, rollback, models, replay)")
    _classify_offline(in_path, out_path, config, workers)


def _classify_offline(in_path: Path, out_path: Path, config: Optional[list[Path]], workers: int) -> None:
    from pantau.classify_offline import classify_file
    from shared.config_paths import ConfigError

    try:
        summary = classify_file(in_path, out_path, config, workers)
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"[red]config error:[/red] {problem}")
        raise typer.Exit(2)
    err.print(summary)


def _operator() -> str:
    import getpass

    return getpass.getuser()


def _run(work):
    """Run ``work(db)`` against the store (reachable first, or one line saying so)."""
    from pantau.queries import run_with_store

    return run_with_store(work)


def _shipped():
    from services.classify.domain.classifier import Classifier

    return Classifier.from_config()


ByOption = Annotated[Optional[str], typer.Option("--by", help="who acts, for the history (default: the login name)")]


@classify_app.command("examples")
def examples_command(
    out: Annotated[Optional[Path], typer.Option("--out", dir_okay=False, help="write them as JSON lines (for the data card)")] = None,
) -> None:
    """List the analysts' examples (verified cases: partisan; cases rejected as not partisan: negative), or export
    them with `--out FILE.jsonl`. They hold the posts' texts: keep an export where the cases are kept."""
    from services.classify import learning
    from services.classify.models import stored_examples

    rows = learning.examples_rows(_run(stored_examples))
    if out is not None:
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        err.print(f"{len(rows)} examples -> {out}")
        return
    from rich.table import Table

    table = Table("case", "verdict", "stance", "form", "analyst", "at", "held out", "post")
    for r in rows:
        table.add_row(r["case_id"][:12], r["verdict"], " ".join(r["stance"]), r["form"], r["analyst"], r["at"][:16],
                      "yes" if r["held_out"] else "", r["text"][:60])
    Console().print(table)
    err.print(f"{len(rows)} examples ({sum(r['verdict'] == 'verified' for r in rows)} verified, "
              f"{sum(r['verdict'] == 'not_partisan' for r in rows)} not partisan)")


@classify_app.command("retrain")
def retrain_command(
    exclude_analyst: Annotated[Optional[list[str]], typer.Option("--exclude-analyst", help="leave this analyst's examples out (repeatable; as `examples` names them, or the label alone)")] = None,
    min_new: Annotated[int, typer.Option("--min-new", min=0, help="fewer new examples than this since the active model: the report warns")] = 20,
    report: Annotated[Optional[Path], typer.Option("--report", dir_okay=False, help="where to write the report (default: <state dir>/classify-reports/VERSION.md)")] = None,
    by: ByOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the stored summary as JSON")] = False,
) -> None:
    """Train a candidate target model on the shipped training data plus the analysts' examples, measure it and the
    active model on the fixed sets (our test split, the real dev half when ../shared is there) and on the held-out
    examples, store it (not active) and write its report. Needs scikit-learn (the dev extra, as `make train`).

        pantau classify retrain && pantau classify promote VERSION
    """
    from services.classify import retrain
    from shared.settings import get_settings

    shipped = _shipped()
    doc = _run(lambda db: retrain.retrain(db, shipped, by or _operator(), exclude_analyst or (), min_new))
    path = report or get_settings().state_dir / "classify-reports" / f"{doc['_id']}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc["report"], encoding="utf-8")
    if as_json:
        typer.echo(json.dumps({k: v for k, v in doc.items() if k != "report"}, ensure_ascii=False, default=str))
    else:
        Console(highlight=False).print(doc["report"])
    for w in doc["warnings"]:
        err.print(f"[yellow]warning:[/yellow] {w}")
    err.print(f"candidate {doc['_id']} {'stored' if doc['stored'] else 'was already stored'}; report -> {path}\n"
              f"promote it with: pantau classify promote {doc['_id']}")


@classify_app.command("promote")
def promote_command(
    version: Annotated[str, typer.Argument(help="a stored version (`pantau classify models`)")],
    force: Annotated[bool, typer.Option("--force", help="promote even when worse on a fixed set (written to the audit log)")] = False,
    reason: Annotated[str, typer.Option("--reason", help="why, for the history")] = "",
    by: ByOption = None,
) -> None:
    """Make VERSION the model every classify worker uses (picked up between batches, no restart), only when it is
    not worse than the active model on any fixed set, measured now on the same items."""
    from pantau.errors import OperatorError
    from services.classify import promotion

    shipped = _shipped()
    try:
        d = _run(lambda db: promotion.promote(db, shipped, version, by or _operator(), force, reason))
    except promotion.PromotionError as exc:
        raise OperatorError(str(exc)) from exc
    for name, figs in d.figures.get("candidate", {}).items():
        act = d.figures["active"].get(name, {})
        err.print(f"{name}: " + (figs["skipped"] if "skipped" in figs else
                                 f"F1 {act['f1']:.3f} -> {figs['f1']:.3f}, false alarms {act['false_alarms']:.3f} -> {figs['false_alarms']:.3f}"))
    if not d.promoted and d.worse:
        raise OperatorError(f"refused: {version} is worse than the active {d.active} on a fixed set ("
                            + "; ".join(d.worse) + "); --force promotes it anyway and is written to the audit log")
    if not d.promoted:
        err.print(f"{version} is already active")
        return
    err.print(f"promoted{' (forced over: ' + '; '.join(d.worse) + ')' if d.worse else ''}: {d.active} is active; "
              "classify workers switch to it between batches")


@classify_app.command("rollback")
def rollback_command(reason: Annotated[str, typer.Option("--reason", help="why, for the history")] = "",
                     by: ByOption = None) -> None:
    """Back to the version active before the last promotion (down to the shipped model)."""
    from pantau.errors import OperatorError
    from services.classify import promotion

    shipped = _shipped()
    try:
        left, now_active = _run(lambda db: promotion.rollback(db, shipped, by or _operator(), reason))
    except promotion.PromotionError as exc:
        raise OperatorError(str(exc)) from exc
    err.print(f"rolled back from {left}: {now_active} is active")


@classify_app.command("models")
def models_command(as_json: Annotated[bool, typer.Option("--json", help="one JSON document")] = False) -> None:
    """Stored versions with their figures, the active one, and every promotion and rollback (who, when, forced)."""
    from services.classify import promotion

    shipped = _shipped()
    view = _run(lambda db: promotion.models_overview(db, shipped))
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False, default=str))
        return
    out = Console(highlight=False)
    out.print(f"active: {view['active']}  (shipped: {view['shipped']})")
    for m in view["versions"]:
        figs = "; ".join(f"{k} F1 {v['f1']:.3f} FA {v['false_alarms']:.3f}" for k, v in m["figures"].items() if "f1" in v)
        out.print(f"{'*' if m['_id'] == view['active'] else ' '} {m['_id']}  trained {m['created_at']:%Y-%m-%d %H:%M} by "
                  f"{m['created_by']}, {len(m['example_ids'])} examples  {figs}")
    for h in view["history"]:
        out.print(f"  {h['at']:%Y-%m-%d %H:%M} {h['action']} {h['version']} by {h['by']}"
                  f"{' (forced)' if h.get('forced') else ''} -> active {h['active']}{': ' + h['reason'] if h.get('reason') else ''}")


@classify_app.command("replay")
def replay_command(
    since: Annotated[datetime, typer.Option("--since", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="content received on or after (UTC)")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="report only; send nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Classify stored content again with the active model. Posts now partisan that never went to match are sent
    on (alerts as usual, never twice); posts no longer partisan are listed, their cases left to the analysts."""
    from pantau.publish import publish_lines
    from services.classify import promotion
    from services.classify.models import ModelStore
    from services.classify.replay import replay
    from shared.settings import get_settings
    from shared.topics import CONTENT_CLASSIFIED

    shipped = _shipped()
    since = since.replace(tzinfo=since.tzinfo or timezone.utc)

    async def work(db):
        _, clf = await promotion.active(ModelStore(db), shipped)
        report, messages = await replay(db, clf, since)
        if messages and not dry_run:
            await publish_lines(get_settings(), [v for _, v in messages], CONTENT_CLASSIFIED.name, [k for k, _ in messages])
        return report

    report = _run(work)
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
    err.print(f"{report.model_version}: {report.read} posts since {since:%Y-%m-%d}, {report.unchanged} unchanged, "
              f"{len(report.now_partisan)} now partisan{' (not sent: dry run)' if dry_run else ' (sent to match)'}, "
              f"{len(report.no_longer_partisan)} no longer partisan (listed, nothing withdrawn)")


def register(app: typer.Typer) -> None:
    app.add_typer(classify_app, name="classify")
