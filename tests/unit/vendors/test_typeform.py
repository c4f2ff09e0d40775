from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.vendors import typeform
from shared.vendors.base import Answer, Identity, Ignored, Parsed, PayloadError, Vendor
from tests.unit.vendors.support import DELETE, body, connection, delivery, sample, sample_json, with_

SAMPLE = sample_json("typeform-1.json")
OPINION = "form_response.answers.9"  # the opinion_scale answer: {"type": "number", "number": 2}
CONNECTION = connection(
    Vendor.TYPEFORM, nps_question="NRsxU591jIW9", comment_question="DlXFaesGBpoF", contact_property="user_id"
)


def parse(document: dict[str, Any], **overrides: Any) -> Parsed:
    settings = CONNECTION.model_copy(update=overrides) if overrides else CONNECTION
    return typeform.parse(delivery(body(document)), settings)


def test_documented_sample() -> None:
    submitted = datetime(2018, 1, 18, 18, 17, 2, tzinfo=UTC)
    assert typeform.parse(delivery(sample("typeform-1.json")), CONNECTION) == Answer(
        response_id="a3a12ec67a1365927098a606107fac15",
        event_id="LtWXD3crgy",
        revised_at=submitted,
        submitted_at=submitted,
        score=2,
        comment=(
            "It's cold right now! I live in an older medium-sized city with a university. "
            "Geographically, the area is hilly."
        ),
        identity=Identity(contact_id="abc123456", email="laura@example.com"),  # typed into the email question
        survey_id="lT4Z3j",
        properties={"user_id": "abc123456"},
    )


@pytest.mark.parametrize(
    ("question", "score"),
    [
        ("NRsxU591jIW9", 2),  # by field id
        ("readable_ref_opinion_scale", 2),  # by ref, found through the form definition
        ("pn48RmPazVdM", 4),  # a number question
        ("no-such-question", None),  # not answered: no score yet
    ],
)
def test_the_nps_question_by_id_or_ref(question: str, score: int | None) -> None:
    answer = parse(SAMPLE, nps_question=question)
    assert isinstance(answer, Answer) and answer.score == score


def test_a_ref_on_the_answer_itself() -> None:
    document = with_(
        SAMPLE, f"{OPINION}.field", {"id": "other-id", "ref": "nps_ref", "type": "opinion_scale"}
    )
    answer = parse(document, nps_question="nps_ref")
    assert isinstance(answer, Answer) and answer.score == 2


@pytest.mark.parametrize(
    "answer",
    [
        {"type": "number", "number": "9"},
        {"type": "number", "number": 9.0},
        {"type": "text", "text": " 9 "},
        {"type": "choice", "choice": {"label": "9"}},
    ],
)
def test_scores_as_strings_and_choices(answer: dict[str, Any]) -> None:
    document = with_(SAMPLE, OPINION, answer | {"field": {"id": "NRsxU591jIW9", "type": "opinion_scale"}})
    parsed = parse(document)
    assert isinstance(parsed, Answer) and parsed.score == 9


def test_without_a_configured_question_the_nps_field_type_is_used() -> None:
    document = with_(SAMPLE, f"{OPINION}.field.type", "nps")
    answer = parse(document, nps_question=None)
    assert isinstance(answer, Answer) and answer.score == 2


def test_hidden_fields_name_account_contact_and_email() -> None:
    hidden = {"account_id": "acme", "user_id": "c-42", "email": "ceo@acme.test", "seats": 12}
    answer = parse(with_(SAMPLE, "form_response.hidden", hidden))
    assert isinstance(answer, Answer)
    assert answer.identity == Identity(account_id="acme", contact_id="c-42", email="ceo@acme.test")
    assert answer.properties == {
        "account_id": "acme",
        "user_id": "c-42",
        "email": "ceo@acme.test",
        "seats": "12",
    }


def test_other_events_are_ignored() -> None:
    assert isinstance(parse(with_(SAMPLE, "event_type", "form_partial")), Ignored)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("form_response.token", DELETE, "form_response.token"),
        ("form_response", "x", "form_response"),
        ("form_response.answers", {"a": 1}, "form_response.answers"),
        ("form_response.answers.0", "x", "form_response.answers[0]"),
        ("form_response.answers.0.field", None, "form_response.answers[0].field"),
        (f"{OPINION}.number", 11, "form_response.answers[9].number"),
        (f"{OPINION}.number", "high", "form_response.answers[9].number"),
        ("form_response.submitted_at", "2018-01-18 around six", "form_response.submitted_at"),
        ("form_response.hidden", ["a"], "form_response.hidden"),
        ("event_id", DELETE, "event_id"),
    ],
)
def test_malformed_deliveries_name_the_field(path: str, value: object, field: str) -> None:
    with pytest.raises(PayloadError) as error:
        parse(with_(SAMPLE, path, value))
    assert error.value.field == field
