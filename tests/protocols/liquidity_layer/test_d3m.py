"""D3M hub, plans and the Aave v3 pool adapter over a SparkLend market.

Ported: makerdao/dss-direct-deposit `src/tests/plans/D3MAaveTypeBufferPlan.t.sol` (every
numeric case), `src/tests/plans/D3MAaveV2TypeRateTargetPlan.t.sol` (`test_interest_rate_calc`
with its 1 bp tolerance, bar too high/low, getTargetAssets monotonic, active/disable), and
`src/tests/plans/D3MOperatorPlan.t.sol` (invalid-value, operator auth). The hub tests check
`D3MHub._normal`'s rules on a live market: target reached, borrow rate within 1 bp of `bar`,
line and Line respected, unwind on a lower target, cage/cull, all-or-nothing.
"""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.protocols.liquidity_layer.d3m import D3MAaveV3Pool, D3MHub, D3MVat
from sparkprime.protocols.liquidity_layer.d3m_plans import (
    D3MAaveRateTargetPlan,
    D3MAaveTypeBufferPlan,
    D3MOperatorPlan,
    target_supply,
)
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.rate_strategies import CalculateInterestRatesParams

from ..sparklend.sparklend_test_base import ETHER, SparkLendTestBase

ILK = b"DIRECT-SPARK-DAI"
TOLERANCE = RAY // 10_000  # 1 bp, as INTEREST_RATE_TOLERANCE upstream
GOV = make_addr("gov")


class Setup(SparkLendTestBase):
    """A market whose borrow asset plays DAI; a borrower has drawn `borrowed` of it."""

    def __init__(self, *, supplied: int = 1_000 * ETHER, borrowed: int = 500 * ETHER) -> None:
        super().__init__()
        self.dai_token = self.token(self.borrow_asset.address)
        self.dai = self.dai_token.address
        lender, borrower = make_addr("lender"), make_addr("borrower")
        if supplied:
            self.supply(lender, self.dai, supplied)
        coll = self.collateral_asset.address
        self.configurator.configure_reserve_as_collateral(coll, 8000, 8500, 10500)
        self.supply_and_use_as_collateral(borrower, coll, 10 * supplied + 1)
        self.configurator.set_reserve_borrowing(self.dai, True)
        if borrowed:
            self.borrow(borrower, self.dai, borrowed)
        self.vow = make_addr("vow")
        self.vat = D3MVat(atomic=self.registry.atomic)
        self.vat.init_ilk(ILK, line_rad=10**9 * ETHER * RAY)
        hub_address = make_addr("d3m hub")
        self.hub = D3MHub(
            address=hub_address,
            vat=self.vat,
            dai=self.dai_token,
            vow=self.vow,
            clock=self.clock,
            atomic=self.registry.atomic,
            sender=GOV,
        )
        self.d3m_pool = D3MAaveV3Pool(
            address=make_addr("d3m pool"), hub=hub_address, dai=self.dai_token, market=self.pool
        )

    def liquidity(self) -> int:
        return self.dai_token.balance_of(self.a_borrow_asset.address)

    def borrow_rate(self) -> int:
        return self.pool.get_reserve_data(self.dai).current_variable_borrow_rate


# --- D3MAaveTypeBufferPlan.t.sol -----------------------------------------------------------


@pytest.fixture
def buffer_case():
    s = Setup(supplied=0, borrowed=0)
    plan = D3MAaveTypeBufferPlan(market=s.pool, dai=s.dai_token, sender=GOV)

    def liquidity(value: int) -> None:
        s.dai_token.set_balance(s.a_borrow_asset.address, value)

    return plan, liquidity


@pytest.mark.parametrize(
    ("liquidity", "buffer", "current", "target"),
    [
        (40, 100, 0, 60),  # test_liquidity_less_than_buffer
        (100, 100, 0, 0),  # test_liquidity_equals_buffer
        (100, 40, 200, 140),  # test_liquidity_greater_than_buffer_partial_unwind
        (100, 40, 40, 0),  # test_liquidity_greater_than_buffer_full_unwind
        (100, 0, 10_000, 0),  # test_buffer_equals_zero
        (0, 100, 20, 120),  # test_increase_liquidity
    ],
)
def test_buffer_plan_cases(buffer_case, liquidity, buffer, current, target):
    plan, set_liquidity = buffer_case
    set_liquidity(liquidity * ETHER)
    plan.file_buffer(buffer * ETHER, sender=GOV)
    assert plan.get_target_assets(current * ETHER) == target * ETHER


