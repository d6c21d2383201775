"""The replay result schema (sim/result.py): exact JSON round trips and refusals by field."""

from __future__ import annotations

import doctest
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.report.json_out import read_json_result, write_json_result
from sparkprime.sim import result as result_module
from sparkprime.sim.result import RF_PERCENTILES, ReplayResult, RfQuantiles, StepRecord
from tests.report.sample import BIG_WAD, WAD, sample_result

FUZZ = int(os.environ.get("SPARKPRIME_FUZZ", "1"))


def test_doctests() -> None:
    outcome = doctest.testmod(result_module)
    assert outcome.failed == 0
    assert outcome.attempted > 0


# --- JSON ----------------------------------------------------------------------------------


def test_json_round_trip_is_exact() -> None:
    r = sample_result()
    text = r.to_json()
    back = ReplayResult.from_json(text)
    assert back == r
    assert back.to_json() == text
    assert back.sparklend[0].supplied_usd_wad == BIG_WAD == 123_456_789_012_345_678_901_234_567
    assert type(back.steps[3].cum_bad_debt_usd_wad) is int
    assert back.steps[3].rf_quantiles == r.steps[3].rf_quantiles
    assert back.summary.accounts_by_status == {"healthy": 5, "liquidated": 1}


def test_json_is_canonical() -> None:
    text = sample_result().to_json()
    assert text.endswith("}\n")
    assert ", " not in text  # compact separators
    assert '": ' not in text
    raw = json.loads(text)
    assert list(raw) == sorted(raw)
    assert raw["schema_version"] == 1
    # a wad beyond 2**53 is written with all its digits, as a JSON integer
    assert '"supplied_usd_wad":123456789012345678901234567' in text
    # mappings are written sorted, whatever order they were given in
    assert list(raw["steps"][0]["prices_usd_wad"]) == ["USDC", "WBTC", "WETH"]


def test_json_file_round_trip(tmp_path: Path) -> None:
    path = write_json_result(sample_result(), tmp_path / "result.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]
    assert read_json_result(path) == sample_result()
    assert path.read_text() == sample_result().to_json()


def _mutated(edit: object) -> str:
    raw = json.loads(sample_result().to_json())
    assert callable(edit)
    edit(raw)
    return json.dumps(raw)


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (lambda r: r["steps"][2].update(total_debt_usd_wad=1.5), None, "not an integer"),
        (lambda r: r.update(seed="42"), "ReplayResult.seed", "expected int, got str"),
        (lambda r: r.update(seed=True), "ReplayResult.seed", "expected int, got bool"),
        (lambda r: r.update(extra=1), "ReplayResult", "unknown field(s) ['extra']"),
        (lambda r: r["summary"].pop("recalls"), "ReplayResult.summary", "missing field(s)"),
        (
            lambda r: r["steps"][1].update(ts_s=r["steps"][0]["ts_s"]),
            "ReplayResult.steps[1].ts_s",
            "is not after",
        ),
        (
            lambda r: r["steps"][4]["rf_quantiles"].update(p5_wad=10**30),
            "ReplayResult.steps[4].rf_quantiles.p1_wad..p99_wad",
            "non-decreasing",
        ),
        (
            lambda r: r["liquidations"][1].update(bad_debt_usd_wad=-1),
            "ReplayResult.liquidations[1].bad_debt_usd_wad",
            "-1 is negative",
        ),
        (
            lambda r: r["steps"][0]["prices_usd_wad"].update(WETH=-5),
            "ReplayResult.steps[0].prices_usd_wad.WETH",
            "-5 is negative",
        ),
        (
            lambda r: r["limits"][0].update(scope="chain"),
            "ReplayResult.limits[0].scope",
            "'chain' is not one of",
        ),
        (lambda r: r.update(steps={}), "ReplayResult.steps", "expected a list, got dict"),
        (
            lambda r: r["steps"][3].update(step=7),
            "ReplayResult.steps[3].step",
            "7 is not its index 3",
        ),
    ],
)
def test_from_json_refuses_by_field(edit: object, field: str | None, reason: str) -> None:
    with pytest.raises(ProtocolError) as err:
        ReplayResult.from_json(_mutated(edit))
    assert err.value.code is ErrorCode.RESULT_INVALID
    if field is not None:
        assert err.value.context["field"] == field
    assert reason in err.value.context["reason"]


@pytest.mark.parametrize("text", ["", "{", "[1, 2", "NaN", '{"seed": Infinity}', b"\xff\xfe"])
def test_from_json_refuses_non_json(text: str | bytes) -> None:
    with pytest.raises(ProtocolError) as err:
        ReplayResult.from_json(text)
    assert err.value.code is ErrorCode.RESULT_INVALID


def test_from_json_refuses_other_schema_versions() -> None:
    with pytest.raises(ProtocolError) as err:
        ReplayResult.from_json(_mutated(lambda r: r.update(schema_version=2)))
    assert err.value.code is ErrorCode.RESULT_SCHEMA_VERSION
    assert err.value.context == {"got": 2, "expected": 1}


def test_records_are_frozen_and_mappings_read_only() -> None:
    r = sample_result()
    with pytest.raises(AttributeError):
        r.seed = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.steps[0].prices_usd_wad["WETH"] = 0  # type: ignore[index]


def test_step_built_from_a_plain_dict_is_sorted_and_copied() -> None:
    prices = {"WETH": 2 * WAD, "USDC": WAD}
    step = replace(sample_result().steps[0], prices_usd_wad=prices)
    prices["WETH"] = 0  # the record took a copy
    assert list(step.prices_usd_wad.items()) == [("USDC", WAD), ("WETH", 2 * WAD)]
    assert isinstance(step, StepRecord)


# --- RF quantiles --------------------------------------------------------------------------


def test_nearest_rank_quantiles_by_hand() -> None:
    # 200 RFs 1..200 (wad): the p-th percentile is the ceil(p * 200 / 100)-th = 2p-th value
    q = RfQuantiles.of([k * WAD for k in range(200, 0, -1)])
    assert q is not None
    assert q.values() == tuple(k * WAD for k in (2, 10, 50, 100, 150, 190, 198))
    assert q.accounts == 200
    # 7 RFs: ceil(7p/100) = 1, 1, 2, 4, 6, 7, 7
    q7 = RfQuantiles.of([10, 20, 30, 40, 50, 60, 70])
    assert q7 is not None
    assert q7.values() == (10, 10, 20, 40, 60, 70, 70)
    assert RfQuantiles.of([]) is None


@settings(max_examples=200 * FUZZ, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**24), min_size=1, max_size=300))
def test_quantiles_satisfy_the_nearest_rank_definition(rfs: list[int]) -> None:
    q = RfQuantiles.of(rfs)
    assert q is not None
    n = len(rfs)
    for p, value in zip(RF_PERCENTILES, q.values(), strict=True):
        assert value in rfs
        # at least p% of the values are <= it, and fewer than p% are < it
        assert 100 * sum(v <= value for v in rfs) >= p * n
        assert 100 * sum(v < value for v in rfs) < p * n


@pytest.mark.parametrize("accounts", [0, -1])
def test_quantiles_of_no_account_are_refused(accounts: int) -> None:
    with pytest.raises(ProtocolError) as err:
        RfQuantiles(p1_wad=1, p5_wad=1, p25_wad=1, p50_wad=1, p75_wad=1, p95_wad=1, p99_wad=1,
                    accounts=accounts)  # fmt: skip
    assert err.value.context["field"] == "accounts"
