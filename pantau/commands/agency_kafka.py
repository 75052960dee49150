"""``pantau agency kafka create|list|revoke|rotate``: agencies' credentials for their own topic.

Run as the operator's admin principal (the local stack's, or ``PANTAU_KAFKA_USERNAME`` /
``_PASSWORD`` of an admin). The password is printed once, by ``create`` and ``rotate``, and never
stored by us.
"""
from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from pantau.commands.notify import ConfigDir, _load, _when, agency_app

__all__ = ["register"]

kafka_app = typer.Typer(help="Agencies' credentials for their own Kafka topic (SASL/SCRAM over TLS).",
                        no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _with_access(work):
    """Run ``work(AgencyKafka, stack)`` against the store and the broker (both checked reachable first)."""
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient

    from pantau.agency_kafka import AgencyKafka
    from pantau.errors import require_kafka, require_store
    from pantau.localstack import LocalStack
    from shared.kafka_client import client_options
    from shared.mongo import connect
    from shared.settings import get_settings

    settings = get_settings()
    require_store(settings)
    require_kafka(settings)

    async def run():
        client, db = connect(settings)
        admin = AIOKafkaAdminClient(**client_options(settings))
        try:
            await admin.start()
            return await work(AgencyKafka(db, admin), LocalStack(settings))
        finally:
            await admin.close()
            await client.close()

    return asyncio.run(run())


def _print_once(created, stack, as_json: bool, what: str) -> None:
    from pantau.agency_kafka import connection

    access, password, doc = created
    info = connection(access, password, stack.external_bootstrap, str(stack.ca_file))
    err.print(f"{what} {doc['_id']} for {doc['agency_code']}; the password is shown once, store it now:")
    if as_json:
        out.print(json.dumps(info), markup=False, highlight=False)
    else:
        for name, value in info.items():
            out.print(f"{name}: {value}", markup=False, highlight=False)


@kafka_app.command("create")
def kafka_create(
    code: Annotated[str, typer.Argument(help="agency code, e.g. PEMKOT-3374")],
    label: Annotated[str, typer.Option("--label", help="who holds the credential (free text)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object: bootstrap, security_protocol, "
                                          "sasl_mechanism, username, password, topic, group_prefix, ca_file")] = False,
    config_dir: ConfigDir = None,
) -> None:
    """Create a Kafka credential for CODE (an agency in agencies.yaml) that reads only its own topic;
    print everything a client needs, the password ONCE."""
    from pantau.errors import OperatorError
    from services.agency_api.auth import check_agency

    code = code.strip().upper()
    try:
        filed_under = check_agency(code, _load(config_dir).directory)
    except ValueError as exc:
        raise OperatorError(str(exc)) from None
    if filed_under != code:
        err.print(f"{code} is now filed as {filed_under} (agencies.yaml aliases): the credential is for {filed_under}")

    async def work(kafka, stack):
        return await kafka.create(filed_under, label), stack

    created, stack = _with_access(work)
    _print_once(created, stack, as_json, "credential")


@kafka_app.command("list")
def kafka_list(
    agency: Annotated[Optional[str], typer.Option("--agency", help="only this agency code")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="also revoked credentials")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the agencies' Kafka credentials (never a password): id, agency, username, topic, state."""
    async def work(kafka, _stack):
        return await kafka.list(agency.strip().upper() if agency else None)

    rows = [{"credential_id": d["_id"], "agency_code": d["agency_code"], "username": d["username"],
             "topic": d["topic"], "group_prefix": d["group_prefix"], "label": d.get("label", ""),
             "created_at": d.get("created_at"), "revoked_at": d.get("revoked_at"),
             "rotated_to": d.get("rotated_to"), "state": "revoked" if d.get("revoked") else "active"}
            for d in _with_access(work) if show_all or not d.get("revoked")]
    if as_json:
        for row in rows:
            out.print(json.dumps(row, default=str), markup=False, highlight=False)
        return
    table = Table("credential id", "agency", "username", "topic", "label", "created", "state")
    for r in rows:
        table.add_row(r["credential_id"], r["agency_code"], r["username"], r["topic"], r["label"],
                      _when(r["created_at"]), r["state"])
    out.print(table)


@kafka_app.command("revoke")
def kafka_revoke(
    credential_id: Annotated[str, typer.Argument(help="credential id from `pantau agency kafka list`")],
    reason: Annotated[str, typer.Option("--reason", help="why (kept in the audit log)")] = "",
) -> None:
    """Revoke a credential: its ACLs go at once (open connections lose access), then its password."""
    from pantau.errors import OperatorError

    async def work(kafka, _stack):
        try:
            return await kafka.revoke(credential_id.strip(), reason)
        except KeyError:
            raise OperatorError(f"no Kafka credential {credential_id} — see `pantau agency kafka list --all`") from None

    doc = _with_access(work)
    err.print(f"Kafka credential {credential_id} of {doc['agency_code']} ({doc['username']}) revoked")


@kafka_app.command("rotate")
def kafka_rotate(
    credential_id: Annotated[str, typer.Argument(help="credential id from `pantau agency kafka list`")],
    as_json: Annotated[bool, typer.Option("--json", help="the new credential as one JSON object")] = False,
) -> None:
    """Issue a new credential for the same agency and revoke the old one; print the new one ONCE.
    For a switch without a gap, `create` a second credential, move the consumer, then `revoke`."""
    from pantau.errors import OperatorError

    async def work(kafka, stack):
        try:
            return await kafka.rotate(credential_id.strip()), stack
        except KeyError:
            raise OperatorError(f"no Kafka credential {credential_id} — see `pantau agency kafka list --all`") from None
        except ValueError as exc:
            raise OperatorError(str(exc)) from None

    created, stack = _with_access(work)
    err.print(f"Kafka credential {credential_id} is revoked")
    _print_once(created, stack, as_json, "new credential")


def register(app: typer.Typer) -> None:
    agency_app.add_typer(kafka_app, name="kafka")
