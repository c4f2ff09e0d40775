"""The Surveys table: every survey request once, planned, suppressed (with its reason) or pending.

A request is keyed by contact, touchpoint and due date (SurveyCandidate.request_id), so a planner
re-run, a retried schedule or a second caller asking for the same survey finds it decided and changes
nothing. Decisions are counted from the stored requests (each is stored once), so the counts are
exact under retries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any

from shared.domain.surveys import Decision, SentSurvey, SurveyCandidate, SurveyDecision, Touchpoint
from shared.store.dynamo import client, items, put_if, to_item, translated_errors

PENDING = "PENDING"  # the sparse "pending" index's partition
PENDING_DECISION = Decision.PENDING.value


def contact_pk(program: str, contact_id: str) -> str:
    return f"CONTACT#{program}#{contact_id}"


def _sk(candidate: SurveyCandidate) -> str:
    return f"REQ#{candidate.due.isoformat()}#{candidate.touchpoint}"


class SurveyRepository:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def record(self, decision: SurveyDecision, decided_at: datetime) -> bool:
        """Store the decision once. A pending request may be decided later (on its due day); a
        decided one is never changed. False when it was already decided (or already pending)."""
        candidate = decision.candidate
        item: dict[str, Any] = {
            "pk": contact_pk(candidate.program, candidate.contact_id),
            "sk": _sk(candidate),
            "request_id": candidate.request_id,
            "decision": decision.decision.value,
            "reason": decision.reason.value if decision.reason else None,
            "detail": decision.detail,
            "account_id": candidate.account_id,
            "due": candidate.due.isoformat(),
            "decided_at": decided_at.isoformat(),
            "candidate": candidate.model_dump(mode="json"),
        }
        if decision.decision is Decision.PENDING:
            item["pending"] = PENDING
            return put_if(self._table, item, "attribute_not_exists(pk)")
        # New, or pending until its due day: decide it. Anything else was decided already.
        return put_if(
            self._table,
            item,
            "attribute_not_exists(pk) OR decision = :pending",
            {":pending": PENDING_DECISION},
        )

    def for_contact(self, program: str, contact_id: str) -> list[dict[str, Any]]:
        return list(
            items(
                "query",
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :req)",
                ExpressionAttributeValues=to_item({":pk": contact_pk(program, contact_id), ":req": "REQ#"}),
            )
        )

    def forget_email(self, request: dict[str, Any]) -> None:
        """Remove the address a stored request was for (a privacy erasure); its decision stays."""
        with translated_errors():
            client().update_item(
                TableName=self._table,
                Key=to_item({"pk": request["pk"], "sk": request["sk"]}),
                UpdateExpression="REMOVE candidate.email",
                ConditionExpression="attribute_exists(pk)",
            )

    def planned_for_account(self, account_id: str, since: date, until: date) -> list[SentSurvey]:
        """What was planned for the account's contacts with a due date in [since, until]."""
        found = items(
            "query",
            TableName=self._table,
            IndexName="by_account",
            KeyConditionExpression="account_id = :a AND #due BETWEEN :since AND :until",
            ExpressionAttributeNames={"#due": "due"},
            ExpressionAttributeValues=to_item(
                {":a": account_id, ":since": since.isoformat(), ":until": until.isoformat()}
            ),
        )
        return [sent_survey(item) for item in found if item["decision"] == Decision.PLANNED.value]

    def pending_until(self, day: date) -> list[SurveyCandidate]:
        """Requests registered for a due date up to `day` and not decided yet."""
        found = items(
            "query",
            TableName=self._table,
            IndexName="pending",
            KeyConditionExpression="pending = :p AND #due <= :day",
            ExpressionAttributeNames={"#due": "due"},
            ExpressionAttributeValues=to_item({":p": PENDING, ":day": day.isoformat()}),
        )
        return [SurveyCandidate.model_validate(item["candidate"]) for item in found]

    def all(self) -> list[dict[str, Any]]:
        """Every request (an operator's listing: a Scan)."""
        found = items("scan", TableName=self._table)
        return sorted(found, key=lambda item: (item["due"], item["pk"], item["sk"]))

    def counts(self, requests: list[dict[str, Any]] | None = None) -> dict[str, dict[str, int]]:
        """Decisions counted by the day they were made: {"2026-11-23": {"planned": 4,
        "suppressed_min_gap": 2}}. Counted from the requests themselves (each stored once), so the
        counts cannot drift from what was decided, whatever was retried."""
        counted: dict[str, Counter[str]] = defaultdict(Counter)
        for item in self.all() if requests is None else requests:
            if item["decision"] == PENDING_DECISION:
                continue
            name = item["decision"] + (f"_{item['reason']}" if item.get("reason") else "")
            counted[str(item["decided_at"])[:10]][name.replace("-", "_")] += 1
        return {day: dict(sorted(counts.items())) for day, counts in sorted(counted.items())}


def sent_survey(item: dict[str, Any]) -> SentSurvey:
    candidate = item["candidate"]
    return SentSurvey(
        contact_id=candidate["contact_id"],
        account_id=candidate["account_id"],
        touchpoint=Touchpoint(candidate["touchpoint"]),
        due=date.fromisoformat(item["due"]),
    )
