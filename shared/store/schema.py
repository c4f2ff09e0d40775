"""Every DynamoDB table, defined once: the repositories, the CDK stack and the local runtime read this."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str | None = None
    # The attributes besides the keys that the index keeps (INCLUDE); None keeps them all (ALL). An
    # index item is billed by its size on every write that changes it, so a narrow one is cheaper.
    included: tuple[str, ...] | None = None

    @property
    def projection(self) -> dict[str, object]:
        """The index's Projection, as DynamoDB's API takes it."""
        if self.included is None:
            return {"ProjectionType": "ALL"}
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(self.included)}


@dataclass(frozen=True)
class TableSpec:
    logical_name: str
    env_var: str  # where a function finds the deployed table name
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[Index, ...] = ()

    @property
    def key_attributes(self) -> tuple[str, ...]:
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names += [index.partition_key, index.sort_key]
        return tuple(dict.fromkeys(name for name in names if name))


# One item per response, keyed by "{vendor}-{response id}". A failed pipeline run sets the sparse
# "failed" index attributes so redrive can find it.
RESPONSES = TableSpec(
    logical_name="Responses",
    env_var="RESPONSES_TABLE",
    partition_key="pk",
    indexes=(Index("failed", "failed_status", "failed_at"),),
)

# Counter items (pk ACCOUNT#id, sk Q#quarter#program#kind) and contact votes
# (sk VOTE#quarter#program#kind#contact). Counter items also carry gsi1 so a quarter's portfolio
# can be read without a scan.
ROLLUPS = TableSpec(
    logical_name="Rollups",
    env_var="ROLLUPS_TABLE",
    partition_key="pk",
    sort_key="sk",
    # The portfolio reads counters only: the votes map stays out of the index.
    indexes=(
        Index(
            "by_quarter", "gsi1pk", "gsi1sk", included=("account_id", "promoters", "passives", "detractors")
        ),
    ),
)

# One item per case, keyed by its firing's dedupe key; listed by owner and by account.
CASES = TableSpec(
    logical_name="Cases",
    env_var="CASES_TABLE",
    partition_key="pk",
    indexes=(
        Index("by_owner", "owner", "opened_at"),
        Index("by_account", "account_id", "opened_at"),
        # Sparse: only cases waiting for a first contact carry "awaiting", so the SLA sweep reads
        # what is due, oldest first, however many closed cases the table holds.
        Index("awaiting_contact", "awaiting", "due_at"),
    ),
)

# The account directory: profile, ARR and the account team.
ACCOUNTS = TableSpec(logical_name="Accounts", env_var="ACCOUNTS_TABLE", partition_key="pk")

# Survey vendor connections, keyed by connection id (the {connection_id} of the webhook URL).
CONNECTIONS = TableSpec(logical_name="Connections", env_var="CONNECTIONS_TABLE", partition_key="pk")

# The contact directory: who a person is and which account they belong to, keyed by each way a
# vendor may name them (EMAIL#address, EXT#external id); by_account lists an account's people
# (checkpoint 1 of a renewal asks them) without reading the whole directory.
CONTACTS = TableSpec(
    logical_name="Contacts",
    env_var="CONTACTS_TABLE",
    partition_key="pk",
    indexes=(Index("by_account", "account_id"),),
)

# Answers whose account could not be resolved yet, keyed by the identity that will resolve them
# (pk EMAIL#.. / EXT#.. / UNIDENTIFIED, sk the response key): released when the directory learns it.
QUARANTINE = TableSpec(
    logical_name="Quarantine", env_var="QUARANTINE_TABLE", partition_key="pk", sort_key="sk"
)

# Non-NPS signals per account and quarter (pk ACCOUNT#id, sk Q#quarter#kind): usage, support,
# engagement, commercial facts, outcomes. A later as_of replaces an earlier one.
SIGNALS = TableSpec(logical_name="Signals", env_var="SIGNALS_TABLE", partition_key="pk", sort_key="sk")

# Pre-renewal escalations (pk ACCOUNT#id, sk RENEWAL#date): one item per account and renewal date,
# written once by the scanner (so a renewal starts one execution however often the scanner runs),
# holding its execution and, while checkpoint 1 waits, the task token the answer resumes.
RENEWALS = TableSpec(logical_name="Renewals", env_var="RENEWALS_TABLE", partition_key="pk", sort_key="sk")

# Survey requests (pk CONTACT#program#contact, sk REQ#due#touchpoint): planned, suppressed (with the
# reason) or pending (a milestone registered for a later day: the sparse "pending" index finds them by
# due date); by_account counts an account's surveys in a month.
SURVEYS = TableSpec(
    logical_name="Surveys",
    env_var="SURVEYS_TABLE",
    partition_key="pk",
    sort_key="sk",
    indexes=(Index("by_account", "account_id", "due"), Index("pending", "pending", "due")),
)

# The quarterly refresh (pk QUARTER#q): sk ACCOUNT#id snapshots, BENCHMARK#dimension#value,
# BACKTEST, STATUS; and the versioned threshold sets (pk THRESHOLDS, sk the version).
REFRESH = TableSpec(logical_name="Refresh", env_var="REFRESH_TABLE", partition_key="pk", sort_key="sk")

# The privacy audit (pk CONTACT#id, sk time#action): one item per export or erasure of a contact's
# data, with who asked and what was touched (counts per table); no personal data beyond the contact id.
AUDIT = TableSpec(logical_name="Audit", env_var="AUDIT_TABLE", partition_key="pk", sort_key="sk")

TABLES = (
    RESPONSES,
    ROLLUPS,
    CASES,
    ACCOUNTS,
    CONNECTIONS,
    CONTACTS,
    QUARANTINE,
    SIGNALS,
    RENEWALS,
    SURVEYS,
    REFRESH,
    AUDIT,
)
