"""Every record that crosses a service boundary, declared once.

Kafka topics carry raw JSON bytes (faust has no pydantic support); each agent validates with
``Model.model_validate_json`` and sends failures to its dead-letter topic. Every model carries a
``schema_version`` so a consumer can tell old payloads from new ones.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

ContentKind = Literal["post", "comment", "share", "like", "follow", "join_group"]
ViolationForm = Literal[
    "social_media_campaign",
    "engagement",
    "partisan_photo",
    "campaign_attendance",
    "party_membership",
    "campaign_team",
    "mobilization",
    "support_letter",
    "official_decision",
    "campaign_props",
    "none",
]
Polarity = Literal["support", "oppose"]
MatchBand = Literal["match", "review"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_aware(value: datetime | str | None) -> datetime | None:
    """A stored moment as an aware datetime: the store gives naive UTC back, page rows ISO strings."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def content_id_for(source: str, external_id: str) -> str:
    """Deterministic id: the same (source, external_id) is always the same item."""
    digest = hashlib.sha256(f"{source}\x1f{external_id}".encode()).hexdigest()
    return f"ct_{digest[:32]}"


def alert_id_for(nip: str, content_id: str) -> str:
    """One alert per (person, content): the id is the dedup key everywhere."""
    return "al_" + hashlib.sha256(f"{nip}\x1f{content_id}".encode()).hexdigest()[:32]


def evidence_hash(raw: bytes) -> str:
    """SHA-256 over the bytes exactly as received, so evidence can be re-verified later."""
    return hashlib.sha256(raw).hexdigest()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class RecordLimits:
    """What one content record may hold (checked at ingest, both doors, with the field named).

    Generous for real posts and articles, bounded so one record can never stall a stage or exceed
    the broker's 1 MiB message limit once classification and match results travel with it.
    Longer text is refused, not truncated: evidence is kept exactly as received or not at all.
    """

    RECORD_BYTES = 400_000  # the record's JSON as sent
    TEXT_CHARS = 300_000  # a long article; classified in a bounded window (classify's config)
    FIELD_CHARS = 20_000  # each media caption and OCR text, target.text, author.bio
    MEDIA_ITEMS = 20
    LABELS = 50
    LABEL_CHARS = 100
    HANDLE_CHARS = 100
    NAME_CHARS = 200
    URL_CHARS = 2_048
    EXTRA_BYTES = 20_000
    EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)


class Author(_Frozen):
    handle: str | None = Field(None, max_length=RecordLimits.HANDLE_CHARS)
    display_name: str | None = Field(None, max_length=RecordLimits.NAME_CHARS)
    bio: str | None = Field(None, max_length=RecordLimits.FIELD_CHARS)


class Target(_Frozen):
    handle: str | None = Field(None, max_length=RecordLimits.HANDLE_CHARS)
    text: str | None = Field(None, max_length=RecordLimits.FIELD_CHARS)


class Media(_Frozen):
    type: Literal["image", "video"]
    caption: str | None = Field(None, max_length=RecordLimits.FIELD_CHARS)
    ocr_text: str | None = Field(None, max_length=RecordLimits.FIELD_CHARS)
    labels: list[Annotated[str, Field(max_length=RecordLimits.LABEL_CHARS)]] = Field(
        default_factory=list, max_length=RecordLimits.LABELS)


