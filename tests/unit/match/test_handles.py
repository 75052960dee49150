from __future__ import annotations

import pytest

from services.match.domain.handles import extract_profile_handles, handle_key, parse_handles_field


@pytest.mark.parametrize("platform,value,expected", [
    ("instagram", "@Budi.Santoso88", "instagram:budi.santoso88"),
    ("instagram", "https://www.instagram.com/Budi.Santoso88/?hl=id", "instagram:budi.santoso88"),
    ("instagram", "instagram.com/budi.santoso88", "instagram:budi.santoso88"),
    ("x", "@BudiS", "x:budis"),
    ("twitter", "https://twitter.com/BudiS/status/1234", "x:budis"),
    ("x", "https://mobile.x.com/budis", "x:budis"),
    ("facebook", "https://web.facebook.com/budi.santoso.77", "facebook:budisantoso77"),
    ("facebook", "budi.santoso.77", "facebook:budisantoso77"),
    ("fb", "https://facebook.com/profile.php?id=100012345678", "facebook:id:100012345678"),
    ("tiktok", "https://www.tiktok.com/@Bu_Sri.W?lang=id", "tiktok:bu_sri.w"),
    ("tiktok", "@bu_sri.w", "tiktok:bu_sri.w"),
    ("youtube", "https://youtube.com/@SriChannel", "youtube:srichannel"),
    ("youtube", "https://www.youtube.com/channel/UCabcdefghijKLMNOP", "youtube:channel/UCabcdefghijKLMNOP"),
    ("ig", "  @budi ", "instagram:budi"),
])
def test_normalise(platform: str, value: str, expected: str) -> None:
    assert handle_key(platform, value) == expected


@pytest.mark.parametrize("platform,value", [
    ("instagram", "bad handle!"), ("x", "a_very_long_handle_over_15"), ("instagram", "https://www.instagram.com/p/Cx1/"),
    ("x", ""), ("instagram", None), ("instagram", "https://example.com/budi"),
])
def test_rejects(platform: str, value) -> None:
    assert handle_key(platform, value) is None


def test_near_miss_is_different() -> None:
    assert handle_key("instagram", "budi.santoso80") != handle_key("instagram", "budi.santoso8")
    assert handle_key("instagram", "budi_santoso") != handle_key("instagram", "budi.santoso")


def test_handles_field() -> None:
    assert parse_handles_field("instagram:budi.santoso88;x:budis") == [("instagram", "budi.santoso88"), ("x", "budis")]
    assert parse_handles_field("") == []
    with pytest.raises(ValueError):
        parse_handles_field("budis")


def test_profile_links_in_bio() -> None:
    assert extract_profile_handles("IG: @bu_sri.w | https://x.com/BudiS | tiktok=@sri") == [
        "x:budis", "instagram:bu_sri.w", "tiktok:sri"]
