"""`npsops report revenue`, `npsops report nps` and `npsops qbr ACCOUNT`: the reports API of a
running `npsops serve`, printed (or, for the QBR, rendered as an HTML page with its chart)."""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def add_insight_commands(commands: Any, default_url: str) -> dict[str, Handler]:
    """Adds the commands to the `npsops` sub-parsers; returns their handlers by command name."""
    report = commands.add_parser("report", help="revenue link and portfolio NPS from a running serve")
    kinds = report.add_subparsers(dest="report_kind", required=True)
    revenue = kinds.add_parser("revenue", help="renewal, churn, expansion, GRR, NRR by account NPS band")
    nps = kinds.add_parser("nps", help="portfolio and segment NPS, weighted, with significance")
    nps.add_argument("--by", default="segment", choices=("segment", "industry", "region", "lifecycle_stage"))
    for sub in (revenue, nps):
        sub.add_argument("--quarter", help="the last quarter shown, e.g. 2026-Q4 (default: the current one)")
        sub.add_argument("--quarters", type=int, default=4)
        sub.add_argument("--json", action="store_true", help="print the API's JSON instead")
        sub.add_argument("--url", default=default_url)
    qbr = commands.add_parser("qbr", help="write an account's QBR pack (HTML + PNG chart)")
    qbr.add_argument("account_id")
    qbr.add_argument("--quarter", help="the QBR's quarter (default: the current one)")
    qbr.add_argument("--out", default=".", help="directory for the page and its chart")
    qbr.add_argument("--url", default=default_url)
    return {"report": _report, "qbr": _qbr}


def _fetch(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=120) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as error:
        refused = json.loads(error.read() or b"{}")
        raise SystemExit(f"{error.code}: {refused.get('error') or refused.get('message')}") from error
    except urllib.error.URLError as error:
        raise SystemExit(
            f"no npsops serve at {url}: {error.reason} (start one with `npsops serve`)"
        ) from error


def _query(**values: Any) -> str:
    kept = {k: v for k, v in values.items() if v is not None}
    return f"?{urllib.parse.urlencode(kept)}" if kept else ""


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _report(args: argparse.Namespace) -> int:
    query = _query(quarter=args.quarter, quarters=args.quarters, by=getattr(args, "by", None))
    data = _fetch(f"{args.url}/v1/reports/{args.report_kind}{query}")
    if args.json:
        print(json.dumps(data, indent=2))
    elif args.report_kind == "revenue":
        print_revenue(data)
    else:
        print_nps(data)
    return 0


def print_revenue(data: dict[str, Any]) -> None:
    print("REVENUE BY ACCOUNT NPS BAND (band from the account's relational NPS in the quarter;")
    print("  rates over accounts with an outcome signal; renewal rate over renewals decided)")
    print(
        f"  {'quarter':<8} {'segment':<12} {'band':<10} {'accts':>5} {'renew':>6} {'churn':>6} "
        f"{'expand':>7} {'avg exp ARR':>12} {'GRR':>6} {'NRR':>6} {'ref yield':>9}"
    )
    for r in data["by_band"]:
        average = "-" if r["average_expansion_arr"] is None else f"{r['average_expansion_arr']:,.0f}"
        print(
            f"  {r['quarter']:<8} {r['segment'][:12]:<12} {r['band']:<10} {r['accounts']:>5} "
            f"{_pct(r['renewal_rate']):>6} {_pct(r['churn_rate']):>6} {_pct(r['expansion_rate']):>7} "
            f"{average:>12} {_pct(r['grr']):>6} {_pct(r['nrr']):>6} {_pct(r['reference_yield']):>9}"
        )
    print("\nSAVE RATE OF RECOVERY CASES (recovered / detractor cases whose follow-up was answered)")
    for s in data["save_rates"]:
        print(
            f"  {s['quarter']:<8} {s['segment'][:12]:<12} cases {s['detractor_cases']:>4}  followed up "
            f"{s['followed_up']:>4}  recovered {s['recovered']:>4}  save rate {_pct(s['save_rate'])}"
        )
    if not data["save_rates"]:
        print("  no detractor-recovery cases in these quarters")
    print("\nNPS MOVEMENT BESIDE NRR")
    for m in data["nps_beside_nrr"]:
        nps = "-" if m["nps"] is None else f"{m['nps']:+.0f}"
        change = "-" if m["nps_change"] is None else f"{m['nps_change']:+.0f}"
        print(
            f"  {m['quarter']:<8} {m['segment'][:12]:<12} NPS {nps:>5} ({change:>4})  NRR {_pct(m['nrr']):>6}"
        )


def _stat(s: dict[str, Any]) -> str:
    if s["nps"] is None:
        return "-"
    flag = "*" if s["insufficient_sample"] else ""
    return f"{s['nps']:+.0f} ±{s['margin_of_error']:.0f}{flag}"


def print_nps(data: dict[str, Any]) -> None:
    print(f"PORTFOLIO AND {data['grouped_by'].upper()} NPS (relational; 95% margin of error; * small sample)")
    print("  weighted margins use the effective sample size of the weights")
    print(
        f"  {'quarter':<8} {'group':<16} {'accts':>5} {'n':>5}  {'unweighted':>12} {'ARR-weighted':>13} "
        f"{'seat-weighted':>14}"
    )
    for g in data["groups"]:
        print(
            f"  {g['quarter']:<8} {g['group'][:16]:<16} {g['accounts']:>5} {g['unweighted']['n']:>5}  "
            f"{_stat(g['unweighted']):>12} {_stat(g['arr_weighted']):>13} {_stat(g['seat_weighted']):>14}"
        )
    for title, differences in (
        (
            f"DIFFERENCES BETWEEN {data['grouped_by'].upper()}S in {data['quarters'][-1]}",
            data["between_groups"],
        ),
        ("QUARTER OVER QUARTER", data["quarter_over_quarter"]),
    ):
        print(f"\n{title} (two-sample z on the trinomial variance; significant at 5%: |z| > 1.96)")
        for d in sorted(differences, key=lambda d: -abs(d["z"])):
            verdict = "SIGNIFICANT" if d["significant"] else "within noise"
            print(
                f"  {d['first']} vs {d['second']}: {d['difference']:+.0f} points, z {d['z']:+.2f}, "
                f"p {d['p_value']:.3f}  {verdict}"
            )
        if not differences:
            print("  nothing to compare")


def _qbr(args: argparse.Namespace) -> int:
    from local.qbr import write_qbr
    from shared.services.reports import QbrPack

    account = urllib.parse.quote(args.account_id, safe="")
    pack = QbrPack.model_validate(
        _fetch(f"{args.url}/v1/accounts/{account}/qbr{_query(quarter=args.quarter)}")
    )
    page = write_qbr(pack, Path(args.out))
    print(
        f"QBR pack for {pack.account.name} ({pack.quarter}): {page} (chart {page.with_suffix('.png').name})"
    )
    print(f"  agenda: {pack.agenda.heading} ({pack.agenda.scores}), {len(pack.agenda.items)} items")
    return 0
