"""The QBR pack as a page: one HTML file and its PNG trend chart, from the QbrPack the reports API
returns (GET /v1/accounts/{account_id}/qbr). Local only: matplotlib is a dev dependency, never in Lambda.

Every value on the page passes through `html.escape`: account names, comments and case notes are
customer text.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from shared.domain.nps import NpsStat
from shared.services.reports import QbrCase, QbrPack

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>QBR: {name}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 62rem; color: #1d2630; }}
h1 {{ margin-bottom: .2rem; }} .meta {{ color: #56606b; margin-top: 0; }}
table {{ border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }}
th, td {{ border-bottom: 1px solid #d8dde3; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f5f7; }} .num {{ text-align: right; }} .flag {{ color: #a4471a; }}
section {{ margin-bottom: 1.5rem; }} img {{ max-width: 100%; }}
</style>
</head>
<body>
<h1>{name}</h1>
<p class="meta">{meta}</p>
<section id="agenda">
<h2>Agenda: {agenda_heading} ({agenda_scores})</h2>
<ol>{agenda_items}</ol>
</section>
<section id="nps">
<h2>NPS, last four quarters (95% margin of error)</h2>
<img src="{chart}" alt="NPS trend of {name} beside its segment, last four quarters">
<table><thead><tr><th>Quarter</th><th class="num">NPS</th><th class="num">± MoE</th><th class="num">n</th>
<th>Account band</th><th class="num">Segment benchmark ({segment})</th></tr></thead>
<tbody>{quarters}</tbody></table>
</section>
<section id="health">
<h2>Health {health_score}</h2>
<table><thead><tr><th>Input</th><th class="num">Score 0-100</th><th class="num">Weight</th></tr></thead>
<tbody>{health_rows}</tbody></table>
{health_notes}
</section>
<section id="open-cases">
<h2>Open cases ({open_count})</h2>
{open_cases}
</section>
<section id="closed-cases">
<h2>Closed cases ({closed_count})</h2>
{closed_cases}
</section>
<section id="loop">
<h2>You said / we did / outcome</h2>
{loop}
</section>
</body>
</html>
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _nps_cells(stat: NpsStat) -> str:
    if stat.nps is None or stat.margin_of_error is None:
        return '<td class="num">-</td><td class="num">-</td><td class="num">0</td>'
    flag = ' <span class="flag">insufficient sample</span>' if stat.insufficient_sample else ""
    nps, moe = _e(f"{stat.nps:+.0f}"), _e(f"{stat.margin_of_error:.0f}")
    return f'<td class="num">{nps}{flag}</td><td class="num">{moe}</td><td class="num">{_e(stat.n)}</td>'


def _benchmark(stat: NpsStat) -> str:
    if stat.nps is None or stat.margin_of_error is None:
        return "-"
    return f"{stat.nps:+.0f} ±{stat.margin_of_error:.0f} (n={stat.n})"


def _cases(cases: list[QbrCase]) -> str:
    if not cases:
        return "<p>None.</p>"
    rows = "".join(
        f"<tr><td>{_e(c.rule)}</td><td>{_e(c.quarter)}</td><td>{_e(c.status)}</td><td>{_e(c.owner)}</td>"
        f"<td>{_e(c.due_at[:16].replace('T', ' '))}</td><td>{_e(c.summary)}</td></tr>"
        for c in cases
    )
    return (
        "<table><thead><tr><th>Rule</th><th>Quarter</th><th>Status</th><th>Owner</th><th>Due</th>"
        f"<th>Summary</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def render_html(pack: QbrPack, chart: str) -> str:
    account = pack.account
    renewal = f", renews {account.renewal_date.isoformat()}" if account.renewal_date else ""
    meta = (
        f"{account.account_id} · {account.segment} · {account.industry} · {account.region} · "
        f"ARR {account.arr:,.0f}{renewal} · CSM {account.team.csm} · QBR for {pack.quarter}"
    )
    quarters = "".join(
        f"<tr><td>{_e(q.quarter)}</td>{_nps_cells(q.nps)}<td>{_e(q.band or '-')}</td>"
        f'<td class="num">{_e(_benchmark(q.segment_benchmark))}</td></tr>'
        for q in pack.quarters
    )
    health = pack.health
    health_rows = "".join(
        f"<tr><td>{_e(name)}</td>"
        f'<td class="num">{_e("missing" if value is None else f"{value:.0f}")}</td>'
        f'<td class="num">{_e(f"{health.weights_used.get(name, 0):.0%}")}</td></tr>'
        for name, value in health.components.items()
    )
    notes = []
    if health.missing:
        notes.append(f"Missing inputs (their weight spread over the others): {', '.join(health.missing)}")
    notes += health.flags
    loop_rows = "".join(
        f"<tr><td>{_e(r.you_said)}</td><td>{_e(r.root_cause)}</td><td>{_e(r.we_did)}</td>"
        f"<td>{_e(r.outcome)}</td></tr>"
        for r in pack.you_said_we_did
    )
    loop = (
        "<table><thead><tr><th>You said</th><th>Root cause</th><th>We did</th><th>Outcome</th></tr></thead>"
        f"<tbody>{loop_rows}</tbody></table>"
        if loop_rows
        else "<p>No comments or scores recorded in cases yet.</p>"
    )
    return PAGE.format(
        name=_e(account.name),
        meta=_e(meta),
        agenda_heading=_e(pack.agenda.heading),
        agenda_scores=_e(pack.agenda.scores),
        agenda_items="".join(f"<li>{_e(item)}</li>" for item in pack.agenda.items),
        chart=_e(chart),
        segment=_e(account.segment),
        quarters=quarters,
        health_score="-" if health.score is None else _e(f"{health.score:.0f}/100"),
        health_rows=health_rows,
        health_notes="".join(f"<p class='flag'>{_e(note)}</p>" for note in notes),
        open_count=len(pack.open_cases),
        open_cases=_cases(pack.open_cases),
        closed_count=len(pack.closed_cases),
        closed_cases=_cases(pack.closed_cases),
        loop=loop,
    )


def render_chart(pack: QbrPack, path: Path) -> None:
    """The account's NPS per quarter with its 95% margin as error bars, beside its segment's."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display here
    import matplotlib.pyplot as plt

    labels = [q.quarter for q in pack.quarters]
    x = list(range(len(labels)))
    figure, axes = plt.subplots(figsize=(7, 3.2), dpi=110)
    for offset, label, stats, colour in (
        (-0.06, pack.account.name, [q.nps for q in pack.quarters], "#1f6feb"),
        (0.06, f"segment: {pack.account.segment}", [q.segment_benchmark for q in pack.quarters], "#8c959f"),
    ):
        shown = [
            (i + offset, s.nps, s.margin_of_error)
            for i, s in zip(x, stats, strict=True)
            if s.nps is not None and s.margin_of_error is not None
        ]
        if shown:
            axes.errorbar(
                [p for p, _, _ in shown],
                [nps for _, nps, _ in shown],
                yerr=[moe for _, _, moe in shown],
                fmt="o-",
                capsize=4,
                color=colour,
                label=label,
            )
    axes.axhline(0, color="#d0d7de", linewidth=1)
    axes.set_xticks(x, labels)
    axes.set_ylim(-105, 105)
    axes.set_ylabel("NPS")
    axes.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)


def write_qbr(pack: QbrPack, out_dir: Path) -> Path:
    """Writes qbr-<account>-<quarter>.html and its .png into `out_dir`; returns the HTML's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"qbr-{pack.account.account_id}-{pack.quarter}"
    chart = out_dir / f"{stem}.png"
    render_chart(pack, chart)
    page = out_dir / f"{stem}.html"
    page.write_text(render_html(pack, chart.name), encoding="utf-8")
    return page
