"""Notify commands: ``pantau routes test|check`` and ``pantau agency key create|list|revoke|rotate``.

``check_notify_config()`` (re-exported here) validates routes.yaml, agencies.yaml and
sanctions.yaml for ``pantau check-config``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from services.notify.domain.config import NotifyConfig, check_notify_config, load_notify_config
from shared.config_paths import ConfigError
from services.notify.domain.evaluate import EventPlan, plan_for_labels
from services.notify.domain.durations import format_duration
from services.notify.domain.labels import CASE_EVENTS, alert_labels, parse_label_args, with_event
from services.notify.domain.recipients import Target
from shared.logging import mask_nips

__all__ = ["register", "check_notify_config", "routes_app", "agency_app"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)
routes_app = typer.Typer(help="Notify routing tree: test where an alert goes, check the config.", no_args_is_help=True)
agency_app = typer.Typer(help="Agency access to the case API.", no_args_is_help=True)
key_app = typer.Typer(help="API keys for the agency API (stored hashed).", no_args_is_help=True)
agency_app.add_typer(key_app, name="key")

ConfigDir = Annotated[Optional[Path], typer.Option("--config-dir", help="folder with routes.yaml, agencies.yaml, sanctions.yaml")]


def _load(config_dir: Path | None) -> NotifyConfig:
    try:
        return load_notify_config(config_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(2)


def _plan_text(plan: EventPlan, show_nip: bool) -> list[str]:
    lines = [f"event={plan.event}"]
    for m in plan.matches:
        r = m.route
        lines.append(f"  route {r.name} ({' > '.join(m.path)}) -> receiver {m.receiver}")
        lines.append(f"    why: {'; '.join(m.reasons) if m.reasons else 'root route (no matcher)'}")
        repeat = format_duration(r.repeat_interval) if r.repeat_interval else "never"
        lines.append(
            f"    group: {m.group_key(plan.labels)}  wait {format_duration(r.group_wait)}, "
            f"interval {format_duration(r.group_interval)}, repeat {repeat}, "
            f"auto_forward {'yes' if r.auto_forward else 'no'}"
        )
        for d in plan.deliveries:
            if d.match is not m:
                continue
            t = d.target
            if isinstance(t, Target):
                where = t.url or ", ".join(t.emails) or f"topic {t.topic} key {t.key}"
                who = f" ({t.recipient_code}: {t.recipient_name})" if t.recipient_code else ""
                lines.append(f"    -> {t.integration}: {t.kind} {where}{who}")
                if t.note:
                    lines.append(f"       note: {t.note}")
            else:
                lines.append(f"    -> {t.integration}: UNRESOLVED {t.reason}")
    if plan.event == "suspected":
        if plan.auto_forward_route:
            lines.append(f"  auto-forward: YES, route {plan.auto_forward_route.route.name} allows it")
        else:
            lines.append("  auto-forward: no (human verification first)")
    text = "\n".join(lines)
    return [text if show_nip else mask_nips(text)]


@routes_app.command("test")
def routes_test(
    labels: Annotated[Optional[list[str]], typer.Argument(help='labels as key=value, e.g. agency=PEMKOT-3374 form=engagement')] = None,
    alert: Annotated[Optional[Path], typer.Option("--alert", help="an alert JSON file (shared.schemas.Alert)")] = None,
    event: Annotated[Optional[str], typer.Option("--event", help="suspected|forwarded|escalated (default: all three unless given as a label)")] = None,
    verify_receivers: Annotated[Optional[str], typer.Option("--verify-receivers", help="comma-separated receivers expected (exit 1 if different); needs one event")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    show_nip: Annotated[bool, typer.Option("--show-nip", help="print NIPs unmasked")] = False,
    config_dir: ConfigDir = None,
) -> None:
    """Show which routes and receivers fire for a label set or an alert, and why (like amtool)."""
    config = _load(config_dir)
    try:
        base = parse_label_args(labels or [])
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    if alert is not None:
        from shared.schemas import Alert

        try:
            parsed = Alert.model_validate_json(alert.read_bytes())
        except Exception as exc:  # noqa: BLE001 - report any parse problem
            err.print(f"[red]error:[/red] {alert}: {exc}")
            raise typer.Exit(2)
        derived = alert_labels(parsed, config.directory, config.sanctions)
        derived.pop("event")  # an alert file shows all three events unless one is asked for
        base = {**derived, **base}
    events = [event] if event else ([base["event"]] if base.get("event") else list(CASE_EVENTS))
    plans = [plan_for_labels(config, with_event(base, ev)) for ev in events]
    if as_json:
        doc = [
            {
                "event": p.event,
                "labels": dict(p.labels),
                "routes": [
                    {**m.explain(), "group_key": m.group_key(p.labels)} for m in p.matches
                ],
                "targets": [
                    {"route": d.match.route.name, "integration": d.integration,
                     **({"kind": d.target.kind, "recipient": d.target.recipient_code, "url": d.target.url,
                         "emails": list(d.target.emails), "topic": d.target.topic, "key": d.target.key,
                         **({"note": d.target.note} if d.target.note else {})}
                        if isinstance(d.target, Target) else {"unresolved": d.target.reason})}
                    for d in p.deliveries
                ],
                "auto_forward": p.auto_forward_route.route.name if p.auto_forward_route else None,
            }
            for p in plans
        ]
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        out.print(text if show_nip else mask_nips(text), markup=False)
    else:
        shown = " ".join(f'{k}="{v}"' for k, v in sorted(base.items()) if v)
        out.print(f"labels: {shown if show_nip else mask_nips(shown)}", markup=False)
        for p in plans:
            for line in _plan_text(p, show_nip):
                out.print(line, markup=False)
    if verify_receivers is not None:
        if len(plans) != 1:
            err.print("[red]error:[/red] --verify-receivers needs exactly one event (--event or event=...)")
            raise typer.Exit(2)
        expected = [r.strip() for r in verify_receivers.split(",") if r.strip()]
        got = [m.receiver for m in plans[0].matches]
        if got != expected:
            err.print(f"[red]receivers differ:[/red] expected {expected}, got {got}")
            raise typer.Exit(1)
        err.print("receivers as expected")


@routes_app.command("check")
def routes_check(config_dir: ConfigDir = None) -> None:
    """Validate routes.yaml, agencies.yaml and sanctions.yaml; exit 2 on errors."""
    config = _load(config_dir)
    for warning in config.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}")
    routes = list(config.tree.walk())
    err.print(
        f"notify config OK: {len(routes)} routes, {len(config.receivers)} receivers, "
        f"{len(config.routes.inhibit_rules)} inhibit rules, {len(config.routes.flood_limits)} flood limits, "
        f"{len(config.directory.agencies)} agencies + {len(config.directory.patterns)} patterns, "
        f"sanctions table {config.sanctions.version}"
    )


def _with_store(work):
    """Run ``work(KeyStore)`` against the store (checked reachable first)."""
    import asyncio

    from pantau.errors import require_store
    from services.agency_api.auth import KeyStore
    from shared.mongo import connect
    from shared.settings import get_settings

    settings = get_settings()
    require_store(settings)

    async def run():
        client, db = connect(settings)
        try:
            return await work(KeyStore(db))
        finally:
            await client.close()

    return asyncio.run(run())


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@key_app.command("create")
def key_create(
    code: Annotated[str, typer.Argument(help="agency code, e.g. PEMKOT-3374 (or BKN for the analysts' desk)")],
    role: Annotated[str, typer.Option("--role", help="agency | analyst | admin")] = "agency",
    label: Annotated[str, typer.Option("--label", help="who holds the key (free text)")] = "",
    expires: Annotated[Optional[str], typer.Option("--expires", help="90d, 12h, an ISO date, or never")] = None,
    config_dir: ConfigDir = None,
) -> None:
    """Create an API key for CODE (an agency in agencies.yaml), print it ONCE; only its hash is stored."""
    from pantau.errors import OperatorError
    from services.agency_api.auth import ROLES, check_agency, parse_expiry

    code = code.strip().upper()
    if role not in ROLES:
        raise OperatorError(f"--role {role!r}: choose agency, analyst or admin")
    try:
        expires_at = parse_expiry(expires)
        directory = _load(config_dir).directory
        filed_under = check_agency(code, directory)
    except ValueError as exc:
        raise OperatorError(str(exc)) from None
    if filed_under != code:
        err.print(f"{code} is now filed as {filed_under} (agencies.yaml aliases): the key is for {filed_under}")
        code = filed_under
    key, doc = _with_store(lambda keys: keys.create(code, role, label, expires_at, directory))
    until = f", valid until {_when(expires_at)} UTC" if expires_at else ""
    err.print(f"key {doc['_id']} for {code} (role {role}{until}) created; it is shown once, store it now:")
    out.print(key, markup=False)


@key_app.command("list")
def key_list(
    agency: Annotated[Optional[str], typer.Option("--agency", help="only this agency code")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="also revoked and expired keys")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List API keys (never the keys themselves): id, agency, role, label, expiry, state, last use."""
    from rich.table import Table

    from services.agency_api.auth import public_view

    async def work(keys):
        docs = await keys.list(agency.strip().upper() if agency else None)
        return docs, await keys.last_used([d["_id"] for d in docs])

    docs, last = _with_store(work)
    rows = [{**public_view(d), "last_used_at": last.get(d["_id"])} for d in docs]
    rows = [r for r in rows if show_all or r["state"] == "active"]
    if as_json:
        for row in rows:
            out.print(json.dumps(row, default=str, ensure_ascii=False), markup=False)
        return
    table = Table("key id", "agency", "role", "label", "created", "expires", "state", "last used")
    for r in rows:
        table.add_row(r["key_id"], r["agency_code"], r["role"], r["label"], _when(r["created_at"]), _when(r["expires_at"]),
                      r["state"], _when(r["last_used_at"]))
    out.print(table)