class ContentRecord(_Frozen):
    """Content record v1: the external contract on ``pantau.content.submitted.v1``.

    Unknown top-level fields are refused with their name (a misspelt ``txt`` would otherwise be
    accepted and never classified); what an upstream system wants to carry along goes in ``extra``.
    """

    source: str = Field(min_length=1, max_length=64)
    external_id: str = Field(min_length=1, max_length=512)
    url: str | None = Field(None, max_length=RecordLimits.URL_CHARS)
    kind: ContentKind = "post"
    text: str = Field("", max_length=RecordLimits.TEXT_CHARS)
    author: Author = Field(default_factory=Author)
    target: Target | None = None
    media: list[Media] = Field(default_factory=list, max_length=RecordLimits.MEDIA_ITEMS)
    published_at: AwareDatetime | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("source")
    @classmethod
    def _lower_source(cls, value: str) -> str:
        value = value.strip().lower()
        if not value:
            raise ValueError("must name the channel (x, facebook, news, ...), not be blank")
        return value

    @field_validator("external_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must be the item's id on its channel, not blank")
        return value

    @field_validator("published_at", mode="before")
    @classmethod
    def _iso_only(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError("give an ISO 8601 date-time with its offset, e.g. 2024-01-10T08:15:00+07:00 "
                             "(numbers are ambiguous: seconds or milliseconds)")
        return value

    @field_validator("published_at")
    @classmethod
    def _plausible(cls, value: datetime | None) -> datetime | None:
        if value is not None and not (RecordLimits.EARLIEST <= value <= utcnow() + timedelta(days=1)):
            raise ValueError(f"{value.isoformat()} is outside the plausible range "
                             f"{RecordLimits.EARLIEST.date().isoformat()} .. tomorrow")
        return value

    @field_validator("extra")
    @classmethod
    def _small_extra(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:  # the usual case, and "{}" is always small: no serialising on every record
            return value
        size = len(json.dumps(value, ensure_ascii=False, default=str).encode())
        if size > RecordLimits.EXTRA_BYTES:
            raise ValueError(f"{size} bytes, more than the {RecordLimits.EXTRA_BYTES} allowed")
        return value

    @property
    def content_id(self) -> str:
        return content_id_for(self.source, self.external_id)

    @property
    def reported(self) -> bool:
        """A person reported this post through a public-report channel (``extra.report_channel`` names it;
        ``source`` stays the post's platform): classify passes it on to match whatever it finds, so an analyst
        decides, and the analyst's verdict on what the classifier missed becomes a training example."""
        return bool(self.extra.get("report_channel"))


class Evidence(_Frozen):
    """What decided a classification: the matched words, hashtags, accounts or captions."""

    cue: str  # e.g. "support_verb", "hashtag", "campaign_account", "gesture", "negation"
    text: str  # the words as they appeared
    field: str = "text"  # text | hashtag | author.bio | target.handle | media[0].caption ...
    contestant: str | None = None
    weight: float = 0.0
    span: tuple[int, int] | None = None


class Stance(_Frozen):
    contestant: str
    polarity: Polarity
    score: float = Field(ge=0.0, le=1.0)


class Classification(_Frozen):
    partisan: bool
    score: float = Field(ge=0.0, le=1.0)
    stance: list[Stance] = Field(default_factory=list)
    form: ViolationForm = "none"
    evidence: list[Evidence] = Field(default_factory=list)
    model_version: str


class FeatureExplanation(_Frozen):
    feature: str  # nip_exact, handle_exact, name_similarity, agency_corroboration, ...
    score: float
    detail: str
    query_value: str | None = None
    candidate_value: str | None = None


class Subject(_Frozen):
    """The registry facts about a matched civil servant that an agency needs to act."""

    nip: str
    name: str
    agency_code: str
    agency_name: str
    unit: str = ""
    position: str = ""
    province_code: str = ""
    regency_code: str = ""


class Match(_Frozen):
    nip: str
    band: MatchBand
    score: float = Field(ge=0.0, le=1.0)
    explanation: list[FeatureExplanation]
    subject: Subject | None = None
    # Who wrote the content (``x:handle`` or ``name:<normalised>``): with the NIP, the key of a
    # reviewer's "not this person" judgement, which keeps this pairing from matching again.
    author_key: str = ""


SCHEMA_VERSION = 1


class ContentAccepted(_Frozen):
    """ingest -> classify: a validated, stored, de-duplicated content item."""

    schema_version: Literal[1] = 1
    content_id: str
    evidence_sha256: str
    received_at: datetime
    record: ContentRecord
    raw: str | None = None  # the record's bytes as received (UTF-8): classify stores them as evidence if partisan


class ContentClassified(_Frozen):
    """classify -> match: only partisan items travel on; all results are stored."""

    schema_version: Literal[1] = 1
    content_id: str
    evidence_sha256: str
    record: ContentRecord
    classification: Classification


class ContentMatched(_Frozen):
    """match -> notify: a partisan item linked to one or more registry people."""

    schema_version: Literal[1] = 1
    content_id: str
    evidence_sha256: str
    record: ContentRecord
    classification: Classification
    matches: list[Match]
    registry_version: str


class AlertContent(_Frozen):
    content_id: str
    source: str
    external_id: str
    url: str | None = None
    kind: ContentKind
    excerpt: str
    published_at: datetime | None = None
    evidence_sha256: str


class Alert(_Frozen):
    """The value on ``pantau.alerts.v1`` (keyed by ``agency_code``): one per (NIP, content).

    ``status`` is always "suspected": an automated suspicion awaiting an analyst. What an employing
    agency should act on is the verified, forwarded case (``pantau.notifications.v1``, webhooks,
    e-mail, the agency API), never this feed alone.
    """

    schema_version: Literal[1] = 1
    alert_id: str
    agency_code: str
    status: Literal["suspected"] = "suspected"
    summary: str  # Bahasa Indonesia, for the people who must act
    subject: Subject
    content: AlertContent
    classification: Classification
    match: Match
    registry_version: str
    # Where this suspicion goes first (routes for event "suspected"; path and the reasons they fired).
    route: list[str] = Field(default_factory=list)
    # From the SKB 2022 table: what the act can lead to if proven, and on what legal basis (Indonesian).
    severity: str | None = None
    discipline: str | None = None
    legal_basis: list[str] = Field(default_factory=list)
    case_url: str | None = None
    created_at: datetime


class DeadLetter(_Frozen):
    """A record a stage could not process, with enough context to fix and replay it."""

    schema_version: Literal[1] = 1
    stage: str
    source_topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    error_type: str  # invalid_json | validation | processing
    reason: str
    fields: list[str] = Field(default_factory=list)
    raw: str  # the original value, decoded as UTF-8 with replacement
    failed_at: datetime = Field(default_factory=utcnow)


REGISTRY_CSV_HEADER = (
    "nip,name,birth_date,gender,agency_code,agency_name,unit,position,"
    "province_code,regency_code,handles"
).split(",")


class Handle(_Frozen):
    platform: str  # x, instagram, facebook, tiktok, youtube ...
    handle: str  # as written in the registry; normalise before comparing


class RegistryPerson(_Frozen):
    """One row of the ASN registry CSV (header ``REGISTRY_CSV_HEADER``), after parsing."""

    nip: str = Field(pattern=r"^\d{18}$")
    name: str = Field(min_length=1)
    birth_date: date
    gender: Literal["M", "F"]
    agency_code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9\-]*$")
    agency_name: str
    unit: str = ""
    position: str = ""
    province_code: str = ""
    regency_code: str = ""
    handles: list[Handle] = Field(default_factory=list)

    def subject(self) -> Subject:
        return Subject(
            nip=self.nip,
            name=self.name,
            agency_code=self.agency_code,
            agency_name=self.agency_name,
            unit=self.unit,
            position=self.position,
            province_code=self.province_code,
            regency_code=self.regency_code,
        )


def describe_validation_error(exc: ValidationError) -> tuple[str, list[str]]:
    """A reason that names each bad field and why, e.g. ``external_id: Field required``."""
    fields, parts = [], []
    for error in exc.errors():
        location = ".".join(str(p) for p in error.get("loc", ())) or "(record)"
        fields.append(location)
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts), fields
