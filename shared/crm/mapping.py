"""The shapes of a CRM destination and its mappings (shared/crm/__init__.py lists the CRMs): what
a CRM receives for which npsops event, as an EventBridge input transformer or a function run by the
mapping Lambda."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.domain.triggers import TriggerRule
from shared.events import SOURCE, DetailType

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.-]+)>")


class UnsafeValue(ValueError):
    """A string EventBridge would paste unescaped into JSON (it does not escape input-path values)."""


class MissingPath(KeyError):
    pass


@dataclass(frozen=True)
class InputTransform:
    """An EventBridge input transformer: placeholder → JSON path, and the template."""

    paths: Mapping[str, str]
    template: str

    def render(self, event: dict[str, Any]) -> dict[str, Any]:
        """What EventBridge sends the target: each <placeholder> replaced by its value, a string as
        its raw text (the template quotes it), anything else as JSON (numbers, booleans, null)."""
        values = {name: json_path(event, path) for name, path in self.paths.items()}

        def value(match: re.Match[str]) -> str:
            found = values[match.group(1)]
            if isinstance(found, str):
                if any(c in found for c in '"\\\n'):
                    raise UnsafeValue(f"{match.group(1)}={found!r} would break the JSON body")
                return found
            return json.dumps(found)

        return dict(json.loads(_PLACEHOLDER.sub(value, self.template)))


def json_path(event: dict[str, Any], path: str) -> Any:
    """EventBridge's dot-notation JSON path ($.detail.data.nps)."""
    node: Any = event
    for part in path.removeprefix("$.").split("."):
        if not isinstance(node, dict) or part not in node:
            raise MissingPath(f"{path} is not in the event")
        node = node[part]
    return node


@dataclass(frozen=True)
class CrmMapping:
    """One bus rule to one CRM: which events (`pattern`, without `source`, which the destination
    adds) and how each becomes a request body."""

    name: str
    description: str
    pattern: Mapping[str, Any]
    transform: InputTransform | None = None  # None: the destination's mapping Lambda builds the body
    # JSON paths for the endpoint's `*` path parameters, in order (EventBridge's PathParameterValues).
    path_parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class CrmDestination:
    name: str  # hubspot, salesforce, slack
    http_method: str
    mappings: tuple[CrmMapping, ...]
    # Builds the body where no transformer can (the mapping Lambda runs it on AWS, the sink locally).
    mapper: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    query: Mapping[str, str] = field(default_factory=dict)

    @property
    def redrive_source(self) -> str:
        """Dead-lettered events are put back on the bus under this source, which only this
        destination's rules match: a redrive reaches the CRM that failed, and no other."""
        return f"{SOURCE}.redrive.{self.name}"

    def rule_pattern(self, mapping: CrmMapping) -> dict[str, Any]:
        return {"source": [SOURCE, self.redrive_source], **mapping.pattern}

    def body(self, mapping: CrmMapping, event: dict[str, Any]) -> dict[str, Any]:
        if mapping.transform is not None:
            return mapping.transform.render(event)
        if self.mapper is None:
            raise ValueError(f"{self.name}/{mapping.name} has neither a transformer nor a mapper")
        return self.mapper(event)

    def path(self, mapping: CrmMapping, endpoint: str, event: dict[str, Any]) -> str:
        """The endpoint with its `*` filled as EventBridge fills PathParameterValues."""
        for path in mapping.path_parameters:
            endpoint = endpoint.replace("*", str(json_path(event, path)), 1)
        return endpoint


def detail_types(*names: str) -> dict[str, list[str]]:
    return {"detail-type": list(names)}


# What the account CRMs (HubSpot companies, Salesforce Accounts) follow: each CRM writes these events
# to its own fields, so only the patterns and the event values read are shared.
ACCOUNT_EVENTS: dict[str, dict[str, Any]] = {
    "last-response": {
        "pattern": detail_types(DetailType.RESPONSE_SCORED),
        "paths": {"score": "$.detail.data.score", "band": "$.detail.data.band", "at": "$.detail.occurred_at"},
    },
    "nps": {
        "pattern": {
            **detail_types(DetailType.ACCOUNT_NPS_CHANGED),
            "detail": {"data": {"kind": ["relational"]}},
        },
        "paths": {
            "nps": "$.detail.data.nps.nps",
            "n": "$.detail.data.nps.n",
            "moe": "$.detail.data.nps.margin_of_error",
            "quarter": "$.detail.data.quarter",
        },
    },
    # A health with every input missing has no score: nothing to write.
    "health": {
        "pattern": {
            **detail_types(DetailType.ACCOUNT_HEALTH_CHANGED),
            "detail": {"data": {"score": [{"numeric": [">=", 0]}]}},
        },
        "paths": {"score": "$.detail.data.score", "quarter": "$.detail.data.quarter"},
    },
    # A routed theme is the portfolio's, not an account's: Slack carries it.
    "open-case": {
        "pattern": {
            **detail_types(DetailType.CASE_OPENED),
            "detail": {"data": {"rule": [{"anything-but": [TriggerRule.THEME_ROUTING.value]}]}},
        },
        "paths": {
            "case": "$.detail.data.case_id",
            "rule": "$.detail.data.rule",
            "due": "$.detail.data.due_at",
        },
    },
    "churn-risk": {
        "pattern": {
            **detail_types(DetailType.CASE_OPENED),
            "detail": {"data": {"rule": [TriggerRule.CHURN_RISK.value]}},
        },
        "paths": {"since": "$.detail.data.opened_at", "case": "$.detail.data.case_id"},
    },
}


def account_mapping(crm: str, event: str, description: str, template: str) -> CrmMapping:
    """One of the account events for one account CRM: its own template over the shared values; the
    account id is the endpoint's path parameter."""
    followed = ACCOUNT_EVENTS[event]
    paths = {name: path for name, path in followed["paths"].items() if f"<{name}>" in template}
    return CrmMapping(
        name=f"{crm}-{event}",
        description=description,
        pattern=followed["pattern"],
        transform=InputTransform(paths=paths, template=template),
        path_parameters=("$.detail.account_id",),
    )
