"""Webhook signing secrets: which variables the configuration needs, and reading one.

A secret is the environment variable ``agencies.yaml``/``routes.yaml`` name in ``secret_env``, or,
for Compose/Kubernetes secrets mounted as files, ``<NAME>_FILE`` holding the path of a file with the
secret. ``pantau check-config`` lists every needed variable that is missing, so a deployment
without a receiver's secret is refused before the first notification fails.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def read_secret(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The secret in ``$NAME``, else in the file ``$NAME_FILE`` names (trailing newline removed)."""
    env = os.environ if environ is None else environ
    value = env.get(name)
    if value:
        return value
    path = env.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n") or None
        except OSError:
            return None
    return None


def required_secrets(config) -> dict[str, list[str]]:
    """``secret_env`` name -> where it is used, for every webhook the routes can send to.

    A receiver's webhook with a fixed ``url`` needs its own ``secret_env``; one addressed ``to`` an
    agency uses the agency's contact (explicit entries and patterns), unless the integration
    overrides the variable.
    """
    needed: dict[str, list[str]] = {}
    uses_directory = False
    for receiver in config.receivers.values():
        for integration, cfg in receiver.integrations():
            if not integration.split("/")[-1].startswith("webhook"):
                continue
            if cfg.secret_env:
                needed.setdefault(cfg.secret_env, []).append(f"receiver {integration}")
            elif not cfg.url:
                uses_directory = True
    if uses_directory:
        for agency in config.directory.agencies:
            hook = agency.contacts.webhook
            if hook is not None and hook.secret_env:
                needed.setdefault(hook.secret_env, []).append(f"agency {agency.code}")
        for pattern in config.directory.patterns:
            hook = pattern.contacts.webhook
            if hook is not None and hook.secret_env:
                needed.setdefault(hook.secret_env, []).append(f"agency pattern {pattern.code}")
    return needed


def missing_secrets(config, environ: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    return {name: where for name, where in required_secrets(config).items() if not read_secret(name, environ)}
