"""The margin of every account at once: `prime.margin` as NumPy kernels over `BookArrays`.

The same steps as the scalar reference (`prime.margin`'s docstring), each a whole-array
operation, with no Python loop over accounts:

1. group nets N (accounts x groups) come priced in `BookArrays.group_net_usd`;
2. P&L per group and side: N x move_down, N x move_up (a pegged group's "up" is its down);
3. charge = max(0, -P&L_up, -P&L_down) per group, summed per account; stpv_up / stpv_down are
   the whole-book sides (gains included);
4. the unapproved charge (±100%, never offset) comes priced in `unapproved_usd`;
5. extra liquidation haircut on a positive stressed value; the liquidity add-on
   (`liquidity_addon`: the order-book walk of `prime.addons` on each account's net approved
   notional per symbol, one (accounts x columns) @ (columns x symbols) matmul);
6. RF = STPV / borrowed (0 if STPV <= 0, +inf with no debt); the status ladder compares the
   RF with each account's pool thresholds.

`grid_stpv` is `prime.scenarios.grid_stpv` for the whole book: a (columns x scenarios) shock
matrix, one (accounts x columns) @ (columns x scenarios) matmul per block of rows, and the
minimum per row; no accounts x assets x scenarios tensor.

Floats, not the scalar's floored ints: the results agree with `prime.margin` to a relative
1e-9 of the account's gross amounts (tests/risk), and a status can differ only for an RF
within that tolerance of a threshold.

Example:
    >>> import numpy as np
    >>> # a net long $100 at 20% and a net short $50 of a pegged group (never stressed up)
    >>> charge, up, down = group_charges(np.array([[100.0, -50.0]]),
    ...                                  np.array([-0.2, -0.1]), np.array([0.2, -0.1]))
    >>> float(charge[0]), float(up[0]), float(down[0])
    (20.0, 25.0, -15.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.policy import BPS
from sparkprime.prime.scenarios import Scenario
from sparkprime.prime.status import MarginStatus
from sparkprime.risk.book_arrays import BookArrays, FloatArray, IntArray

__all__ = [
    "STATUS_ORDER",
    "GridBatch",
    "MarginBatch",
    "grid_stpv",
    "group_charges",
    "liquidity_addon",
    "margin_batch",
    "risk_factor",
    "scenario_matrix",
    "status",
    "status_codes",
    "stpv_rows",
    "stpv_two_sided",
    "unwind_cost_usd",
]

STATUS_ORDER: tuple[MarginStatus, ...] = (
    MarginStatus.HEALTHY,
    MarginStatus.MARGIN_CALL,
    MarginStatus.REDUCE_ONLY,
    MarginStatus.LIQUIDATION,
)  # a status code is an index into this tuple

Int8Array = npt.NDArray[np.int8]


def group_charges(
    group_net: FloatArray, move_down: FloatArray, move_up: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(Σ charges, Σ P&L up, Σ P&L down) per row of `group_net` (rows x groups)."""
    pnl_down = group_net * move_down
    pnl_up = group_net * move_up
    charge = np.maximum(np.maximum(-pnl_up, -pnl_down), 0.0)
    return charge.sum(axis=-1), pnl_up.sum(axis=-1), pnl_down.sum(axis=-1)


def unwind_cost_usd(size_usd: FloatArray, d1_usd: FloatArray, d2_usd: FloatArray) -> FloatArray:
    """`prime.addons.unwind_cost_usd_wad` elementwise: the order-book walk, capped at size."""
    s = np.abs(size_usd)
    x = s - d1_usd
    inner = s * s / (200.0 * d1_usd)
    outer = d1_usd / 200.0 + x / 100.0 + x * x / (200.0 * (d2_usd - d1_usd))
    return np.minimum(np.where(s <= d1_usd, inner, outer), s)


def liquidity_addon(arr: BookArrays, notional_usd: FloatArray | None = None) -> FloatArray:
    """The add-on per row: Σ over symbols with a depth of the unwind cost of the net."""
    notional = arr.notional_usd if notional_usd is None else notional_usd
    rows = notional.shape[:-1]
    if not arr.has_depth.any():
        return np.zeros(rows, dtype=np.float64)
    has = arr.has_depth
    net = notional @ arr.symbol_onehot[:, has]
    cost = unwind_cost_usd(net, arr.depth_1pct_usd[has], arr.depth_2pct_usd[has])
    return np.asarray(cost.sum(axis=-1), dtype=np.float64)


