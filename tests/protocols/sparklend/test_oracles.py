"""AaveOracle and PriceOracleSentinel (Aave v3.0.2 misc/AaveOracle.sol, PriceOracleSentinel.sol)."""

from __future__ import annotations

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.oracle.feed import PriceFeed, SequencerUptimeFeed
from sparkprime.protocols.sparklend.aave_oracle import USD_BASE_CURRENCY_UNIT, AaveOracle
from sparkprime.protocols.sparklend.price_oracle_sentinel import PriceOracleSentinel

ADMIN = Address("0x" + "0a" * 20)
RISK = Address("0x" + "0b" * 20)
LISTER = Address("0x" + "0c" * 20)
STRANGER = Address("0x" + "0d" * 20)
WETH = Address("0x" + "e1" * 20)
DAI = Address("0x" + "d1" * 20)
USD = Address("0x" + "00" * 19 + "01")


class Roles:
    """Role holders as ACLManager would answer (the real Acl has the same three queries)."""

    def is_pool_admin(self, account: Address) -> bool:
        return account == ADMIN

    def is_risk_admin(self, account: Address) -> bool:
        return account == RISK

    def has_role(self, role: str, account: Address) -> bool:
        return role == "ASSET_LISTING_ADMIN" and account == LISTER


class Fallback:
    def __init__(self, prices: dict[Address, int]) -> None:
        self.prices = prices

    def get_asset_price(self, asset: Address) -> int:
        return self.prices[asset]


def _feed(answer: int | None) -> PriceFeed:
    feed = PriceFeed(description="x / USD", decimals=8)
    if answer is not None:
        feed.update(answer, ts_s=1)
    return feed


def test_base_currency_prices_at_its_unit():
    oracle = AaveOracle(acl=Roles(), base_currency=USD)
    assert oracle.get_asset_price(USD) == USD_BASE_CURRENCY_UNIT == 10**8


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (3_000_00000000, 3_000_00000000),
        (1, 1),
        (0, 2_999_00000000),
        (-1, 2_999_00000000),
        (None, 2_999_00000000),
    ],
)
def test_positive_answers_are_used_else_the_fallback(answer, expected):
    oracle = AaveOracle(
        acl=Roles(), sources={WETH: _feed(answer)}, fallback_oracle=Fallback({WETH: 2_999_00000000})
    )
    assert oracle.get_asset_price(WETH) == expected


def test_no_source_and_no_fallback_is_a_clear_error():
    oracle = AaveOracle(acl=Roles(), sources={WETH: _feed(0)})
    with pytest.raises(ProtocolError) as info:
        oracle.get_asset_price(WETH)
    assert info.value.code is ErrorCode.PRICE_UNAVAILABLE
    assert "source answered 0" in str(info.value)
    with pytest.raises(ProtocolError) as info:
        oracle.get_asset_price(DAI)
    assert "no source" in str(info.value)


def test_asset_sources_are_set_by_listing_or_pool_admins_only():
    oracle = AaveOracle(acl=Roles())
    for sender in (ADMIN, LISTER):
        oracle.set_asset_sources([WETH], [_feed(5)], sender=sender)
        assert oracle.get_asset_price(WETH) == 5
    with pytest.raises(ProtocolError) as info:
        oracle.set_asset_sources([DAI], [_feed(1)], sender=STRANGER)
    assert info.value.code is ErrorCode.CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN
    assert oracle.get_source_of_asset(DAI) is None
    with pytest.raises(ProtocolError) as info:
        oracle.set_fallback_oracle(Fallback({}), sender=STRANGER)
    assert info.value.code is ErrorCode.CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN
    assert oracle.get_fallback_oracle() is None


def test_mismatched_arrays_are_rejected_and_change_nothing():
    oracle = AaveOracle(acl=Roles())
    with pytest.raises(ProtocolError) as info:
        oracle.set_asset_sources([WETH, DAI], [_feed(1)], sender=ADMIN)
    assert info.value.code is ErrorCode.INCONSISTENT_PARAMS_LENGTH
    assert oracle.get_source_of_asset(WETH) is None
    oracle.set_asset_sources([WETH, DAI], [_feed(7), _feed(1)], sender=ADMIN)
    assert oracle.get_assets_prices([WETH, DAI]) == [7, 1]


GRACE_S = 3_600  # the aave-v3-core sentinel suite's GRACE_PERIOD (60 * 60)


def _sentinel(clock: Clock) -> tuple[PriceOracleSentinel, SequencerUptimeFeed]:
    feed = SequencerUptimeFeed()
    return PriceOracleSentinel(
        acl=Roles(), clock=clock, sequencer_oracle=feed, grace_period_s=GRACE_S
    ), feed


def test_sentinel_follows_the_sequencer_and_the_grace_period():
    clock = Clock(start_ts_s=100_000)
    sentinel, feed = _sentinel(clock)
    feed.set_status(is_down=True, ts_s=100_000)
    clock.skip(2 * GRACE_S)
    assert not sentinel.is_borrow_allowed()  # down, however long ago
    assert not sentinel.is_liquidation_allowed()
    feed.set_status(is_down=False, ts_s=clock.now)
    clock.skip(GRACE_S)
    assert not sentinel.is_borrow_allowed()  # exactly the grace period: not yet (strict >)
    clock.skip(1)
    assert sentinel.is_borrow_allowed()
    assert sentinel.is_liquidation_allowed()


def test_sentinel_admin_rules():
    clock = Clock(start_ts_s=10)
    sentinel, feed = _sentinel(clock)
    with pytest.raises(ProtocolError) as info:
        sentinel.set_grace_period(1, sender=STRANGER)
    assert info.value.code is ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN
    sentinel.set_grace_period(1, sender=RISK)
    assert sentinel.grace_period_s == 1
    with pytest.raises(ProtocolError) as info:
        sentinel.set_sequencer_oracle(SequencerUptimeFeed(), sender=RISK)
    assert info.value.code is ErrorCode.CALLER_NOT_POOL_ADMIN
    assert sentinel.sequencer_oracle is feed
    other = SequencerUptimeFeed()
    sentinel.set_sequencer_oracle(other, sender=ADMIN)
    assert sentinel.sequencer_oracle is other
