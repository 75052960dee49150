"""Directory of institutions and their contacts, loaded from ``config/agencies.yaml``.

No institution is named in code: the employing agencies, BKN's neutrality desk, Bawaslu (national
and provincial), Komdigi and whoever takes their duties next are all directory entries. Entries are
either explicit (``agencies:``, with the central institutions kept in the file ``include:`` names)
or patterns (``patterns:``) so that e.g. ``BAWASLU-33`` or ``PEMKAB-3301`` resolve without listing
all 552 regional governments. An explicit entry may carry ``aliases``: the codes it had before a
rename (``KOMINFO`` for ``KOMDIGI``), so registries written before the rename still resolve.
"""
from __future__ import annotations

import re
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

AgencyKind = Literal[
    "ministry",
    "agency",
    "province",
    "regency",
    "city",
    "neutrality_supervisor",
    "election_supervisor",
    "content_regulator",
    "other",
]
AgencyLevel = Literal["central", "regional"]

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookContact(_Strict):
    url: str = Field(pattern=r"^https?://")
    # Name of the environment variable that holds the HMAC secret; secrets never live in YAML.
    secret_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")


class Contacts(_Strict):
    email: list[str] = Field(default_factory=list)
    webhook: WebhookContact | None = None

    @field_validator("email")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        for addr in value:
            if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", addr):
                raise ValueError(f"invalid e-mail address {addr!r}")
        return value


class Agency(_Strict):
    code: str
    name: str = Field(min_length=1)  # Bahasa Indonesia, shown to people
    kind: AgencyKind = "other"
    level: AgencyLevel = "central"
    province: str = ""  # Kemendagri code, e.g. "33"
    regency: str = ""  # e.g. "33.74"
    role: str = ""  # what this institution does in the handling chain (Indonesian)
    contacts: Contacts = Field(default_factory=Contacts)
    aliases: list[str] = Field(default_factory=list)  # former codes that resolve to this entry


class AgencyPattern(_Strict):
    """A family of codes, e.g. ``BAWASLU-(?P<province>\\d{2})`` or ``PEMKAB-(?P<regency>\\d{4})``.

    Template fields usable in ``name``/``role``/contacts: the named groups, ``{province_name}``,
    and for 4-digit regency groups ``{province}`` (first two digits) and ``{regency_dotted}``.
    """

    code: str
    name: str
    kind: AgencyKind = "other"
    level: AgencyLevel = "central"
    role: str = ""
    contacts: Contacts = Field(default_factory=Contacts)

    @field_validator("code")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid code pattern {value!r}: {exc}") from exc
        return value


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def _fill(template: str, fields: dict[str, str]) -> str:
    try:
        return template.format_map(_SafeDict(fields))
    except KeyError as exc:
        raise ValueError(f"template {template!r} uses unknown field {exc}") from exc


class AgencyDirectory(_Strict):
    version: int = 1
    provinces: dict[str, str] = Field(default_factory=dict)  # Kemendagri code -> name
    agencies: list[Agency] = Field(default_factory=list)
    patterns: list[AgencyPattern] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_codes(self) -> "AgencyDirectory":
        seen: set[str] = set()
        for agency in self.agencies:
            for code in (agency.code, *agency.aliases):
                if not _CODE_RE.match(code):
                    raise ValueError(f"agency code {code!r} must be uppercase ASCII, digits and '-'")
                if code in seen:
                    raise ValueError(f"agency code {code!r} is listed twice")
                seen.add(code)
            if agency.province and self.provinces and agency.province not in self.provinces:
                raise ValueError(f"agency {agency.code}: unknown province code {agency.province!r}")
        for code in self.provinces:
            if not re.match(r"^\d{2}$", code):
                raise ValueError(f"province code {code!r} must be two digits (Kemendagri)")
        return self

    @cached_property
    def _by_code(self) -> dict[str, Agency]:
        return {code: a for a in self.agencies for code in (a.code, *a.aliases)}

    def resolve(self, code: str) -> Agency | None:
        """The directory entry for ``code``: explicit entries (and their aliases) first, then the
        first pattern."""
        if not code:
            return None
        found = self._by_code.get(code)
        if found is not None:
            return found
        for pattern in self.patterns:
            m = re.fullmatch(pattern.code, code)
            if not m:
                continue
            fields = {k: v for k, v in m.groupdict().items() if v is not None}
            if "regency" in fields and len(fields["regency"]) == 4:
                fields.setdefault("province", fields["regency"][:2])
                fields["regency_dotted"] = f"{fields['regency'][:2]}.{fields['regency'][2:]}"
            province = fields.get("province", "")
            fields["province_name"] = self.provinces.get(province, province)
            fields["code"] = code
            contacts = Contacts(
                email=[_fill(e, fields) for e in pattern.contacts.email],
                webhook=(
                    WebhookContact(
                        url=_fill(pattern.contacts.webhook.url, fields),
                        secret_env=pattern.contacts.webhook.secret_env,
                    )
                    if pattern.contacts.webhook
                    else None
                ),
            )
            return Agency(
                code=code,
                name=_fill(pattern.name, fields),
                kind=pattern.kind,
                level=pattern.level,
                province=province,
                regency=fields.get("regency_dotted", ""),
                role=_fill(pattern.role, fields),
                contacts=contacts,
            )
        return None

    def province_name(self, code: str) -> str:
        return self.provinces.get(code, code)
