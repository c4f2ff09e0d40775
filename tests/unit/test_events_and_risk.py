import json
from datetime import UTC, datetime

from local.event_examples import example_data
from shared.domain.nps import BandCounts, nps_of
from shared.domain.risk import account_risk
from shared.events import SOURCE, DetailType
from shared.events.publish import envelope, put_events_entry
from statemachines import RESPONSE_PIPELINE


def test_the_envelope_is_versioned_and_its_id_is_derived_from_what_happened() -> None:
    at = datetime(2026, 11, 2, tzinfo=UTC)
    data = example_data(DetailType.RESPONSE_SCORED)
    first = envelope(DetailType.RESPONSE_SCORED, "generic-r1", at, "generic-r1", "acme", "customer", data)
    again = envelope(DetailType.RESPONSE_SCORED, "generic-r1", at, "generic-r1", "acme", "customer", data)
    assert first.event_id == again.event_id == "ResponseScored:generic-r1"
    entry = put_events_entry(first, "npsops")
    assert entry["Source"] == SOURCE and entry["DetailType"] == "ResponseScored"
    assert entry["Detail"]["envelope_version"] == "1" and entry["Detail"]["data_version"] == "1"
    assert entry["Detail"]["data"] == data.model_dump(mode="json")
    json.dumps(entry)  # what Step Functions serialises must be JSON


def test_risk_grows_with_a_falling_well_sampled_nps_and_open_cases() -> None:
    steady = [nps_of(BandCounts(promoters=6, passives=3, detractors=1), 10)] * 2
    falling = [steady[0], nps_of(BandCounts(promoters=1, passives=3, detractors=6), 10)]
    calm = account_risk("a", steady, open_cases=0, prior_nps=20)
    sliding = account_risk("b", falling, open_cases=2, prior_nps=20)
    assert sliding.risk > calm.risk
    assert sliding.change is not None and sliding.change < 0


def test_one_bad_answer_weighs_less_than_many() -> None:
    one = account_risk("a", [nps_of(BandCounts(detractors=1), 10)], 0, prior_nps=20)
    many = account_risk("b", [nps_of(BandCounts(detractors=12), 10)], 0, prior_nps=20)
    assert many.risk > one.risk


def test_the_pipeline_file_names_every_placeholder_it_needs() -> None:
    assert RESPONSE_PIPELINE.placeholders() == {
        "ScoreFunctionArn",
        "AggregateFunctionArn",
        "CloseTheLoopFunctionArn",
        "EvaluateTriggersFunctionArn",
        "OpenCasesFunctionArn",
        "ResponsesTable",
    }
