from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.vendors.base import PayloadError
from shared.vendors.decoding import decode_body, identifier, parse_score, parse_timestamp, properties


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": {"b": 1}}', {"a": {"b": 1}}),
        (b'\n  \t{"a": 1}', {"a": 1}),
        (b"\xef\xbb\xbf{}", {}),
        (b"a=1&b=two%20words&c=x+y", {"a": "1", "b": "two words", "c": "x y"}),
        (b"r[id]=1&r[p][plan]=Pro&r[p][seats]=3", {"r": {"id": "1", "p": {"plan": "Pro", "seats": "3"}}}),
        (b"a=1&\nb=&\r\n c=%7B%7D\n", {"a": "1", "b": "", "c": "{}"}),
        (b"MSG=%7B%22a%22%3A1%7D&HMAC=ab", {"MSG": '{"a":1}', "HMAC": "ab"}),
    ],
    ids=["json", "leading-space", "bom", "form", "nested-form", "form-line-breaks", "json-in-form"],
)
def test_bodies_decode_by_their_bytes(raw: bytes, expected: dict[str, object]) -> None:
    assert decode_body(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"  \n",
        b'{"a": 1,}',
        b"{not json",
        b"[1, 2]",
        b"hello world",
        b"\xff\xfe=1",
        b"a[b=1",
        b"a=1&a=2",
        b"a=1&a[b]=2",
        b"a[b]=1&a=2",
        b"a[]=1",
        b"<xml/>",
    ],
)
def test_undecodable_bodies(raw: bytes) -> None:
    with pytest.raises(PayloadError) as error:
        decode_body(raw)
    assert error.value.field == "body" and error.value.undecodable


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (7, 7),
        (10, 10),
        ("7", 7),
        (" 7 ", 7),
        ("+7", 7),
        (7.0, 7),
        ("7.0", 7),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_scores(value: object, expected: int | None) -> None:
    assert parse_score(value, "score") == expected


@pytest.mark.parametrize(
    "value",
    [True, False, 7.5, "7.5", "ten", 11, -1, "11", "-1", float("nan"), "inf", "1e1", "1_0", [], {}, 10**400],
)
def test_bad_scores_name_the_field(value: object) -> None:
    with pytest.raises(PayloadError) as error:
        parse_score(value, "response.score")
    assert error.value.field == "response.score" and not error.value.undecodable


DENVER_NOON_UTC = datetime(2019, 6, 26, 19, 28, 11, tzinfo=UTC)  # 13:28:11 MDT


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        (1537474818, "UTC", datetime(2018, 9, 20, 20, 20, 18, tzinfo=UTC)),
        ("1537474818", "UTC", datetime(2018, 9, 20, 20, 20, 18, tzinfo=UTC)),
        (1537474818.5, "UTC", datetime(2018, 9, 20, 20, 20, 18, 500000, tzinfo=UTC)),
        ("2018-01-18T18:17:02Z", "UTC", datetime(2018, 1, 18, 18, 17, 2, tzinfo=UTC)),
        ("2016-08-04T13:57:26.558-07:00", "UTC", datetime(2016, 8, 4, 20, 57, 26, 558000, tzinfo=UTC)),
        ("2016-08-04 13:57:26 -0700", "UTC", datetime(2016, 8, 4, 20, 57, 26, tzinfo=UTC)),
        ("2016-08-04 13:57:26 UTC", "America/Denver", datetime(2016, 8, 4, 13, 57, 26, tzinfo=UTC)),
        ("2019-06-26 13:28:11", "UTC", datetime(2019, 6, 26, 13, 28, 11, tzinfo=UTC)),
        ("2019-06-26 13:28:11", "America/Denver", DENVER_NOON_UTC),
        ("2019-06-26T13:28:11", "America/Denver", DENVER_NOON_UTC),
        ("2019-01-26 13:28:11", "America/Denver", datetime(2019, 1, 26, 20, 28, 11, tzinfo=UTC)),  # MST
        ("2019-06-26T19:28:11Z", "America/Denver", DENVER_NOON_UTC),  # a zone in the value wins
    ],
)
def test_timestamps_come_out_in_utc(value: object, zone: str, expected: datetime) -> None:
    parsed = parse_timestamp(value, "at", zone)
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", "soon", "2019-13-01 00:00:00", True, {}, 10**20, "26/06/2019"])
def test_bad_timestamps_name_the_field(value: object) -> None:
    with pytest.raises(PayloadError) as error:
        parse_timestamp(value, "event_data.created_at")
    assert error.value.field == "event_data.created_at"


def test_an_unknown_naive_zone_names_the_connection_setting() -> None:
    with pytest.raises(PayloadError) as error:
        parse_timestamp("2019-06-26 13:28:11", "MSG.CompletedDate", "Mars/Olympus_Mons")
    assert error.value.field == "connection.naive_timezone"


@pytest.mark.parametrize(("value", "expected"), [("R_1l9mcVuXubb4aGm", "R_1l9mcVuXubb4aGm"), (1128, "1128")])
def test_identifiers(value: object, expected: str) -> None:
    assert identifier(value, "id") == expected


@pytest.mark.parametrize("value", [None, "", "has space", "-leading-dash", "a#b", "x" * 65, True, 1.5])
def test_unusable_identifiers_name_the_field(value: object) -> None:
    with pytest.raises(PayloadError) as error:
        identifier(value, "event_data.id")
    assert error.value.field == "event_data.id"


def test_properties_are_strings_and_drop_nested_and_null() -> None:
    values = {
        "plan": "Pro",
        "seats": 12,
        "ratio": 0.5,
        "vip": True,
        "none": None,
        "nested": {"a": 1},
        "l": [1],
    }
    assert properties(values) == {"plan": "Pro", "seats": "12", "ratio": "0.5", "vip": "true"}
