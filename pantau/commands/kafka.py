"""``pantau kafka setup|certs``: the broker's side of a Compose deployment (the local stack does both
itself at `pantau infra up`)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["register"]

kafka_app = typer.Typer(help="The broker's access: the services' principals, ACLs and topics; its TLS certificate.",
                        no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)


@kafka_app.command("setup")
def kafka_setup() -> None:
    """As the admin principal (PANTAU_KAFKA_USERNAME/_PASSWORD): give each service its principal, with the
    password in PANTAU_KAFKA_PASSWORD_<SERVICE> (INGEST, CLASSIFY, MATCH, NOTIFY, DISPATCHER), and only
    the ACLs it needs; create the pipeline's topics. Idempotent (Compose runs it at every start)."""
    import asyncio

    from pantau.errors import OperatorError, require_kafka
    from pantau.kafka_setup import setup_access
    from shared.kafka_access import SERVICES
    from shared.settings import get_settings

    settings = get_settings()
    names = {s: f"PANTAU_KAFKA_PASSWORD_{s.upper()}" for s in SERVICES}
    missing = [env for env in names.values() if not os.environ.get(env)]
    if missing:
        raise OperatorError(f"set {', '.join(missing)}: each service's own Kafka password")
    require_kafka(settings)
    created = asyncio.run(setup_access(settings, None, {s: os.environ[env] for s, env in names.items()}))
    err.print(f"principals and ACLs of {', '.join(SERVICES)} set; {len(created)} topics created")


@kafka_app.command("certs")
def kafka_certs(
    host: Annotated[list[str], typer.Option("--host", help="a name or address agencies connect to (repeatable)")],
    out: Annotated[Path, typer.Option("--out", help="folder for ca.pem (give it to agencies) and broker.pem (key: 0600)")],
) -> None:
    """A CA of your own and a broker certificate for HOST, for the external listener. Bring your own
    instead: put your CA's ca.pem and broker.pem (unencrypted PKCS#8 key, certificate, chain) there."""
    from pantau.tls import ensure_broker_tls

    tls = ensure_broker_tls(out, [*host, "localhost"])
    err.print(f"{tls.ca_file} (for agencies) and {tls.keystore} (the broker's key store)")


def register(app: typer.Typer) -> None:
    app.add_typer(kafka_app, name="kafka")
