"""Price edge cases with SparkLend's real price path: the Pool reads an `AaveOracle` whose
sources are Chainlink-style `PriceFeed`s (USD, 8 decimals).

AaveOracle (Aave v3.0.2 `misc/AaveOracle.sol`) uses a source's `latestAnswer()` only when it
is positive; otherwise it asks its fallback oracle, and with none (address(0)) the call
reverts, here `PRICE_UNAVAILABLE`. Every Pool action that values a position (borrow; a
withdraw, collateral switch or aToken transfer by a borrower; a liquidation; the account
data view) then fails, and as a reverted transaction it leaves the Pool as it was: each
case checks `state_hash()` before and after, with interest to accrue so that the rolled-back
accrual would show.

AaveOracle has no staleness check: an answer a decade old is used as if it were new. That is
the contract's behaviour and it is tested as such. `sparkprime.oracle.StaleFeedGuard` is an
opt-in breaker beyond the contracts (an operator's choice, not SparkLend's): between a feed
and the oracle it answers 0 once the feed is older than its limit, so the oracle falls back
or refuses.

Market: `configurator_market.sparklend_test_market` (COLL and BRRW, 18 decimals, 1 USD);
COLL is collateral at 50% LTV / 60% LT / 5% bonus, BRRW is borrowable; a lender supplies
1000 BRRW, alice supplies 1000 COLL and borrows 400 BRRW (HF 1.5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.oracle import PriceFeed, StaleFeedGuard
from sparkprime.protocols.sparklend.aave_oracle import AaveOracle, AnswerSource
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.oracle import SimplePriceOracle

from .configurator_market import MAX_UINT256, sparklend_test_market

ETHER = 10**18
USD = 10**8
YEAR = 365 * 86400


class Env:
    def __init__(self, *, guard_max_age_s: int | None = None, fallback: bool = False) -> None:
        m, coll, brrw = sparklend_test_market()
        self.m, self.pool, self.coll, self.brrw = m, m.pool, coll, brrw
        admin = m.pool_admin
        m.configurator.configure_reserve_as_collateral(coll, 50_00, 60_00, 105_00, sender=admin)
        m.configurator.set_reserve_borrowing(brrw, True, sender=admin)
        self.feeds = {
            coll: PriceFeed(description="COLL / USD", decimals=8),
            brrw: PriceFeed(description="BRRW / USD", decimals=8),
        }
        for feed in self.feeds.values():
            feed.update(USD, ts_s=m.clock.now)
        sources: dict[str, AnswerSource] = {str(a): f for a, f in self.feeds.items()}
        if guard_max_age_s is not None:
            sources = {
                asset: StaleFeedGuard(feed, clock=m.clock, max_age_s=guard_max_age_s)
                for asset, feed in self.feeds.items()
            }
        self.fallback = SimplePriceOracle({coll: 2 * USD, brrw: USD}) if fallback else None
        self.oracle = AaveOracle(acl=m.acl, sources=sources, fallback_oracle=self.fallback)
        self.pool.set_price_oracle(self.oracle)

        self.lender, self.alice, self.bob = (make_addr(f"price-edges/{n}") for n in ("l", "a", "b"))
        m.supply(self.lender, brrw, 1000 * ETHER)
        m.supply(self.alice, coll, 1000 * ETHER)
        m.borrow(self.alice, brrw, 400 * ETHER)
        m.token(brrw).approve(self.pool.address, MAX_UINT256, sender=self.alice)
        m.clock.skip(86_400)  # interest to accrue: a rolled-back accrual would show

    def answer(self, asset: Address, answer: int) -> None:
        """The asset's Chainlink feed reports `answer` now."""
        self.feeds[asset].update(answer, ts_s=self.m.clock.now)

    def refused(self, asset: Address, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """`fn` fails with PRICE_UNAVAILABLE naming `asset`, and the Pool does not move."""
        before = self.pool.state_hash()
        with pytest.raises(ProtocolError) as info:
            fn(*args, **kwargs)
        assert info.value.code is ErrorCode.PRICE_UNAVAILABLE, info.value
        assert info.value.context["asset"] == asset
        assert self.pool.state_hash() == before


BAD_ANSWERS = pytest.mark.parametrize("bad", [0, -1, -(2**255)], ids=["zero", "minus-one", "min"])
BAD_ASSET = pytest.mark.parametrize("which", ["coll", "brrw"])


def _bad(e: Env, which: str, bad: int) -> Address:
    asset = e.coll if which == "coll" else e.brrw
    e.answer(asset, bad)
    return asset


# --- no fallback: the action is refused and nothing changes ---


@BAD_ANSWERS
@BAD_ASSET
def test_borrow_is_refused(which, bad):
    e = Env()
    asset = _bad(e, which, bad)
    e.refused(asset, e.pool.borrow, e.brrw, ETHER, 2, 0, e.alice, sender=e.alice)


@BAD_ANSWERS
def test_a_first_borrow_reads_the_borrowed_assets_price(bad):
    """Bob has no debt: his account data reads COLL only; the amount's value reads BRRW."""
    e = Env()
    e.m.supply(e.bob, e.coll, 1000 * ETHER)
    asset = _bad(e, "brrw", bad)
    e.refused(asset, e.pool.borrow, e.brrw, ETHER, 2, 0, e.bob, sender=e.bob)


@BAD_ANSWERS
@BAD_ASSET
def test_withdraw_by_a_borrower_is_refused(which, bad):
    e = Env()
    asset = _bad(e, which, bad)
    e.refused(asset, e.pool.withdraw, e.coll, ETHER, e.alice, sender=e.alice)


@BAD_ANSWERS
def test_withdraw_without_debt_reads_no_price(bad):
    """The contract checks the HF only for a borrower: a lender withdraws whatever the feeds
    say."""
    e = Env()
    _bad(e, "coll", bad)
    _bad(e, "brrw", bad)
    assert e.m.withdraw(e.lender, e.brrw, 100 * ETHER) == 100 * ETHER


@BAD_ANSWERS
@BAD_ASSET
def test_a_token_transfers_by_a_borrower_are_refused(which, bad):
    e = Env()
    asset = _bad(e, which, bad)
    e.refused(asset, e.pool.a_token(e.coll).transfer, e.bob, ETHER, sender=e.alice)


@BAD_ANSWERS
def test_disabling_collateral_by_a_borrower_is_refused(bad):
    e = Env()
    asset = _bad(e, "brrw", bad)
    e.refused(asset, e.pool.set_user_use_reserve_as_collateral, e.coll, False, sender=e.alice)


@BAD_ANSWERS
def test_disabling_the_collateral_whose_feed_failed_reads_no_price_for_it(bad):
    """The HF check after disabling COLL values only what stays enabled: COLL's price is not
    read, and with no collateral left the debt makes HF 0."""
    e = Env()
    _bad(e, "coll", bad)
    before = e.pool.state_hash()
    with pytest.raises(ProtocolError) as info:
        e.pool.set_user_use_reserve_as_collateral(e.coll, False, sender=e.alice)
    assert info.value.code is ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD
    assert info.value.context["hf"] == 0
    assert e.pool.state_hash() == before


@BAD_ANSWERS
@BAD_ASSET
def test_liquidation_and_its_health_factor_read_are_refused(which, bad):
    e = Env()
    e.answer(e.brrw, 2 * USD)  # BRRW doubles: HF 0.75, liquidatable
    assert e.pool.get_user_account_data(e.alice).health_factor < ETHER
    liquidator = make_addr("price-edges/liquidator")
    e.m.token(e.brrw).mint(liquidator, 1000 * ETHER)
    e.m.token(e.brrw).approve(e.pool.address, MAX_UINT256, sender=liquidator)
    asset = _bad(e, which, bad)
    with pytest.raises(ProtocolError) as info:
        e.pool.get_user_account_data(e.alice)
    assert info.value.code is ErrorCode.PRICE_UNAVAILABLE
    e.refused(
        asset,
        e.pool.liquidation_call,
        e.coll,
        e.brrw,
        e.alice,
        100 * ETHER,
        False,
        sender=liquidator,
    )


def test_repay_and_supply_read_no_price():
    e = Env()
    _bad(e, "coll", 0)
    _bad(e, "brrw", 0)
    assert e.pool.repay(e.brrw, 10 * ETHER, 2, e.alice, sender=e.alice) == 10 * ETHER
    e.m.supply(e.bob, e.coll, ETHER)


# --- a fallback oracle ---


@BAD_ANSWERS
def test_with_a_fallback_oracle_its_price_is_used(bad):
    e = Env(fallback=True)
    assert e.pool.get_user_account_data(e.alice).total_collateral_base == 1000 * USD
    _bad(e, "coll", bad)  # the fallback says COLL is worth 2 USD
    data = e.pool.get_user_account_data(e.alice)
    assert data.total_collateral_base == 2000 * USD
    # 1000 USD of borrowing power at 50% of 2000 USD: 600 more BRRW is within it
    e.m.borrow(e.alice, e.brrw, 500 * ETHER)


def test_a_fallback_answering_zero_is_taken_at_its_word():
    """AaveOracle returns the fallback's answer unchecked: a fallback that knows no price
    (0) makes the collateral worthless to the Pool, and the borrower liquidatable."""
    e = Env(fallback=True)
    assert e.fallback is not None
    e.fallback.set_asset_price(e.coll, 0)
    _bad(e, "coll", 0)
    data = e.pool.get_user_account_data(e.alice)
    assert data.total_collateral_base == 0
    assert data.health_factor == 0
    before = e.pool.state_hash()
    with pytest.raises(ProtocolError) as info:
        e.m.borrow(e.alice, e.brrw, ETHER)
    assert info.value.code is ErrorCode.COLLATERAL_BALANCE_IS_ZERO
    assert e.pool.state_hash() == before


# --- staleness ---


def test_aave_oracle_uses_an_answer_however_old():
    """AaveOracle (v3.0.2) has no staleness check: a feed silent for ten years still prices
    the collateral, and the Pool lends against it. This is the contract's behaviour."""
    e = Env()
    e.answer(e.coll, 3 * USD)
    updated_at = e.m.clock.now
    e.m.clock.skip(10 * YEAR)
    assert e.feeds[e.coll].latest_timestamp() == updated_at
    assert e.oracle.get_asset_price(e.coll) == 3 * USD
    assert e.pool.get_user_account_data(e.alice).total_collateral_base == 3000 * USD
    e.m.borrow(e.alice, e.brrw, 100 * ETHER)


def test_a_stale_feed_guard_makes_a_stale_answer_unavailable():
    """Beyond the contracts: with `StaleFeedGuard`s between the feeds and the oracle, an
    answer older than the limit reads 0, so the Pool refuses and nothing changes; a new
    round restores it."""
    e = Env(guard_max_age_s=3_600)  # the set-up's one-day skip already made both stale
    e.refused(e.coll, e.pool.borrow, e.brrw, ETHER, 2, 0, e.alice, sender=e.alice)
    e.answer(e.coll, USD)
    e.refused(e.brrw, e.pool.borrow, e.brrw, ETHER, 2, 0, e.alice, sender=e.alice)
    e.answer(e.brrw, USD)
    e.m.borrow(e.alice, e.brrw, ETHER)
    e.m.clock.skip(3_601)
    e.refused(e.coll, e.pool.withdraw, e.coll, ETHER, e.alice, sender=e.alice)


def test_a_stale_feed_guard_with_a_fallback_falls_back():
    e = Env(guard_max_age_s=3_600, fallback=True)
    assert e.oracle.get_asset_price(e.coll) == 2 * USD  # both feeds are a day old
    assert e.pool.get_user_account_data(e.alice).total_collateral_base == 2000 * USD
    e.answer(e.coll, USD)
    assert e.pool.get_user_account_data(e.alice).total_collateral_base == 1000 * USD


def test_the_market_helper_is_not_the_pools_oracle():
    """The set-up replaced the market's settable oracle: changing it changes nothing."""
    e = Env()
    before = e.pool.get_user_account_data(e.alice)
    e.m.oracle.set_asset_price(e.coll, 123 * USD)
    assert e.pool.get_user_account_data(e.alice) == before