def test_buffer_plan_sole_and_multiple_providers(buffer_case):
    plan, set_liquidity = buffer_case
    plan.file_buffer(100 * ETHER, sender=GOV)
    assert plan.get_target_assets(0) == 100 * ETHER
    set_liquidity(80 * ETHER)  # someone borrowed 20
    assert plan.get_target_assets(100 * ETHER) == 120 * ETHER
    set_liquidity(120 * ETHER)  # they returned it
    assert plan.get_target_assets(120 * ETHER) == 100 * ETHER
    set_liquidity(150 * ETHER)  # someone else added 50
    assert plan.get_target_assets(100 * ETHER) == 50 * ETHER
    set_liquidity(300 * ETHER)
    assert plan.get_target_assets(50 * ETHER) == 0


def test_buffer_plan_active_and_disable(buffer_case):
    plan, _ = buffer_case
    assert not plan.active()
    plan.file_buffer(1, sender=GOV)
    assert plan.active()
    plan.deny(GOV, sender=GOV)
    with pytest.raises(ProtocolError) as exc:
        plan.disable(sender=GOV)  # test_disable_unauthed
    assert exc.value.context["reason"] == "D3MAaveTypeBufferPlan/not-authorized"
    assert plan.buffer == 1


# --- D3MOperatorPlan.t.sol -----------------------------------------------------------------


def test_operator_plan():
    op = make_addr("operator")
    plan = D3MOperatorPlan(sender=GOV)
    assert plan.active()
    assert plan.enabled == 1
    plan.file_operator(op, sender=GOV)
    with pytest.raises(ProtocolError) as exc:
        plan.set_target_assets(1, sender=GOV)
    assert exc.value.context["reason"] == "D3MOperatorPlan/not-authorized"
    with pytest.raises(ProtocolError) as exc:
        plan.file_enabled(2, sender=GOV)
    assert exc.value.code is ErrorCode.D3M_INVALID_VALUE
    plan.set_target_assets(10, sender=op)
    assert plan.get_target_assets(999) == 10
    plan.disable(sender=GOV)
    assert not plan.active()


# --- D3MAaveV2TypeRateTargetPlan.t.sol -----------------------------------------------------


