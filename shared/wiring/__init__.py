"""The composition root: the one place that builds repositories, AWS clients and services from a
function's settings (shared/config.py). Services take their collaborators as parameters and never
read settings; a handler calls one factory here at cold start and one service function per event.

One module per capability, so a function imports only the services it runs (its cold start, and
tests/unit/test_cold_start_imports.py): pipeline.py (the response pipeline's steps),
closed_loop.py (cases, surveys, renewals), accounts.py (signals and the account list),
reports.py, intake.py (the generic intake), connections.py (vendor connections, webhooks, the
directory), privacy.py, imports.py (bulk import), refresh.py, reconcile.py, redrive.py.
"""
