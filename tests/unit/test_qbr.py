"""The QBR pack's rules (agenda by band, "You said / we did / outcome") and its page's escaping."""

from datetime import UTC, datetime, timedelta

from local.qbr import render_html
from shared.domain.accounts import Account, AccountTeam
from shared.domain.cases import Case, CaseStatus, StatusChange
from shared.domain.health import Health
from shared.domain.models import Band
from shared.domain.nps import BandCounts, nps_of
from shared.domain.qbr import NOT_RECORDED, agenda_for, loop_record
from shared.domain.signals import QuarterSignals
from shared.domain.triggers import OwnerRole
from shared.services.reports import QbrPack, QbrQuarter

T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)
HEALTH = Health(
    score=55,
    components={"usage": 30, "support": 80, "nps": 50, "engagement": None},
    weights_used={"usage": 0.5, "support": 0.25, "nps": 0.25, "engagement": 0},
    weights_segment="default",
    missing=["engagement"],
    flags=[],
    changes={},
)


def case(status: CaseStatus = CaseStatus.OPEN, **fields: object) -> Case:
    values: dict[str, object] = {
        "case_id": "detractor-recovery#acme#2026-Q4#c-1",
        "rule": "detractor-recovery",
        "account_id": "acme",
        "quarter": "2026-Q4",
        "owner": "Ava <CSM>",
        "owner_role": OwnerRole.CSM,
        "status": status,
        "sla_hours": 48,
        "opened_at": T0,
        "due_at": T0 + timedelta(hours=48),
        "summary": "Detractor: c-1 scored 3",
        "evidence": {"score": 3, "comment": "Support <script>alert(1)</script> is slow", "themes": []},
        "response_id": "generic-r-1",
        "contact_id": "c-1",
        "history": [StatusChange(status=CaseStatus.OPEN, at=T0, by="npsops", note="opened")],
    }
    return Case.model_validate(values | fields)


def test_agenda_by_band() -> None:
    detractor = agenda_for(Band.DETRACTOR, [case()], ["support_responsiveness"], HEALTH, 0)
    assert (detractor.heading, detractor.scores) == ("Problem resolution", "0-6")
    assert detractor.items[0] == "Resolve: Detractor: c-1 scored 3 (owner Ava <CSM>)"
    passive = agenda_for(Band.PASSIVE, [], ["integration"], HEALTH, 0)
    assert (passive.heading, passive.scores) == ("Optimization", "7-8")
    assert passive.items[0].endswith(": integration")
    assert "Optimize usage: its health input is 30/100, the weakest" in passive.items
    promoter = agenda_for(Band.PROMOTER, [], ["missing_feature"], HEALTH, 2)
    assert (promoter.heading, promoter.scores) == ("Expansion and advocacy", "9-10")
    assert "references given so far: 2" in promoter.items[1]
    assert agenda_for(None, [], [], HEALTH, 0).heading == "Listen first"


def test_loop_record_uses_the_closed_loop_fields_and_says_when_they_are_missing() -> None:
    closed = case(
        CaseStatus.RECOVERED, root_cause="SLA missed", action_taken="Dedicated support engineer",
        outcome="Follow-up scored 9: recovered",
    )  # fmt: skip
    record = loop_record(closed)
    assert record is not None
    assert record.you_said == "Support <script>alert(1)</script> is slow (scored 3)"
    assert (record.root_cause, record.we_did, record.outcome) == (
        "SLA missed", "Dedicated support engineer", "Follow-up scored 9: recovered",
    )  # fmt: skip
    noted = case(
        CaseStatus.CONTACTED,
        history=[
            StatusChange(status=CaseStatus.OPEN, at=T0, by="npsops", note="opened"),
            StatusChange(status=CaseStatus.CONTACTED, at=T0, by="ava", note="called the admin"),
        ],
    )
    record = loop_record(noted)
    assert record is not None
    assert record.we_did == "called the admin (status note; no action recorded)"
    assert (record.root_cause, record.outcome) == (NOT_RECORDED, "case contacted")
    assert loop_record(case(evidence={"theme": "pricing"})) is None  # nobody said anything


def test_the_page_escapes_every_customer_value() -> None:
    stat = nps_of(BandCounts(promoters=1, detractors=1), 10)
    team = AccountTeam(csm="Ava <CSM>", cs_lead="x", executive_sponsor="y")
    account = Account(
        account_id="acme", name="Acme <b>& Co</b>", segment="smb", arr=1, industry="i", region="r",
        lifecycle_stage="l", team=team,
    )  # fmt: skip
    quarter = QbrQuarter(quarter="2026-Q4", nps=stat, band=Band.PASSIVE, segment_benchmark=stat)
    record = loop_record(case())
    assert record is not None
    pack = QbrPack(
        account=account, quarter="2026-Q4", quarters=[quarter], band=Band.PASSIVE, health=HEALTH,
        signals=QuarterSignals(), open_cases=[], closed_cases=[], you_said_we_did=[record],
        agenda=agenda_for(Band.PASSIVE, [], [], HEALTH, 0),
    )  # fmt: skip
    page = render_html(pack, 'chart".png')
    assert "<script>" not in page and "<b>" not in page
    assert "Support &lt;script&gt;alert(1)&lt;/script&gt; is slow" in page
    assert "Acme &lt;b&gt;&amp; Co&lt;/b&gt;" in page and 'src="chart&quot;.png"' in page