@key_app.command("revoke")
def key_revoke(
    key_id: Annotated[str, typer.Argument(help="key id from `pantau agency key list`")],
    reason: Annotated[str, typer.Option("--reason", help="why (kept in the audit log)")] = "",
) -> None:
    """Revoke a key at once; requests with it get 401 from then on."""
    from pantau.errors import OperatorError

    async def work(keys):
        try:
            return await keys.revoke(key_id, reason)
        except KeyError:
            raise OperatorError(f"no key {key_id} — see `pantau agency key list --all`") from None

    doc = _with_store(work)
    err.print(f"key {key_id} of {doc['agency_code']} revoked")


@key_app.command("rotate")
def key_rotate(
    key_id: Annotated[str, typer.Argument(help="key id from `pantau agency key list`")],
    grace: Annotated[str, typer.Option("--grace", help="how long the old key keeps working, e.g. 7d; 0: stops now")] = "0",
) -> None:
    """Issue a new key for the same agency, role and label and retire the old one (after --grace)."""
    from pantau.errors import OperatorError
    from services.notify.domain.durations import parse_duration

    try:
        overlap = parse_duration(grace)
    except ValueError as exc:
        raise OperatorError(f"--grace: {exc}") from None

    async def work(keys):
        try:
            return await keys.rotate(key_id, overlap)
        except KeyError:
            raise OperatorError(f"no key {key_id} — see `pantau agency key list --all`") from None
        except ValueError as exc:
            raise OperatorError(str(exc)) from None

    key, new, old = _with_store(work)
    when = f"keeps working until {_when(old.get('expires_at'))} UTC" if old.get("expires_at") and not old.get("revoked") else "is revoked"
    err.print(f"key {key_id} {when}; new key {new['_id']} for {new['agency_code']} (role {new['role']}), shown once:")
    out.print(key, markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(routes_app, name="routes")
    app.add_typer(agency_app, name="agency")
