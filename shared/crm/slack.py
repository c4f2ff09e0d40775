"""Slack: a message to a channel through an incoming webhook, for detractors and routed themes.

The body is `{"text": ..., "blocks": [...]}` (text is the notification fallback, blocks the layout).
It quotes the customer's comment and case summaries, free text an input transformer would paste
unescaped into the JSON, and Slack's mrkdwn needs `&`, `<`, `>` escaped: so a mapping Lambda
(functions/crm_mapping) builds it with `message`, and locally the CRM sink calls the same function.
"""

from __future__ import annotations

from typing import Any

from shared.crm.mapping import CrmDestination, CrmMapping, detail_types
from shared.domain.models import Band
from shared.domain.triggers import TriggerRule
from shared.events import DetailType

DETRACTOR = CrmMapping(
    name="slack-detractor",
    description="A detractor answered: score, comment, themes, to the CS channel",
    pattern={
        **detail_types(DetailType.RESPONSE_SCORED),
        "detail": {"data": {"band": [Band.DETRACTOR.value]}},
    },
)
THEME_ROUTED = CrmMapping(
    name="slack-theme-routed",
    description="A theme raised by several accounts was routed to its owning team",
    pattern={
        **detail_types(DetailType.CASE_OPENED),
        "detail": {"data": {"rule": [TriggerRule.THEME_ROUTING.value]}},
    },
)

_MAX_QUOTE = 500  # a Slack section's text is limited to 3,000 characters; a quote needs far less


def escape(text: str) -> str:
    """Slack mrkdwn's three control characters (its documented escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(event: dict[str, Any]) -> dict[str, Any]:
    detail = event["detail"]
    data, account = detail["data"], escape(detail["account_id"])
    if event["detail-type"] == DetailType.RESPONSE_SCORED:
        headline = f"Detractor at {account}: scored {data['score']}/10 ({escape(data['quarter'])})"
        lines = [f"*{headline}*"]
        if data.get("comment"):
            lines.append(f"> {escape(data['comment'][:_MAX_QUOTE])}")
        if data.get("themes"):
            lines.append("Themes: " + ", ".join(escape(theme) for theme in data["themes"]))
        context = f"contact {escape(data['contact_id'])} · response {escape(data['response_key'])}"
    elif event["detail-type"] == DetailType.CASE_OPENED and data["rule"] == TriggerRule.THEME_ROUTING:
        evidence = data.get("evidence", {})
        team, theme = escape(str(evidence.get("owning_team", ""))), escape(str(evidence.get("theme", "")))
        headline = f"Theme '{theme}' routed to {team} ({evidence.get('account_count', '?')} accounts)"
        at_risk = f"ARR at risk: {evidence.get('arr_at_risk', 0):,.0f} · owner {escape(data['owner'])}"
        lines = [f"*{headline}*", escape(data["summary"]), at_risk]
        lines += [f"> {escape(str(quote)[:_MAX_QUOTE])}" for quote in evidence.get("quotes", [])[:3]]
        context = f"case {escape(data['case_id'])} · due {escape(data['due_at'])}"
    else:
        raise ValueError(f"no Slack message for {event['detail-type']}")
    return {
        "text": headline,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }


SLACK = CrmDestination(name="slack", http_method="POST", mappings=(DETRACTOR, THEME_ROUTED), mapper=message)
