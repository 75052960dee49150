"""The label set an alert is routed, silenced, inhibited and grouped on.

Labels (all strings; a missing label is ""):
  event          suspected | forwarded | escalated  (what happened to the case; see cases.py)
  agency         employing agency code (registry ``agency_code``)
  agency_kind    ministry | agency | province | regency | city | ... (from agencies.yaml)
  agency_level   central | regional
  province       Kemendagri province code of the subject ("33")
  regency        Kemendagri regency code ("33.74")
  form           SKB 2022 violation form code
  discipline     ptdh | berat | sedang | ringan | none   (from sanctions.yaml)
  severity       critical | high | medium | low           (from sanctions.yaml)
  contestant     strongest stance's contestant id ("capres-02", "partai-03")
  polarity       support | oppose (of that stance)
  source, kind   content source and kind
  band           match | review (registry match band)
  scope          account (the evidence is the author's profile) | post
  nip, alert_id, content_id   identifiers (grouping/inhibition; masked in logs)
  receiver, recipient  added per delivery target (receiver name, addressee directory code)
                       when silences and flood limits are evaluated
"""
from __future__ import annotations

from typing import Literal, Mapping

from shared.schemas import Alert, Classification

from .agencies import AgencyDirectory
from .severity import SanctionTable

CaseEvent = Literal["suspected", "forwarded", "escalated"]
CASE_EVENTS: tuple[str, ...] = ("suspected", "forwarded", "escalated")

KNOWN_LABELS: frozenset[str] = frozenset(
    {
        "event", "agency", "agency_kind", "agency_level", "province", "regency", "form",
        "discipline", "severity", "contestant", "polarity", "source", "kind", "band", "scope",
        "nip", "alert_id", "content_id", "receiver", "recipient",
    }
)

_ACCOUNT_FIELDS = ("author.", "author")


def _kind_from_code(code: str) -> tuple[str, str]:
    if code.startswith("PEMPROV-"):
        return "province", "regional"
    if code.startswith("PEMKAB-"):
        return "regency", "regional"
    if code.startswith("PEMKOT-"):
        return "city", "regional"
    return "", "central"


def top_stance(classification: Classification) -> tuple[str, str]:
    """The contestant and polarity the alert is about: strongest support, else strongest stance."""
    if not classification.stance:
        return "", ""
    support = [s for s in classification.stance if s.polarity == "support"]
    pool = support or list(classification.stance)
    best = max(pool, key=lambda s: (s.score, s.contestant))
    return best.contestant, best.polarity


def scope_of(classification: Classification) -> str:
    """``account`` when every piece of evidence comes from the author's profile (bio, name):
    the account itself is partisan, so later per-post alerts for that person are repeats."""
    fields = [e.field for e in classification.evidence]
    if fields and all(f.startswith(_ACCOUNT_FIELDS) for f in fields):
        return "account"
    return "post"


def alert_labels(
    alert: Alert,
    directory: AgencyDirectory,
    sanctions: SanctionTable,
    event: str = "suspected",
) -> dict[str, str]:
    subject = alert.subject
    agency = directory.resolve(subject.agency_code)
    kind, level = _kind_from_code(subject.agency_code)
    if agency is not None:
        kind, level = agency.kind, agency.level
    province = subject.province_code or (agency.province if agency else "")
    contestant, polarity = top_stance(alert.classification)
    form = alert.classification.form
    try:
        info = sanctions.for_form(form)
        discipline, severity = info.discipline, info.severity
    except KeyError:
        discipline, severity = "", ""
    return {
        "event": event,
        "agency": subject.agency_code,
        "agency_kind": kind or "other",
        "agency_level": level,
        "province": province,
        "regency": subject.regency_code,
        "form": form,
        "discipline": discipline,
        "severity": severity,
        "contestant": contestant,
        "polarity": polarity,
        "source": alert.content.source,
        "kind": alert.content.kind,
        "band": alert.match.band,
        "scope": scope_of(alert.classification),
        "nip": subject.nip,
        "alert_id": alert.alert_id,
        "content_id": alert.content.content_id,
    }


def with_event(labels: Mapping[str, str], event: str) -> dict[str, str]:
    out = dict(labels)
    out["event"] = event
    return out


def parse_label_args(args: list[str]) -> dict[str, str]:
    """``["agency=PEMKOT-3374", "form=engagement"]`` -> dict (for ``pantau routes test``)."""
    out: dict[str, str] = {}
    for arg in args:
        if "=" not in arg:
            raise ValueError(f"label {arg!r} must be written key=value")
        key, value = arg.split("=", 1)
        key = key.strip()
        if not key:
            raise ValueError(f"label {arg!r} has an empty name")
        out[key] = value.strip().strip('"')
    return out
