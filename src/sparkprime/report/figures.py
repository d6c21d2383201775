"""The report's charts as Plotly figures, built from a `ReplayResult` (no pandas).

One figure per question a risk reader asks of a replay, always in the order of `FIGURE_IDS`
(an empty series gets an empty chart that says so, so the page layout never changes):

- `rf-fan`: the RF distribution over time, p1-p99 / p5-p95 / p25-p75 bands and the median,
  with the pool's margin-call, reduce-only and liquidation rungs;
- `accounts-by-status`: accounts per status over time, stacked;
- `exposure-groups` / `exposure-venues`: peak and final gross exposure per asset group and per
  venue against the limit (hover: share of the total, % of the limit);
- `liquidations`: bad debt and fees per liquidation time, with cumulative bad debt;
- `sparklend-utilization` / `sparklend-rates`: per reserve over time;
- `sll-allocation`: the Liquidity Layer's allocation per venue, stacked.

Floats appear here only as chart coordinates; every exact figure stays in the tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Protocol, TypeVar

import plotly.graph_objects as go

from sparkprime.report.fmt import RAY, utc_iso, wad_to_float
from sparkprime.report.summary import status_names
from sparkprime.sim.result import LimitRecord, ReplayResult

__all__ = ["FIGURE_IDS", "ReportFigure", "report_figures"]

FIGURE_IDS: Final = (
    "rf-fan",
    "accounts-by-status",
    "exposure-groups",
    "exposure-venues",
    "liquidations",
    "sparklend-utilization",
    "sparklend-rates",
    "sll-allocation",
)
_STATUS_COLOURS: Final = {
    "healthy": "#2ca02c",
    "margin_call": "#f2c500",
    "reduce_only": "#ff7f0e",
    "liquidation": "#d62728",
    "liquidated": "#7b1f1f",
}
_BANDS: Final = (("p1_wad", "p99_wad", 0.15), ("p5_wad", "p95_wad", 0.25))
_HEIGHT_PX: Final = 420
_PALETTE: Final = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")


class _Timed(Protocol):
    @property
    def ts_s(self) -> int: ...


_R = TypeVar("_R", bound=_Timed)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportFigure:
    """A chart with its stable element id and its section heading."""

    div_id: str
    title: str
    figure: go.Figure


def _layout(fig: go.Figure, *, y_title: str, x_title: str = "time (UTC)") -> go.Figure:
    fig.update_layout(
        height=_HEIGHT_PX,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        template="plotly_white",
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def _empty(fig: go.Figure, why: str) -> go.Figure:
    fig.add_annotation(text=why, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _rf_fan(result: ReplayResult) -> go.Figure:
    fig = _layout(go.Figure(), y_title="risk factor (RF)")
    steps = [s for s in result.steps if s.rf_quantiles is not None]
    if not steps:
        return _empty(fig, "no account owed anything: no RF to show")
    x = [utc_iso(s.ts_s) for s in steps]

    def series(name: str) -> list[float]:
        return [wad_to_float(getattr(s.rf_quantiles, name)) for s in steps]

    for lo, hi, alpha in (*_BANDS, ("p25_wad", "p75_wad", 0.4)):
        label = f"{lo[:-4]}\u2013{hi[:-4]}"
        fig.add_trace(go.Scatter(x=x, y=series(hi), mode="lines", line={"width": 0},
                                 showlegend=False, name=hi[:-4], hoverinfo="skip"))  # fmt: skip
        fig.add_trace(
            go.Scatter(x=x, y=series(lo), mode="lines", line={"width": 0}, fill="tonexty",
                       fillcolor=f"rgba(31,119,180,{alpha})", name=label, hoverinfo="skip")
        )  # fmt: skip
    fig.add_trace(go.Scatter(x=x, y=series("p50_wad"), mode="lines", name="median",
                             line={"color": "#1f77b4", "width": 2}))  # fmt: skip
    upper = max(wad_to_float(s.rf_quantiles.p95_wad) for s in steps if s.rf_quantiles)
    if result.thresholds is not None:
        t = result.thresholds
        for label, value, colour, where in (
            ("margin call", t.margin_call_rf_wad, "#f2c500", "top left"),
            ("reduce only", t.reduce_only_rf_wad, "#ff7f0e", "top right"),
            ("liquidation", t.liquidation_rf_wad, "#d62728", "bottom left"),
        ):  # the rungs sit close together: their labels go to different corners
            fig.add_hline(y=wad_to_float(value), line={"color": colour, "dash": "dash"},
                          annotation_text=label, annotation_position=where)  # fmt: skip
            upper = max(upper, wad_to_float(value))
    # Lightly levered accounts have huge RFs: frame the body (p95), zoom out for the tail.
    fig.update_yaxes(range=[0, upper * 1.25])
    return fig


def _accounts(result: ReplayResult) -> go.Figure:
    fig = _layout(go.Figure(), y_title="accounts")
    if not result.steps:
        return _empty(fig, "no steps")
    x = [utc_iso(s.ts_s) for s in result.steps]
    names = status_names(k for s in result.steps for k in s.accounts_by_status)
    for name in names:
        y = [s.accounts_by_status.get(name, 0) for s in result.steps]
        colour = _STATUS_COLOURS.get(name, "#7f7f7f")
        fig.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines", stackgroup="status",
                                 line={"color": colour, "width": 0.5}))  # fmt: skip
    return fig


def _exposures(result: ReplayResult, scope: str) -> go.Figure:
    what = "asset group" if scope == "asset_group" else "venue"
    fig = _layout(go.Figure(), y_title=what, x_title="gross exposure (USD)")
    records = [r for r in result.limits if r.scope == scope]
    if not records:
        return _empty(fig, f"no {what} exposures recorded")
    by_name: defaultdict[str, list[LimitRecord]] = defaultdict(list)
    totals: defaultdict[int, int] = defaultdict(int)
    for r in records:
        by_name[r.name].append(r)
        totals[r.ts_s] += r.exposure_usd_wad
    names = sorted(by_name)
    peaks = [max(by_name[n], key=lambda r: (r.exposure_usd_wad, -r.ts_s)) for n in names]
    finals = [max(by_name[n], key=lambda r: r.ts_s) for n in names]

    def share(r: LimitRecord) -> str:
        total = totals[r.ts_s]
        pct = f"{100 * r.exposure_usd_wad / total:.1f}% of all {what}s" if total else "-"
        if r.limit_usd_wad:
            pct += f", {100 * r.exposure_usd_wad / r.limit_usd_wad:.1f}% of its limit"
        return pct

    over = [r.limit_usd_wad is not None and r.exposure_usd_wad > r.limit_usd_wad for r in peaks]
    for label, rows, colours in (
        ("peak", peaks, ["#d62728" if o else "#1f77b4" for o in over]),
        ("final", finals, ["#aec7e8"] * len(finals)),
    ):
        fig.add_trace(go.Bar(
            y=names, x=[wad_to_float(r.exposure_usd_wad) for r in rows], orientation="h",
            name=f"{label} exposure", marker={"color": colours},
            customdata=[share(r) for r in rows], hovertemplate="%{x:$,.0f} (%{customdata})",
        ))  # fmt: skip
    limited = [(n, r.limit_usd_wad) for n, r in zip(names, finals, strict=True) if r.limit_usd_wad]
    fig.add_trace(go.Scatter(
        y=[n for n, _ in limited], x=[wad_to_float(v) for _, v in limited], mode="markers",
        name="limit", marker={"symbol": "line-ns-open", "size": 22, "color": "#000",
                              "line": {"width": 3}},
    ))  # fmt: skip
    fig.update_layout(barmode="group", hovermode="y unified",
                      height=max(_HEIGHT_PX, 60 + 36 * len(names)))  # fmt: skip
    return fig


def _liquidations(result: ReplayResult) -> go.Figure:
    fig = _layout(go.Figure(), y_title="USD")
    if not result.liquidations and not result.steps:
        return _empty(fig, "no steps")
    bad: defaultdict[int, int] = defaultdict(int)
    fees: defaultdict[int, int] = defaultdict(int)
    for x in result.liquidations:
        bad[x.ts_s] += x.bad_debt_usd_wad
        fees[x.ts_s] += x.fee_usd_wad
    times = sorted(bad)
    for label, values, colour in (("bad debt", bad, "#d62728"), ("fees", fees, "#9467bd")):
        fig.add_trace(go.Bar(x=[utc_iso(t) for t in times], name=f"{label} per time",
                             y=[wad_to_float(values[t]) for t in times],
                             marker={"color": colour}))  # fmt: skip
    fig.add_trace(go.Scatter(
        x=[utc_iso(s.ts_s) for s in result.steps], name="cumulative bad debt", mode="lines",
        y=[wad_to_float(s.cum_bad_debt_usd_wad) for s in result.steps],
        line={"color": "#d62728", "shape": "hv"},
    ))  # fmt: skip
    fig.update_layout(barmode="group")
    if not result.liquidations:
        fig.add_annotation(text="no liquidations", showarrow=False, xref="paper",
                           yref="paper", x=0.5, y=0.9)  # fmt: skip
    return fig


def _group(records: Iterable[_R], key: Callable[[_R], str]) -> dict[str, list[_R]]:
    """Records by `key`, keys sorted, each list in time order."""
    out: defaultdict[str, list[_R]] = defaultdict(list)
    for r in records:
        out[key(r)].append(r)
    return {k: sorted(v, key=lambda r: r.ts_s) for k, v in sorted(out.items())}


def _sparklend(result: ReplayResult, *, rates: bool) -> go.Figure:
    fig = _layout(go.Figure(), y_title="annual rate (%)" if rates else "utilization (%)")
    if not result.sparklend:
        return _empty(fig, "no SparkLend reserves recorded")
    grouped = _group(result.sparklend, lambda r: r.reserve)
    for i, (reserve, rows) in enumerate(grouped.items()):
        x = [utc_iso(r.ts_s) for r in rows]
        colour = _PALETTE[i % len(_PALETTE)]  # one colour per reserve in both charts
        columns = (
            (("borrow", "variable_borrow_rate_ray", "solid"), ("supply", "supply_rate_ray", "dot"))
            if rates
            else (("", "utilization_ray", "solid"),)
        )
        for label, attr, dash in columns:
            y = [100 * wad_to_float(getattr(r, attr), RAY) for r in rows]
            name = f"{reserve} {label}".strip()
            fig.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines", legendgroup=reserve,
                                     line={"dash": dash, "color": colour}))  # fmt: skip
    return fig


def _sll(result: ReplayResult) -> go.Figure:
    fig = _layout(go.Figure(), y_title="allocated (USD)")
    if not result.sll:
        return _empty(fig, "no Spark Liquidity Layer allocations recorded")
    for venue, rows in _group(result.sll, lambda r: r.venue).items():
        fig.add_trace(go.Scatter(
            x=[utc_iso(r.ts_s) for r in rows], name=venue, mode="lines", stackgroup="sll",
            y=[wad_to_float(r.allocated_usd_wad) for r in rows],
        ))  # fmt: skip
    return fig


def report_figures(result: ReplayResult) -> tuple[ReportFigure, ...]:
    """Every chart of the report, in `FIGURE_IDS` order."""
    built = (
        ("RF distribution over time", _rf_fan(result)),
        ("Accounts by status", _accounts(result)),
        ("Gross exposure against limits, per asset group", _exposures(result, "asset_group")),
        ("Venue concentration against venue limits", _exposures(result, "venue")),
        ("Liquidations and bad debt", _liquidations(result)),
        ("SparkLend utilization per reserve", _sparklend(result, rates=False)),
        ("SparkLend rates per reserve", _sparklend(result, rates=True)),
        ("Spark Liquidity Layer allocation per venue", _sll(result)),
    )
    return tuple(
        ReportFigure(div_id=div_id, title=title, figure=fig)
        for div_id, (title, fig) in zip(FIGURE_IDS, built, strict=True)
    )
