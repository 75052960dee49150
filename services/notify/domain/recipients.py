"""Turn a receiver's integrations into concrete targets for one group's labels.

Receivers name recipients by directory code templates (``"{agency}"``, ``"BAWASLU-{province}"``,
``"BKN"``); the contact (webhook URL and secret variable, e-mail addresses) comes from
``config/agencies.yaml``. A target that cannot be resolved is returned as ``Unresolved`` so the
dispatcher records it as a failure operators can see, instead of silently dropping it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Mapping

from .agencies import Agency, AgencyDirectory
from .routing import EmailIntegration, KafkaIntegration, Receiver, WebhookIntegration, render


@dataclass(frozen=True)
class Target:
    integration: str  # "employing-agency/webhook0"
    kind: Literal["webhook", "email", "kafka"]
    receiver: str
    recipient_code: str = ""  # directory code, e.g. "PEMKOT-3374", "BAWASLU-33"
    recipient_name: str = ""
    url: str | None = None
    secret_env: str | None = None
    emails: tuple[str, ...] = ()
    topic: str | None = None
    key: str | None = None
    timeout: timedelta = timedelta(seconds=10)
    max_items: int = 50


@dataclass(frozen=True)
class Unresolved:
    integration: str
    kind: str
    receiver: str
    reason: str  # English, for operators


def _lookup(
    code_template: str, fallback: str | None, labels: Mapping[str, str], directory: AgencyDirectory,
    want: Literal["webhook", "email"],
) -> tuple[Agency | None, list[str]]:
    tried: list[str] = []
    for template in (code_template, fallback):
        if not template:
            continue
        code = render(template, labels)
        tried.append(code)
        agency = directory.resolve(code)
        if agency is None:
            continue
        if want == "webhook" and agency.contacts.webhook is not None:
            return agency, tried
        if want == "email" and agency.contacts.email:
            return agency, tried
    return None, tried


def resolve_targets(
    receiver: Receiver, labels: Mapping[str, str], directory: AgencyDirectory
) -> list[Target | Unresolved]:
    out: list[Target | Unresolved] = []
    for integration, cfg in receiver.integrations():
        if isinstance(cfg, WebhookIntegration):
            if cfg.url:
                out.append(Target(integration, "webhook", receiver.name, url=render(cfg.url, labels),
                                  secret_env=cfg.secret_env, timeout=cfg.timeout, max_items=cfg.max_items))
                continue
            agency, tried = _lookup(cfg.to or "", receiver.fallback_to, labels, directory, "webhook")
            if agency is None:
                out.append(Unresolved(integration, "webhook", receiver.name,
                                      f"no webhook contact in agencies.yaml for {' or '.join(tried) or '?'}"))
                continue
            hook = agency.contacts.webhook
            assert hook is not None
            out.append(Target(integration, "webhook", receiver.name, agency.code, agency.name,
                              url=hook.url, secret_env=cfg.secret_env or hook.secret_env,
                              timeout=cfg.timeout, max_items=cfg.max_items))
        elif isinstance(cfg, EmailIntegration):
            emails = [render(a, labels) for a in cfg.addresses]
            code, name = "", ""
            if cfg.to:
                agency, tried = _lookup(cfg.to, receiver.fallback_to, labels, directory, "email")
                if agency is not None:
                    emails.extend(agency.contacts.email)
                    code, name = agency.code, agency.name
                elif not emails:
                    out.append(Unresolved(integration, "email", receiver.name,
                                          f"no e-mail contact in agencies.yaml for {' or '.join(tried) or '?'}"))
                    continue
            out.append(Target(integration, "email", receiver.name, code, name,
                              emails=tuple(dict.fromkeys(emails)), max_items=cfg.max_items))
        elif isinstance(cfg, KafkaIntegration):
            out.append(Target(integration, "kafka", receiver.name, topic=cfg.topic,
                              key=render(cfg.key, labels), max_items=cfg.max_items))
    return out
