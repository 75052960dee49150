"""Social-media handles: per-platform normalisation and profile-URL parsing.

``handle_key("instagram", "https://www.instagram.com/Budi.Santoso88/?hl=id") == "instagram:budi.santoso88"``.
Rules per platform: lower case (all five treat usernames case-insensitively), no leading ``@``, the
username taken from a profile URL, characters outside the platform's username alphabet rejected.
Facebook ignores dots in usernames, so they are dropped; numeric ``profile.php?id=`` ids are kept.
YouTube channel ids (``UC...``) are case-sensitive and kept as written, prefixed ``channel/``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

PLATFORM_ALIASES: dict[str, str] = {
    "x": "x", "twitter": "x", "tw": "x", "x.com": "x", "twitter.com": "x",
    "instagram": "instagram", "ig": "instagram", "insta": "instagram",
    "facebook": "facebook", "fb": "facebook",
    "tiktok": "tiktok", "tt": "tiktok",
    "youtube": "youtube", "yt": "youtube",
}
PLATFORMS = ("x", "instagram", "facebook", "tiktok", "youtube")

_DOMAINS: dict[str, str] = {
    "twitter.com": "x", "x.com": "x", "mobile.twitter.com": "x", "mobile.x.com": "x",
    "instagram.com": "instagram", "instagr.am": "instagram",
    "facebook.com": "facebook", "fb.com": "facebook", "m.facebook.com": "facebook",
    "web.facebook.com": "facebook", "mbasic.facebook.com": "facebook",
    "tiktok.com": "tiktok", "vm.tiktok.com": "tiktok",
    "youtube.com": "youtube", "m.youtube.com": "youtube",
}
_ALPHABET = {
    "x": re.compile(r"^[a-z0-9_]{1,15}$"),
    "instagram": re.compile(r"^[a-z0-9._]{1,30}$"),
    "facebook": re.compile(r"^(?:[a-z0-9]{1,50}|id:\d{5,20})$"),
    "tiktok": re.compile(r"^[a-z0-9._]{1,24}$"),
    "youtube": re.compile(r"^(?:[a-z0-9._\-]{1,30}|channel/UC[A-Za-z0-9_\-]{10,30})$"),
}
_GENERIC = re.compile(r"^[a-z0-9._\-]{1,64}$")
_PLATFORM_NAME = re.compile(r"[a-z0-9_\-]{1,32}")
# Path segments that are never a username.
_RESERVED = {"p", "reel", "reels", "stories", "explore", "status", "statuses", "i", "home", "intent",
             "share", "hashtag", "watch", "shorts", "search", "groups", "pages", "events", "photo",
             "photos", "video", "videos", "permalink.php", "story.php", "tv", "login"}


def normalize_platform(platform: str | None) -> str | None:
    """Known platforms by a lookup; the pattern, which halved ``handle_key``'s speed when always
    run (twice per registry handle at index build), only for other names."""
    if not platform:
        return None
    value = platform.strip().lower()
    known = PLATFORM_ALIASES.get(value)
    if known:
        return known
    return value if _PLATFORM_NAME.fullmatch(value) else None


def _from_url(text: str) -> tuple[str | None, str | None]:
    """(platform, raw username) from a profile URL, or (None, None)."""
    raw = text.strip()
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None, None
    host = (parts.hostname or "").lower().removeprefix("www.")
    platform = _DOMAINS.get(host)
    if platform is None:
        return None, None
    segments = [s for s in parts.path.split("/") if s]
    if platform == "facebook":
        if segments and segments[0] == "profile.php":
            ids = parse_qs(parts.query).get("id")
            return platform, f"id:{ids[0]}" if ids else None
        if segments and segments[0] == "people" and len(segments) >= 3:
            return platform, f"id:{segments[2]}"
    if platform == "youtube" and segments:
        if segments[0] == "channel" and len(segments) >= 2:
            return platform, f"channel/{segments[1]}"
        if segments[0] in ("c", "user") and len(segments) >= 2:
            return platform, segments[1]
    if not segments:
        return platform, None
    first = segments[0]
    if first.lower() in _RESERVED:
        return platform, None
    return platform, first


def normalize_handle(platform: str | None, handle: str | None) -> str | None:
    """Comparable form of ``handle`` on ``platform``; ``None`` when it is not a usable handle.

    ``handle`` may be a bare name (``@Budi_S``) or a profile URL of any of the five platforms.
    """
    if not handle:
        return None
    plat = normalize_platform(platform)
    value = handle.strip()
    if "/" in value or value.lower().startswith(("http", "www.")):
        url_platform, value = _from_url(value)
        if url_platform is None or value is None:
            return None
        if plat is not None and plat in PLATFORMS and url_platform != plat:
            return None
        plat = url_platform
    value = value.strip().lstrip("@").strip()
    if plat == "youtube" and value.startswith("channel/"):
        return value if _ALPHABET["youtube"].match(value) else None
    value = value.lower()
    if plat == "facebook" and not value.startswith("id:"):
        value = value.replace(".", "")
    pattern = _ALPHABET.get(plat or "", _GENERIC)
    return value if value and pattern.match(value) else None


def handle_key(platform: str | None, handle: str | None) -> str | None:
    """``"platform:handle"`` with both parts normalised, e.g. ``"instagram:budi.santoso88"``."""
    plat = normalize_platform(platform)
    if handle and ("/" in handle or handle.lower().startswith("www.")):
        url_platform, _ = _from_url(handle)
        plat = url_platform or plat
    value = normalize_handle(plat, handle)
    if plat is None or value is None:
        return None
    return f"{plat}:{value}"


def format_handles_field(pairs: Iterable[tuple[str, str]]) -> str:
    """The inverse of ``parse_handles_field``: ``[("x", "budis")]`` -> ``"x:budis"``."""
    return ";".join(f"{platform}:{handle}" for platform, handle in pairs)


def parse_handles_field(field: str | None) -> list[tuple[str, str]]:
    """``"instagram:budi.santoso88;x:budis"`` -> ``[("instagram", "budi.santoso88"), ("x", "budis")]``.

    Raises ``ValueError`` on a pair without ``platform:``; empty input gives ``[]``.
    """
    pairs: list[tuple[str, str]] = []
    if not field or not field.strip():
        return pairs
    for item in field.split(";"):
        item = item.strip()
        if not item:
            continue
        platform, sep, handle = item.partition(":")
        if not sep or not platform.strip() or not handle.strip():
            raise ValueError("handle pair must be platform:handle")
        pairs.append((platform.strip(), handle.strip()))
    return pairs


_URL_IN_TEXT = re.compile(
    r"(?:https?://)?(?:www\.|m\.|mobile\.|web\.)?(?:twitter\.com|x\.com|instagram\.com|facebook\.com|fb\.com|"
    r"tiktok\.com|youtube\.com)/[^\s,;)\]]+", re.IGNORECASE)
_LABELLED = re.compile(r"\b(ig|instagram|tiktok|tt|twitter|tw|fb|facebook|yt|youtube)\s*[:=]\s*@?([A-Za-z0-9._]{2,30})",
                       re.IGNORECASE)


def extract_profile_handles(text: str | None) -> list[str]:
    """Handle keys written in free text: profile URLs and ``IG: @name`` style labels."""
    if not text:
        return []
    keys: list[str] = []
    # Each pattern needs a literal the text rarely holds; testing for it first is a tenth of a scan.
    urls = _URL_IN_TEXT.finditer(text) if ".com/" in text.lower() else ()
    for match in urls:
        key = handle_key(None, match.group(0))
        if key and key not in keys:
            keys.append(key)
    for match in _LABELLED.finditer(text) if ":" in text or "=" in text else ():
        key = handle_key(match.group(1), match.group(2))
        if key and key not in keys:
            keys.append(key)
    return keys
