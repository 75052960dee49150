"""Severity and legal basis from the SKB 2022 table (``config/sanctions.yaml``).

For every violation form the table gives the discipline level a PPK may impose if the breach is
proven (PP 94/2021: ``sedang``, ``berat``; dismissal ``ptdh`` for party membership under the ASN
law), the ethics sanction (sanksi moral under PP 42/2004, where the SKB lists one), and the legal
basis written in Indonesian. The alert's ``severity`` label is derived from the discipline level.
"""
from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.schemas import ViolationForm

DisciplineLevel = Literal["ringan", "sedang", "berat", "ptdh", "none"]
Severity = Literal["critical", "high", "medium", "low"]

DISCIPLINE_ID = {
    "ringan": "hukuman disiplin ringan",
    "sedang": "hukuman disiplin sedang",
    "berat": "hukuman disiplin berat",
    "ptdh": "pemberhentian tidak dengan hormat (PTDH)",
    "none": "tidak ada hukuman disiplin",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FormSanction(_Strict):
    label: str = Field(min_length=1)  # Indonesian description of the form, used in summaries
    skb_items: list[int] = Field(default_factory=list)  # row numbers in SKB 2022 Lampiran II
    discipline: DisciplineLevel
    discipline_note: str = ""  # e.g. the sanction types PP 94/2021 Pasal 8 lists for the level
    ethics: str | None = None  # e.g. "sanksi moral (PP 42/2004 Pasal 15)"; None when the SKB lists none
    legal_basis: list[str] = Field(min_length=1)  # Indonesian citations

    @property
    def legal_basis_text(self) -> str:
        return "; ".join(self.legal_basis)


class SanctionInfo(_Strict):
    """What every alert carries about the possible consequence, if the suspicion is proven."""

    form: str
    form_label: str
    skb_items: list[int]
    discipline: DisciplineLevel
    discipline_label: str
    discipline_note: str
    ethics: str | None
    severity: Severity
    legal_basis: list[str]
    legal_basis_text: str
    table_version: str


class SanctionTable(_Strict):
    version: str = Field(min_length=1)  # e.g. "SKB-2022-Lampiran-II"
    source: str = ""
    severity_by_discipline: dict[DisciplineLevel, Severity]
    forms: dict[ViolationForm, FormSanction]

    @model_validator(mode="after")
    def _complete(self) -> "SanctionTable":
        missing_forms = sorted(set(get_args(ViolationForm)) - set(self.forms))
        if missing_forms:
            raise ValueError(f"sanctions table lacks violation forms: {', '.join(missing_forms)}")
        used = {f.discipline for f in self.forms.values()}
        missing_levels = sorted(used - set(self.severity_by_discipline))
        if missing_levels:
            raise ValueError(f"severity_by_discipline lacks levels: {', '.join(missing_levels)}")
        return self

    def for_form(self, form: str) -> SanctionInfo:
        entry = self.forms.get(form)  # type: ignore[call-overload]
        if entry is None:
            raise KeyError(f"unknown violation form {form!r}")
        return SanctionInfo(
            form=form,
            form_label=entry.label,
            skb_items=list(entry.skb_items),
            discipline=entry.discipline,
            discipline_label=DISCIPLINE_ID[entry.discipline],
            discipline_note=entry.discipline_note,
            ethics=entry.ethics,
            severity=self.severity_by_discipline[entry.discipline],
            legal_basis=list(entry.legal_basis),
            legal_basis_text=entry.legal_basis_text,
            table_version=self.version,
        )

    def label(self, form: str | None) -> str:
        """The form as people read it, in Indonesian (codes such as ``party_membership`` are for machines)."""
        if not form:
            return "tidak ada"
        entry = self.forms.get(form)  # type: ignore[call-overload]
        return entry.label if entry else form  # a code this table does not know is shown as it is

    def labels(self) -> dict[str, str]:
        """Every form with its label, in the table's order (for filters)."""
        return {form: entry.label for form, entry in self.forms.items() if form != "none"}

    def severity(self, form: str) -> Severity:
        return self.for_form(form).severity
