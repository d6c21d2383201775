"""sUSDS and sDAI as ERC-4626 vaults: exact values after warps, rounding, reverts, and a
property that rounding never favours the user."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.rpow import rpow
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.savings import Pot, SavingsDai, SavingsVault, SUsds
from sparkprime.protocols.savings.erc4626 import ZERO_ADDRESS
from sparkprime.protocols.savings.susds import RATES_ONE_HUNDRED_PCT

GOV = Address("0x" + "01" * 20)
ALICE = Address("0x" + "aa" * 20)
BOB = Address("0x" + "bb" * 20)
ETHER = 10**18
MAX = 2**256 - 1
SSR_5PCT = 1000000001547125957863212448
T0 = 1_700_000_000


def _susds(max_ssr: int | None = None) -> tuple[Clock, Erc20, SUsds]:
    reg = TokenRegistry()
    usds = reg.register(Erc20(Address("0x" + "dc" * 20), "USDS", 18))
    clock = Clock(T0)
    vault = SUsds(usds, clock, atomic=reg.atomic, ward=GOV, max_ssr=max_ssr)
    for who in (ALICE, BOB):
        usds.mint(who, 1_000 * ETHER)
        usds.approve(vault.address, MAX, sender=who)
    return clock, usds, vault


def _sdai() -> tuple[Clock, Erc20, SavingsDai]:
    reg = TokenRegistry()
    dai = reg.register(Erc20(Address("0x" + "6b" * 20), "DAI", 18))
    clock = Clock(T0)
    pot = Pot(clock, ward=GOV, atomic=reg.atomic)
    vault = SavingsDai(dai, pot)
    for who in (ALICE, BOB):
        dai.mint(who, 1_000 * ETHER)
        dai.approve(vault.address, MAX, sender=who)
    return clock, dai, vault


def _set_rate(vault: SavingsVault, rate: int) -> None:
    vault.drip()
    if isinstance(vault, SUsds):
        vault.file("ssr", rate, sender=GOV)
    else:
        assert isinstance(vault, SavingsDai)
        vault.pot.file("dsr", rate, sender=GOV)


def _divup(x: int, y: int) -> int:
    return -(-x // y)


@pytest.fixture(params=["susds", "sdai"])
def env(request: pytest.FixtureRequest) -> tuple[Clock, Erc20, SavingsVault]:
    return _susds() if request.param == "susds" else _sdai()


def test_deposit_then_redeem_after_a_year(env: tuple[Clock, Erc20, SavingsVault]) -> None:
    clock, token, vault = env
    _set_rate(vault, SSR_5PCT)
    assert vault.deposit(100 * ETHER, ALICE, sender=ALICE) == 100 * ETHER
    clock.skip(365 * 86_400)
    chi = rpow(SSR_5PCT, 365 * 86_400, RAY)
    assert vault.chi_now() == chi
    assert chi == 1049999999999999999961070145  # 5 % APY, off by 4e-20 (rpow rounding)
    assets = 100 * ETHER * chi // RAY
    assert vault.preview_redeem(100 * ETHER) == assets == 104999999999999999996
    assert vault.max_withdraw(ALICE) == assets
    assert vault.total_assets() == assets
    assert vault.redeem(100 * ETHER, ALICE, ALICE, sender=ALICE) == assets
    assert token.balance_of(ALICE) == 1_000 * ETHER + assets - 100 * ETHER
    assert vault.total_supply == 0


def test_mint_and_withdraw_round_up(env: tuple[Clock, Erc20, SavingsVault]) -> None:
    clock, token, vault = env
    _set_rate(vault, SSR_5PCT)
    clock.skip(10 * 86_400)
    chi = rpow(SSR_5PCT, 10 * 86_400, RAY)
    assert vault.preview_mint(ETHER) == _divup(ETHER * chi, RAY)
    assert vault.preview_deposit(ETHER) == ETHER * RAY // chi
    assert vault.preview_withdraw(ETHER) == _divup(ETHER * RAY, chi)
    # One share costs at least one wei while chi > RAY; deposit of 1 wei gives 0 shares.
    assert vault.preview_mint(1) == 2
    assert vault.preview_deposit(1) == 0
    assert vault.preview_withdraw(1) == 1
    before = token.balance_of(ALICE)
    assets = vault.mint(ETHER, ALICE, sender=ALICE)
    assert assets == _divup(ETHER * chi, RAY)
    assert token.balance_of(ALICE) == before - assets
    shares = vault.withdraw(ETHER // 2, BOB, ALICE, sender=ALICE)
    assert shares == _divup(ETHER // 2 * RAY, chi)
    assert vault.balance_of(ALICE) == ETHER - shares
    assert token.balance_of(BOB) == 1_000 * ETHER + ETHER // 2


def test_deposit_zero_mints_zero(env: tuple[Clock, Erc20, SavingsVault]) -> None:
    _, _, vault = env
    assert vault.deposit(0, ALICE, sender=ALICE) == 0
    assert vault.max_deposit(ALICE) == vault.max_mint(ALICE) == MAX


def test_reverts_change_nothing(env: tuple[Clock, Erc20, SavingsVault]) -> None:
    _, token, vault = env
    vault.deposit(10 * ETHER, ALICE, sender=ALICE)
    for receiver in (ZERO_ADDRESS, vault.address):
        with pytest.raises(ProtocolError) as err:
            vault.deposit(ETHER, receiver, sender=ALICE)
        assert err.value.code is ErrorCode.SAVINGS_INVALID_ADDRESS
        with pytest.raises(ProtocolError) as err:
            vault.transfer(receiver, 1, sender=ALICE)
        assert err.value.code is ErrorCode.SAVINGS_INVALID_ADDRESS
    with pytest.raises(ProtocolError) as err:
        vault.redeem(11 * ETHER, ALICE, ALICE, sender=ALICE)
    assert err.value.code is ErrorCode.SAVINGS_INSUFFICIENT_BALANCE
    with pytest.raises(ProtocolError) as err:
        vault.redeem(ETHER, BOB, ALICE, sender=BOB)
    assert err.value.code is ErrorCode.SAVINGS_INSUFFICIENT_ALLOWANCE
    with pytest.raises(ProtocolError) as err:
        vault.deposit(2_000 * ETHER, ALICE, sender=ALICE)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert vault.balance_of(ALICE) == vault.total_supply == 10 * ETHER
    assert token.balance_of(ALICE) == 990 * ETHER


def test_allowance_on_withdraw_by_a_non_owner(env: tuple[Clock, Erc20, SavingsVault]) -> None:
    _, token, vault = env
    vault.deposit(10 * ETHER, ALICE, sender=ALICE)
    vault.approve(BOB, 3 * ETHER, sender=ALICE)
    assert vault.withdraw(2 * ETHER, BOB, ALICE, sender=BOB) == 2 * ETHER
    assert vault.allowance(ALICE, BOB) == ETHER
    assert token.balance_of(BOB) == 1_002 * ETHER
    vault.approve(BOB, MAX, sender=ALICE)
    vault.redeem(ETHER, BOB, ALICE, sender=BOB)
    assert vault.allowance(ALICE, BOB) == MAX


def test_share_token_transfers(env: tuple[Clock, Erc20, SavingsVault]) -> None:
    _, _, vault = env
    vault.deposit(10 * ETHER, ALICE, sender=ALICE)
    assert vault.transfer(BOB, 4 * ETHER, sender=ALICE)
    assert (vault.balance_of(ALICE), vault.balance_of(BOB)) == (6 * ETHER, 4 * ETHER)
    with pytest.raises(ProtocolError) as err:
        vault.transfer_from(ALICE, BOB, ETHER, sender=BOB)
    assert err.value.code is ErrorCode.SAVINGS_INSUFFICIENT_ALLOWANCE
    vault.approve(BOB, 2 * ETHER, sender=ALICE)
    vault.transfer_from(ALICE, BOB, 2 * ETHER, sender=BOB)
    assert vault.allowance(ALICE, BOB) == 0
    assert vault.balance_of(BOB) == 6 * ETHER
    with pytest.raises(ProtocolError) as err:
        vault.transfer(ALICE, 7 * ETHER, sender=BOB)
    assert err.value.code is ErrorCode.SAVINGS_INSUFFICIENT_BALANCE


def test_susds_drip_mints_the_interest() -> None:
    clock, usds, vault = _susds()
    vault.drip()
    vault.file("ssr", SSR_5PCT, sender=GOV)
    vault.deposit(100 * ETHER, ALICE, sender=ALICE)
    clock.skip(86_400)
    chi = rpow(SSR_5PCT, 86_400, RAY)
    assert vault.drip() == chi == vault.chi
    diff = 100 * ETHER * chi // RAY - 100 * ETHER
    assert vault.sucked == diff
    assert usds.balance_of(vault.address) == 100 * ETHER + diff
    assert vault.rho == clock.now


def test_susds_file_bounds_and_auth() -> None:
    clock, _, vault = _susds(max_ssr=RATES_ONE_HUNDRED_PCT)
    with pytest.raises(ProtocolError) as err:
        vault.file("ssr", SSR_5PCT, sender=ALICE)
    assert err.value.code is ErrorCode.SAVINGS_NOT_AUTHORIZED
    for bad in (RAY - 1, RATES_ONE_HUNDRED_PCT + 1):
        with pytest.raises(ProtocolError) as err:
            vault.file("ssr", bad, sender=GOV)
        assert err.value.code is ErrorCode.SAVINGS_WRONG_SSR_VALUE
    vault.file("ssr", RATES_ONE_HUNDRED_PCT, sender=GOV)
    clock.skip(1)
    with pytest.raises(ProtocolError) as err:
        vault.file("ssr", SSR_5PCT, sender=GOV)
    assert err.value.code is ErrorCode.SAVINGS_CHI_NOT_UP_TO_DATE
    with pytest.raises(ProtocolError) as err:
        vault.file("dsr", SSR_5PCT, sender=GOV)
    assert err.value.code is ErrorCode.SAVINGS_FILE_UNRECOGNIZED_PARAM
    vault.drip()
    vault.file("ssr", SSR_5PCT, sender=GOV)
    assert vault.ssr == SSR_5PCT
    vault.rely(ALICE, sender=GOV)
    assert vault.wards(ALICE) == 1
    vault.deny(ALICE, sender=GOV)
    assert vault.wards(ALICE) == 0
    # The contract itself has no cap.
    _, _, uncapped = _susds()
    uncapped.file("ssr", 2 * RAY, sender=GOV)
    assert uncapped.ssr == 2 * RAY


def test_sdai_shares_are_pot_pie() -> None:
    clock, dai, vault = _sdai()
    _set_rate(vault, SSR_5PCT)
    vault.deposit(100 * ETHER, ALICE, sender=ALICE)
    clock.skip(30 * 86_400)
    vault.deposit(ETHER, BOB, sender=BOB)
    assert vault.pot.pie(vault.address) == vault.total_supply
    assert vault.pot.rho == clock.now
    vault.redeem(vault.balance_of(ALICE), ALICE, ALICE, sender=ALICE)
    chi = vault.pot.chi
    assert dai.balance_of(ALICE) == 900 * ETHER + 100 * ETHER * chi // RAY


@settings(max_examples=200, deadline=None)
@given(
    which=st.sampled_from(["susds", "sdai"]),
    rate=st.integers(RAY, RATES_ONE_HUNDRED_PCT),
    dt=st.integers(0, 10 * 365 * 86_400),
    seed=st.integers(0, 1_000 * ETHER),
    amount=st.integers(0, 100 * ETHER),
)
def test_rounding_never_favours_the_user(
    which: str, rate: int, dt: int, seed: int, amount: int
) -> None:
    clock, token, vault = _susds() if which == "susds" else _sdai()
    _set_rate(vault, rate)
    vault.deposit(seed, BOB, sender=BOB)
    clock.skip(dt)
    shares = vault.preview_deposit(amount)
    assert vault.preview_redeem(shares) <= amount
    assert vault.preview_mint(amount) >= vault.convert_to_assets(amount)
    assert vault.preview_withdraw(amount) >= vault.convert_to_shares(amount)
    # A real round trip never gains.
    before = token.balance_of(ALICE)
    got = vault.deposit(amount, ALICE, sender=ALICE)
    assert got == shares
    vault.redeem(got, ALICE, ALICE, sender=ALICE)
    assert token.balance_of(ALICE) <= before
    paid = vault.mint(amount, ALICE, sender=ALICE)
    assert vault.preview_withdraw(paid) >= amount  # taking it all back needs at least as many
    assert vault.redeem(amount, ALICE, ALICE, sender=ALICE) <= paid
    assert token.balance_of(ALICE) <= before