def stpv_rows(
    arr: BookArrays,
    *,
    group_net: FloatArray,
    value: FloatArray,
    unapproved: FloatArray,
    extra_rate: FloatArray,
    addon: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(STPV, stpv_up, stpv_down) of rows given their priced parts (steps 2-5)."""
    charge, pnl_up, pnl_down = group_charges(group_net, arr.move_down, arr.move_up)
    stressed = value - charge - unapproved
    extra = np.maximum(stressed, 0.0) * extra_rate
    stpv = stressed - extra - addon
    return stpv, value + pnl_up - unapproved, value + pnl_down - unapproved


def stpv_two_sided(arr: BookArrays) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(STPV, stpv_up, stpv_down) of every account, in USD (the scalar's definitions)."""
    return stpv_rows(arr, group_net=arr.group_net_usd, value=arr.value_usd,
                     unapproved=arr.unapproved_usd, extra_rate=arr.extra_haircut_rate,
                     addon=liquidity_addon(arr))  # fmt: skip


def risk_factor(stpv_usd: FloatArray, borrowed_usd: FloatArray) -> FloatArray:
    """RF = STPV / borrowed; 0 when STPV <= 0; +inf when nothing is borrowed."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rf = np.where(stpv_usd > 0, stpv_usd / borrowed_usd, 0.0)
    return np.where(borrowed_usd > 0, rf, np.inf)


def status_codes(
    rf: FloatArray, liquidation_rf: FloatArray, reduce_only_rf: FloatArray,
    margin_call_rf: FloatArray,
) -> Int8Array:  # fmt: skip
    """The ladder of `prime.status.rf_status` as codes into `STATUS_ORDER`."""
    codes = np.zeros(rf.shape, dtype=np.int8)
    codes[rf <= margin_call_rf] = 1
    codes[rf <= reduce_only_rf] = 2
    codes[rf < liquidation_rf] = 3
    return codes


def status(arr: BookArrays, rf: FloatArray) -> Int8Array:
    """Every account's status code under its own pool's thresholds."""
    return status_codes(rf, arr.liquidation_rf, arr.reduce_only_rf, arr.margin_call_rf)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MarginBatch:
    """Every account's margin, in USD floats (names as in `prime.margin.MarginResult`)."""

    value_usd: FloatArray
    unapproved_charge_usd: FloatArray
    stpv_up_usd: FloatArray
    stpv_down_usd: FloatArray
    addon_usd: FloatArray
    stpv_usd: FloatArray
    borrowed_usd: FloatArray
    rf: FloatArray
    status_code: Int8Array


def margin_batch(arr: BookArrays) -> MarginBatch:
    """Re-margin the whole book as priced in `arr`."""
    addon = liquidity_addon(arr)
    stpv, up, down = stpv_rows(arr, group_net=arr.group_net_usd, value=arr.value_usd,
                               unapproved=arr.unapproved_usd,
                               extra_rate=arr.extra_haircut_rate, addon=addon)  # fmt: skip
    rf = risk_factor(stpv, arr.borrowed_usd)
    return MarginBatch(value_usd=arr.value_usd, unapproved_charge_usd=arr.unapproved_usd,
                       stpv_up_usd=up, stpv_down_usd=down, addon_usd=addon, stpv_usd=stpv,
                       borrowed_usd=arr.borrowed_usd, rf=rf,
                       status_code=status(arr, rf))  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class GridBatch:
    """The grid's worst value per account and the index of its binding scenario."""

    names: tuple[str, ...]
    stpv_usd: FloatArray
    binding: IntArray


def scenario_matrix(arr: BookArrays, scenarios: Sequence[Scenario]) -> FloatArray:
    """Columns x scenarios price moves (fractions), by symbol, else group, else 0."""
    shocks = np.zeros((len(arr.col_symbols), len(scenarios)), dtype=np.float64)
    for c, sym in enumerate(arr.col_symbols):
        g = int(arr.col_group[c])
        group_name = None if g < 0 else arr.group_names[g]
        for s, scen in enumerate(scenarios):
            shocks[c, s] = scen.shock_bps(symbol=sym, group_name=group_name) / BPS
    return shocks


def grid_stpv(
    arr: BookArrays, scenarios: Iterable[Scenario], *, block_rows: int = 16_384
) -> GridBatch:
    """min over `scenarios` of value + approved notional x shock - unapproved, per account."""
    scen = tuple(scenarios)
    if not scen:
        raise ProtocolError(ErrorCode.PRIME_INVALID_SCENARIO, name="<grid>",
                            reason="a grid needs at least one scenario")  # fmt: skip
    shocks = scenario_matrix(arr, scen)
    base = arr.value_usd - arr.unapproved_usd
    n = arr.n_accounts
    worst = np.empty(n, dtype=np.float64)
    binding = np.empty(n, dtype=np.int64)
    for start in range(0, n, block_rows):  # blocks of rows bound the accounts x scenarios temp
        stop = min(start + block_rows, n)
        values = arr.notional_usd[start:stop] @ shocks
        idx = np.argmin(values, axis=1)
        binding[start:stop] = idx
        worst[start:stop] = values[np.arange(stop - start), idx] + base[start:stop]
    return GridBatch(names=tuple(s.name for s in scen), stpv_usd=worst, binding=binding)
