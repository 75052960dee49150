"""How a process reaches the broker: its principal's credentials as aiokafka options.

Apart from ``shared.kafka`` so that the CLI's quick commands do not import faust.
"""
from __future__ import annotations

from shared.kafka_access import ADMIN, SCRAM_MECHANISM
from shared.settings import Settings


def credentials(settings: Settings) -> tuple[str, str] | None:
    """(username, password) for the internal SASL/SCRAM listener: this process's own principal
    (``PANTAU_KAFKA_USERNAME``/``_PASSWORD``, each service has one), else the local stack's admin
    principal (the operator's `pantau` commands), else None (a broker without authentication)."""
    if settings.kafka_username:
        return settings.kafka_username, settings.kafka_password
    admin = settings.kafka_secrets_dir / ADMIN
    if admin.exists():
        return ADMIN, admin.read_text().strip()
    return None


def client_options(settings: Settings, login: tuple[str, str] | None = None) -> dict:
    """aiokafka keyword arguments reaching the internal listener as this process's principal (or
    as ``login``)."""
    found = login or credentials(settings)
    if found is None:
        return {"bootstrap_servers": settings.kafka_bootstrap_servers}
    return {"bootstrap_servers": settings.kafka_bootstrap_servers, "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": SCRAM_MECHANISM, "sasl_plain_username": found[0], "sasl_plain_password": found[1]}