def test_interest_rate_calc_inverts_the_strategy_within_1bp():
    s = Setup()
    tack = D3MAaveRateTargetPlan(market=s.pool, dai=s.dai_token, sender=GOV).tack
    debt = s.pool.variable_debt_token(s.dai).total_supply()
    checked = 0
    for i in range(1, 100 * tack.get_max_variable_borrow_rate() // RAY + 1):
        rate = i * RAY // 100
        supply = target_supply(tack, rate, debt)
        if supply == 0:  # at or below the base rate: the plan unwinds
            assert rate <= tack.get_base_variable_borrow_rate()
            continue
        got = (
            s.pool.get_reserve_data(s.dai)
            .interest_rate_strategy.calculate_interest_rates(
                CalculateInterestRatesParams(
                    unbacked=0,
                    liquidity_added=0,
                    liquidity_taken=0,
                    total_stable_debt=0,
                    total_variable_debt=debt,
                    average_stable_borrow_rate=0,
                    reserve_factor=0,
                    available_liquidity=supply - debt,
                )
            )
            .variable_borrow_rate_ray
        )
        assert abs(got - rate) <= TOLERANCE, i
        checked += 1
    assert checked >= 30


def test_rate_target_bar_bounds_and_monotonic():
    s = Setup()
    plan = D3MAaveRateTargetPlan(market=s.pool, dai=s.dai_token, sender=GOV)
    tack = plan.tack
    assert plan.get_target_assets(0) == 0  # bar zero
    assert not plan.active()
    plan.file_bar(tack.get_max_variable_borrow_rate() + 1, sender=GOV)
    assert plan.get_target_assets(1) == 0  # test_set_bar_too_high_unwinds
    plan.file_bar(tack.get_base_variable_borrow_rate(), sender=GOV)
    assert plan.get_target_assets(1) == 0  # test_set_bar_too_low_unwinds
    plan.file_bar(tack.get_base_variable_borrow_rate() + 2 * RAY // 100, sender=GOV)
    initial = plan.get_target_assets(0)
    plan.file_bar(tack.get_base_variable_borrow_rate() + RAY // 100, sender=GOV)
    assert plan.get_target_assets(0) > initial
    assert plan.active()
    plan.file_tack(object(), sender=GOV)  # type: ignore[arg-type]
    assert not plan.active()  # test_interestStrategy_changed_not_active
    plan.deny(GOV, sender=GOV)
    plan.disable(sender=GOV)  # inactive: anyone may disable
    assert plan.bar == 0


# --- the hub on a live market --------------------------------------------------------------


def _rate_target_hub(bar: int, **kw: int):
    s = Setup(**kw)
    plan = D3MAaveRateTargetPlan(market=s.pool, dai=s.dai_token, sender=GOV)
    plan.file_bar(bar, sender=GOV)
    s.hub.file_ilk(ILK, pool=s.d3m_pool, plan=plan, tau=7 * 86_400, sender=GOV)
    return s, plan


def test_exec_reaches_the_target_rate_within_1bp():
    # 500 borrowed of 1,000: usage 50%, rate 5% + 2% * 50/80 = 6.25%. Target 5.5%.
    bar = 55 * RAY // 1000
    s, _ = _rate_target_hub(bar)
    assert s.borrow_rate() > bar
    s.hub.exec(ILK)
    ink, art = s.vat.urns(ILK, s.d3m_pool.address)
    assert art > 0
    assert ink == art == s.vat.ilks(ILK)[0]
    assert s.d3m_pool.asset_balance() == art  # no interest yet
    assert abs(s.borrow_rate() - bar) <= TOLERANCE
    assert art <= s.vat.ilks(ILK)[3] // RAY


def test_exec_respects_the_ilk_line_and_global_line():
    bar = 55 * RAY // 1000
    s, _ = _rate_target_hub(bar)
    s.vat.init_ilk(ILK, line_rad=100 * ETHER * RAY)
    s.hub.exec(ILK)
    assert s.vat.urns(ILK, s.d3m_pool.address)[1] == 100 * ETHER  # line binds
    assert s.borrow_rate() > bar + TOLERANCE
    # Lower the line: the next exec unwinds to it.
    s.vat.init_ilk(ILK, line_rad=60 * ETHER * RAY)
    s.hub.exec(ILK)
    assert s.vat.urns(ILK, s.d3m_pool.address)[1] == 60 * ETHER
    # The global Line leaves 15 more.
    s.vat.init_ilk(ILK, line_rad=10**9 * ETHER * RAY)
    s.vat.file_line(s.vat.debt + 15 * ETHER * RAY)
    s.hub.exec(ILK)
    assert s.vat.urns(ILK, s.d3m_pool.address)[1] == 75 * ETHER
    assert s.vat.debt <= s.vat.Line


def test_exec_unwinds_when_the_target_rate_rises():
    s, plan = _rate_target_hub(55 * RAY // 1000)
    s.hub.exec(ILK)
    before = s.vat.urns(ILK, s.d3m_pool.address)[1]
    plan.file_bar(60 * RAY // 1000, sender=GOV)
    s.hub.exec(ILK)
    after = s.vat.urns(ILK, s.d3m_pool.address)[1]
    assert after < before
    assert abs(s.borrow_rate() - 60 * RAY // 1000) <= TOLERANCE
    assert s.dai_token.balance_of(s.hub.address) == 0  # the unwound DAI was burnt


def test_buffer_plan_exec_keeps_the_buffer_available():
    s = Setup()
    plan = D3MAaveTypeBufferPlan(market=s.pool, dai=s.dai_token, sender=GOV)
    plan.file_buffer(800 * ETHER, sender=GOV)
    s.hub.file_ilk(ILK, pool=s.d3m_pool, plan=plan, sender=GOV)
    assert s.liquidity() == 500 * ETHER
    s.hub.exec(ILK)
    assert s.liquidity() == 800 * ETHER
    assert s.vat.urns(ILK, s.d3m_pool.address)[1] == 300 * ETHER


def test_fees_become_surplus_for_the_vow():
    s, _ = _rate_target_hub(55 * RAY // 1000)
    s.hub.exec(ILK)
    s.skip(365 * 86_400)
    ink, _ = s.vat.urns(ILK, s.d3m_pool.address)
    earned = s.d3m_pool.asset_balance() - ink
    assert earned > 0
    s.hub.exec(ILK)
    assert s.vat.dai.get(s.vow, 0) == earned * RAY  # suck + grab: surplus, no net sin
    assert s.vat.sin.get(s.vow, 0) == 0


def test_cage_unwinds_and_cull_writes_off():
    s, _ = _rate_target_hub(55 * RAY // 1000)
    s.hub.exec(ILK)
    with pytest.raises(ProtocolError) as exc:
        s.hub.cull(ILK, sender=make_addr("anyone"))
    assert exc.value.context["reason"] == "D3MHub/pool-live"
    s.hub.cage(ILK, sender=GOV)
    with pytest.raises(ProtocolError) as exc:
        s.hub.cage(ILK, sender=GOV)
    assert exc.value.context["reason"] == "D3MHub/pool-already-caged"
    s.hub.exec(ILK)  # caged: unwind everything withdrawable
    assert s.vat.urns(ILK, s.d3m_pool.address)[1] == 0
    s.hub.exec(ILK)
    with pytest.raises(ProtocolError) as exc:
        s.hub.cull(ILK, sender=make_addr("anyone"))
    assert exc.value.context["reason"] == "D3MHub/unauthorized-cull"
    s.skip(7 * 86_400)
    s.hub.cull(ILK, sender=make_addr("anyone"))
    assert s.hub.ilk(ILK).culled == 1
    with pytest.raises(ProtocolError) as exc:
        s.hub.cull(ILK, sender=GOV)
    assert exc.value.context["reason"] == "D3MHub/already-culled"


def test_cull_with_debt_left_sends_it_to_the_vow_as_sin():
    s, _ = _rate_target_hub(55 * RAY // 1000)
    s.hub.exec(ILK)
    ink, art = s.vat.urns(ILK, s.d3m_pool.address)
    s.hub.cage(ILK, sender=GOV)
    s.hub.cull(ILK, sender=GOV)  # a ward need not wait for tau
    assert s.vat.urns(ILK, s.d3m_pool.address) == (0, 0)
    assert s.vat.sin[s.vow] == art * RAY
    assert s.vat.gem(ILK, s.d3m_pool.address) == ink
    s.hub.exec(ILK)  # culled: full unwind, the DAI goes to the vow
    assert s.vat.dai[s.vow] == art * RAY
    assert s.vat.gem(ILK, s.d3m_pool.address) == 0


def test_a_refused_exec_changes_nothing():
    s, _ = _rate_target_hub(55 * RAY // 1000)
    s.hub.exec(ILK)
    s.skip(365 * 86_400)  # fees to book first

    class Broken:
        def active(self) -> bool:
            return True

        def get_target_assets(self, current: int) -> int:
            return 2**256  # not a uint256: refused after the fee booking wrote

    s.hub.file_ilk(ILK, pool=s.d3m_pool, plan=Broken(), sender=GOV)
    before = (s.vat.urns(ILK, s.d3m_pool.address), dict(s.vat.dai), s.vat.debt)
    with pytest.raises(ProtocolError):
        s.hub.exec(ILK)
    assert (s.vat.urns(ILK, s.d3m_pool.address), dict(s.vat.dai), s.vat.debt) == before


def test_hub_auth_and_only_hub():
    s, _ = _rate_target_hub(55 * RAY // 1000)
    stranger = make_addr("stranger")
    with pytest.raises(ProtocolError) as exc:
        s.hub.cage(ILK, sender=stranger)
    assert exc.value.context["reason"] == "D3MHub/not-authorized"
    with pytest.raises(ProtocolError) as exc:
        s.d3m_pool.deposit(1, sender=stranger)
    assert exc.value.context["reason"] == "D3MAaveV3NoSupplyCapTypePool/only-hub"
