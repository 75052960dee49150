import pytest

from services.notify.domain.matchers import Matcher, MatcherError

LABELS = {"agency": "PEMKOT-3374", "form": "engagement", "province": "33", "empty": ""}

CASES = [
    # matcher, expected
    ('agency="PEMKOT-3374"', True),
    ('agency="PEMKOT-3375"', False),
    ('agency!="PEMKOT-3375"', True),
    ('form=~"engagement|partisan_photo"', True),
    ('form=~"engage"', False),  # anchored: no partial match
    ('form=~"engage.*"', True),
    ('form!~"social_media_campaign|engagement"', False),
    ('agency=~"PEM(KAB|KOT)-33\\\\d{2}"', True),
    ('missing=""', True),  # a missing label is the empty string
    ('missing!=""', False),
    ('missing=~".+"', False),
    ('empty=~".*"', True),
    ("province=33", True),  # bare value
    ('province = "33"', True),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_matcher_table(text, expected):
    assert Matcher.parse(text).matches(LABELS) is expected


@pytest.mark.parametrize("text", ['agency', '="x"', 'agency=="x"', 'form=~"("', '1abc="x"'])
def test_invalid_matchers_are_refused(text):
    with pytest.raises(MatcherError):
        Matcher.parse(text)


def test_round_trip_and_explain():
    m = Matcher.parse('form=~"engagement|partisan_photo"')
    assert str(m) == 'form=~"engagement|partisan_photo"'
    assert m.explain(LABELS) == 'form=~"engagement|partisan_photo" (form="engagement")'
    assert Matcher.parse('form="engagement"').explain(LABELS) == 'form="engagement"'
    assert Matcher.parse('form!="engagement"').explain(LABELS) == 'form!="engagement" (form="engagement")'
    assert Matcher.parse('x="a\\"b"').value == 'a"b'
