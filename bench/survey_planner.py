"""The daily survey planner on the embedded AWS: how long a day's plan takes for a directory of
contacts, and its re-run (everything already decided). Prints; asserts nothing.

    .venv/bin/python -m bench.survey_planner [--contacts 1000] [--per-account 5]

Every contact's relational survey falls due by the 60th day of the quarter, so planning that day
decides every contact once: a fatigue check against the contact's history and the account's month,
one conditional put and one event each. Local figures are moto's, not
DynamoDB's: read them as the planner's own work per contact, comparable run to run.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from local.aws import EmbeddedAws
from shared.config import SurveySettings
from shared.domain.contacts import Contact
from shared.store.contacts import ContactRepository

DAY = datetime(2026, 11, 29, 6, tzinfo=UTC)  # the relational spread's last day of 2026-Q4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--per-account", type=int, default=5)
    args = parser.parse_args()
    with EmbeddedAws() as aws:
        directory = ContactRepository(SurveySettings.from_env().contacts_table)
        for i in range(args.contacts):
            account = f"acct-{i // args.per_account:04}"
            directory.put(Contact(contact_id=f"c-{i:05}", account_id=account, email=f"c{i}@example.com"))
        for label in ("first run", "re-run (all decided)"):
            started = time.perf_counter()
            plan = aws.fire_schedule("survey-planner", DAY)
            seconds = time.perf_counter() - started
            per_contact = seconds * 1000 / args.contacts
            print(
                f"{label:<22} {args.contacts} contacts: {seconds:.2f} s ({per_contact:.1f} ms per contact); "
                f"planned {plan['planned']}, suppressed {plan['suppressed']}, "
                f"already decided {plan['already_decided']}"
            )


if __name__ == "__main__":
    main()
