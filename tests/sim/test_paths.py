"""Synthetic (GBM + Merton jumps) and historical price paths."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.rng import Rng
from sparkprime.presets.price_scenarios import price_scenario
from sparkprime.sim.paths import (
    SECONDS_PER_YEAR,
    AssetParams,
    CrashFactor,
    PegParams,
    PricePath,
    SyntheticConfig,
    cholesky_factor,
    historical_path,
    synthetic_path,
    synthetic_paths,
)

DAY = 86_400


def _cfg(**kw: Any) -> SyntheticConfig:
    base: dict[str, Any] = {
        "assets": (
            AssetParams(symbol="ETH", start_usd=2000.0, drift_per_year=0.1, vol_per_year=0.8),
        ),
        "step_s": DAY,
        "steps": 365,
    }
    base.update(kw)
    return SyntheticConfig(**base)


def test_same_seed_same_path_other_seed_other_path():
    cfg = _cfg(pegs=(PegParams(symbol="USDC", depeg_rate_per_year=5.0),))
    a = synthetic_path(cfg, Rng(7).child("prices"))
    assert a == synthetic_path(cfg, Rng(7).child("prices"))
    assert a != synthetic_path(cfg, Rng(8).child("prices"))
    assert a != synthetic_path(cfg, Rng(7).child("other"))
    assert a.symbols == ("ETH", "USDC")
    assert a.times_s[1] - a.times_s[0] == DAY


def test_gbm_log_returns_have_the_parameters_mean_and_vol():
    mu, sigma = 0.1, 0.8
    paths = synthetic_paths(_cfg(), Rng(1), 2000)
    r = np.diff(np.log(paths[:, :, 0]), axis=1).ravel()
    dt = DAY / SECONDS_PER_YEAR
    se_mean = sigma * math.sqrt(dt) / math.sqrt(r.size)
    assert abs(r.mean() - (mu - sigma**2 / 2) * dt) < 5 * se_mean
    assert r.std() == pytest.approx(sigma * math.sqrt(dt), rel=0.005)


def test_jumps_are_compensated_so_the_mean_price_grows_at_the_drift():
    cfg = _cfg(
        assets=(
            AssetParams(
                symbol="SOL",
                start_usd=100.0,
                drift_per_year=0.2,
                vol_per_year=0.5,
                jump_rate_per_year=6.0,
                jump_mean_log=-0.08,
                jump_std_log=0.05,
                crash_beta=1.5,
            ),
        ),
        crash=CrashFactor(rate_per_year=2.0, mean_log=-0.15, std_log=0.05),
        steps=90,
    )
    end = synthetic_paths(cfg, Rng(3), 40_000)[:, -1, 0]
    t = 90 * DAY / SECONDS_PER_YEAR
    se = end.std() / math.sqrt(end.size)
    assert abs(end.mean() - 100.0 * math.exp(0.2 * t)) < 4 * se


def test_correlation_is_recovered():
    corr = ((1.0, 0.8, 0.3), (0.8, 1.0, 0.5), (0.3, 0.5, 1.0))
    assets = tuple(AssetParams(symbol=s, start_usd=10.0, vol_per_year=0.6) for s in "ABC")
    paths = synthetic_paths(_cfg(assets=assets, correlation=corr), Rng(4), 300)
    r = np.diff(np.log(paths), axis=1).reshape(-1, 3)
    assert np.allclose(np.corrcoef(r.T), np.array(corr), atol=0.01)


def test_jump_frequency_matches_the_rate():
    # No diffusion, fixed jump size: each step's log return counts its jumps exactly.
    lam, size = 50.0, -0.01
    a = AssetParams(symbol="X", start_usd=1.0, jump_rate_per_year=lam, jump_mean_log=size)
    paths = synthetic_paths(_cfg(assets=(a,)), Rng(5), 400)
    dt = DAY / SECONDS_PER_YEAR
    drift = -lam * (math.exp(size) - 1.0) * dt
    counts = (np.diff(np.log(paths[:, :, 0]), axis=1) - drift) / size
    assert np.allclose(counts, np.rint(counts), atol=1e-6)
    expected = lam * dt
    se = math.sqrt(expected / counts.size)
    assert abs(counts.mean() - expected) < 5 * se


def test_the_crash_factor_hits_every_asset_at_once_scaled_by_its_beta():
    assets = tuple(
        AssetParams(symbol=s, start_usd=1.0, crash_beta=b) for s, b in (("A", 1.0), ("B", 2.0))
    )
    cfg = _cfg(assets=assets, crash=CrashFactor(rate_per_year=20.0, mean_log=-0.1, std_log=0.03))
    r = np.diff(np.log(synthetic_paths(cfg, Rng(6), 200)), axis=1)
    dt = DAY / SECONDS_PER_YEAR
    comp = [20.0 * (math.exp(b * -0.1 + (b * 0.03) ** 2 / 2) - 1) * dt for b in (1.0, 2.0)]
    jumps_a, jumps_b = r[..., 0] + comp[0], r[..., 1] + comp[1]
    hit = np.abs(jumps_a) > 1e-12
    assert hit.any()
    assert np.array_equal(hit, np.abs(jumps_b) > 1e-12)
    assert np.allclose(jumps_b, 2.0 * jumps_a)


def test_pegged_assets_stay_near_the_peg_without_jumps_and_depeg_with_them():
    calm = _cfg(
        assets=(), pegs=(PegParams(symbol="USDC", vol_per_year=0.02),), step_s=3600, steps=24 * 30
    )
    p = synthetic_paths(calm, Rng(9), 500)[..., 0]
    stationary_sd = 0.02 / math.sqrt(2 * 365.0)
    assert np.abs(np.log(p)).max() < 6 * stationary_sd
    assert np.log(p).std() == pytest.approx(stationary_sd, rel=0.05)
    shaky = _cfg(
        assets=(),
        pegs=(PegParams(symbol="USDe", depeg_rate_per_year=12.0, depeg_mean_log=-0.05),),
        step_s=3600,
        steps=24 * 30,
    )
    q = synthetic_paths(shaky, Rng(9), 500)[..., 0]
    assert q.min() < 0.97
    assert np.median(q[:, -1]) == pytest.approx(1.0, abs=0.002)  # it reverts


@pytest.mark.parametrize(
    ("matrix", "reason"),
    [
        (((1.0, 0.9, 0.9), (0.9, 1.0, -0.9), (0.9, -0.9, 1.0)), "not positive semi-definite"),
        (((1.0, 0.5), (0.4, 1.0)), "matrix is not symmetric"),
        (((2.0, 0.0), (0.0, 1.0)), "within [-1, 1]"),
        (((0.5, 0.0), (0.0, 0.5)), "diagonal entries must be 1"),
        (((1.0, 0.0),), "is not square"),
    ],
)
def test_bad_correlations_are_refused(matrix, reason):
    with pytest.raises(ProtocolError) as info:
        cholesky_factor(matrix)
    assert info.value.code is ErrorCode.PRICE_PATH_INVALID
    assert info.value.context["field"] == "correlation"
    assert reason in info.value.message


def test_a_singular_psd_correlation_still_factors():
    c = np.array([[1.0, 1.0], [1.0, 1.0]])
    f = cholesky_factor(c)
    assert np.allclose(f @ f.T, c)


def test_price_path_checks_and_e8_conversion():
    p = PricePath(
        times_s=np.array([0, 60]), symbols=("BTC",), prices_usd=np.array([[1.23456789], [2.0]])
    )
    assert p.price_usd_e8_at(0) == {"BTC": 123_456_789}
    assert p.prices_usd_e8().dtype == np.int64
    with pytest.raises(ProtocolError, match="times must be strictly increasing"):
        PricePath(times_s=np.array([0, 0]), symbols=("B",), prices_usd=np.ones((2, 1)))
    with pytest.raises(ProtocolError, match="finite and positive"):
        PricePath(times_s=np.array([0]), symbols=("B",), prices_usd=np.zeros((1, 1)))
    with pytest.raises(ProtocolError, match="shape"):
        PricePath(times_s=np.array([0]), symbols=("B", "C"), prices_usd=np.ones((1, 1)))


def test_historical_path_applies_the_checkpoints():
    s = price_scenario("black_thursday_2020")
    p = historical_path(s, {"ETH": 200.0, "USDC": 1.0}, DAY, start_ts_s=1_000)
    assert p.times_s[0] == 1_000
    assert p.steps == 9  # 2020-03-11 .. 03-19
    assert p.prices_usd[1, 0] == pytest.approx(200.0 * (1 - 0.4305))
    assert p.prices_usd[5, 0] == pytest.approx(200.0 * (1 - 0.4285))
    # 03-14 lies between 03-13 (day 2) and 03-16 (day 5): one third of the way in log price.
    lo, hi = 200.0 * (1 - 0.3174), 200.0 * (1 - 0.4285)
    assert p.prices_usd[3, 0] == pytest.approx(lo * (hi / lo) ** (1 / 3))
    assert p.prices_usd[0, 1] == pytest.approx(1.0016)  # a stablecoin shows its deviation


def test_historical_lst_rides_its_underlying_and_its_discount():
    s = price_scenario("luna_steth_2022")
    p = historical_path(s, {"ETH": 2000.0, "stETH": 2000.0}, DAY)
    assert p.prices_usd[-1, 1] == pytest.approx(2000.0 * (1 - 0.6386) * (1 - 0.0642))


def test_historical_path_input_errors_name_the_field():
    s = price_scenario("ftx_2022")
    with pytest.raises(ProtocolError, match="step_s: 7777 must be a positive divisor"):
        historical_path(s, {"ETH": 1.0}, 7777)
    with pytest.raises(ProtocolError, match="start_prices: ftx_2022 has no move for 'FOO'"):
        historical_path(s, {"FOO": 1.0}, DAY)
    with pytest.raises(ProtocolError, match=r"start_prices.ETH: -1.0 must be positive"):
        historical_path(s, {"ETH": -1.0}, DAY)
