"""npsops' events, a leaf package: it imports only shared.domain, and every publisher imports it.

- envelope.py: the one envelope, the detail types, the bus rules;
- data.py: the data model of every event that is not a domain object;
- catalog.py: each detail type's model, version and description, and its JSON Schema;
- publish.py: an event built and checked against the catalog, and its PutEvents entry.

Examples of each event (docs/events/) are the docs tooling's: local/event_docs.py.
"""

from shared.events.envelope import (
    BUS_NAME,
    CRM_OUTBOX_RULE,
    ENVELOPE_VERSION,
    RULES,
    SOURCE,
    DetailType,
    EventEnvelope,
    RuleSpec,
)

__all__ = [
    "BUS_NAME",
    "CRM_OUTBOX_RULE",
    "ENVELOPE_VERSION",
    "RULES",
    "SOURCE",
    "DetailType",
    "EventEnvelope",
    "RuleSpec",
]
