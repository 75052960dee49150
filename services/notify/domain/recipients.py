"""Turn a receiver's integrations into concrete targets for one group's labels.

Receivers name recipients by directory code templates (``"{agency}"``, ``"BAWASLU-{province}"``,
``"BKN"``); the contact (webhook URL and secret variable, e-mail addresses) comes from
``config/agencies.yaml``. A receiver's ``fallback_to`` takes over when the code does not resolve or
its entry has no contact at all (an employing agency that has not agreed one yet); the target then
carries a ``note`` in Indonesian saying so, which the message shows. A target that still cannot be
resolved is returned as ``Unresolved`` so the dispatcher records it as a failure operators can see,
instead of silently dropping it.
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
    note: str = ""  # Indonesian, shown in the message: why a fallback recipient receives it


@dataclass(frozen=True)
class Unresolved:
    integration: str
    kind: str
    receiver: str
    reason: str  # English, for operators


def _has(agency: Agency, want: Literal["webhook", "email"]) -> bool:
    return agency.contacts.webhook is not None if want == "webhook" else bool(agency.contacts.email)


def _fallback_note(code: str, primary: Agency | None, fallback: Agency) -> str:
    """Why ``fallback`` receives a message meant for ``code`` (Indonesian, shown to people)."""
    if primary is None:
        why = f"Kode instansi {code or '(kosong)'} tidak terdapat dalam direktori instansi Pantau Netral"
    else:
        why = f"{primary.name} ({primary.code}) belum memiliki kontak yang disepakati untuk menerima pemberitahuan"
    return f"{why}; pesan ini dikirim kepada {fallback.name} sebagai penerima pengganti untuk diteruskan."


def _lookup(
    code_template: str, fallback: str | None, labels: Mapping[str, str], directory: AgencyDirectory,
    want: Literal["webhook", "email"],
) -> tuple[Agency | None, list[str], str]:
    """(agency, codes tried, note): the fallback is tried only when the code does not resolve or
    its entry has no contact at all; one with an e-mail but no webhook is not redirected."""
    code = render(code_template, labels)
    primary = directory.resolve(code)
    if primary is not None and _has(primary, want):
        return primary, [code], ""
    tried = [code]
    has_any = primary is not None and (_has(primary, "webhook") or _has(primary, "email"))
    if fallback and not has_any:
        other = render(fallback, labels)
        tried.append(other)
        agency = directory.resolve(other)
        if agency is not None and _has(agency, want):
            return agency, tried, _fallback_note(code, primary, agency)
    return None, tried, ""


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
            agency, tried, note = _lookup(cfg.to or "", receiver.fallback_to, labels, directory, "webhook")
            if agency is None:
                out.append(Unresolved(integration, "webhook", receiver.name,
                                      f"no webhook contact in agencies.yaml for {' or '.join(tried) or '?'}"))
                continue
            hook = agency.contacts.webhook
            assert hook is not None
            out.append(Target(integration, "webhook", receiver.name, agency.code, agency.name,
                              url=hook.url, secret_env=cfg.secret_env or hook.secret_env,
                              timeout=cfg.timeout, max_items=cfg.max_items, note=note))
        elif isinstance(cfg, EmailIntegration):
            emails = [render(a, labels) for a in cfg.addresses]
            code, name, note = "", "", ""
            if cfg.to:
                agency, tried, note = _lookup(cfg.to, receiver.fallback_to, labels, directory, "email")
                if agency is not None:
                    emails.extend(agency.contacts.email)
                    code, name = agency.code, agency.name
                elif not emails:
                    out.append(Unresolved(integration, "email", receiver.name,
                                          f"no e-mail contact in agencies.yaml for {' or '.join(tried) or '?'}"))
                    continue
            out.append(Target(integration, "email", receiver.name, code, name,
                              emails=tuple(dict.fromkeys(emails)), max_items=cfg.max_items, note=note))
        elif isinstance(cfg, KafkaIntegration):
            out.append(Target(integration, "kafka", receiver.name, topic=cfg.topic,
                              key=render(cfg.key, labels), max_items=cfg.max_items))
    return out
