"""DssLitePsm, ported from makerdao/dss-lite-psm `src/DssLitePsm.t.sol` (the pocket/buf/HALTED
design; search-index file 1282308908), the USDC suite: its setUp (line 100M, buf 10M, the test
contract holding 100M USDC and 100M DAI), and the tests named in each docstring, with their
numbers and reverts. Plus Hypothesis properties: a swap never creates value (USDC * 1e12 vs
DAI), and rejected calls change nothing.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.psm import HALTED, DssLitePsm
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
THIS = make_addr("test-contract")
VOW = make_addr("vow")
X1337 = make_addr("0x1337")
D34D = make_addr("0xd34d")
RAD = RAY * WAD
MAX = 2**256 - 1


def amt(wad: int) -> int:
    """_wadToAmt: wad / 10**12."""
    return wad // 10**12


class Env:
    def __init__(self) -> None:
        reg = TokenRegistry()
        self.usdc = reg.register(Erc20(make_addr("usdc"), "USDC", 6))
        self.dai = reg.register(Erc20(make_addr("dai"), "DAI", 18))
        self.pocket = make_addr("pocket")
        self.psm = DssLitePsm(
            make_addr("litePsm"),
            gem=self.usdc,
            dai=self.dai,
            pocket=self.pocket,
            atomic=reg.atomic,
            ward=THIS,
            line_wad=100_000_000 * WAD,
        )
        self.vat = self.psm.vat
        self.usdc.mint(THIS, 100_000_000 * 10**6)
        self.usdc.approve(self.psm.address, MAX, sender=THIS)
        self.dai.mint(THIS, 100_000_000 * WAD)
        self.dai.approve(self.psm.address, MAX, sender=THIS)
        self.psm.file("vow", VOW, sender=THIS)
        self.psm.file("buf", 10_000_000 * WAD, sender=THIS)

    def cash(self) -> int:
        return self.dai.balance_of(self.psm.address)

    def debt(self) -> int:
        i = self.vat.ilks(self.psm.ilk)
        return i.art * i.rate

    def full_cut(self) -> int:
        _, art = self.vat.urns(self.psm.ilk, self.psm.address)
        return self.cash() + self.usdc.balance_of(self.pocket) * 10**12 - art

    def set_fees(self, tin: int, tout: int) -> None:
        self.psm.file("tin", tin, sender=THIS)
        self.psm.file("tout", tout, sender=THIS)


def fee(t: int, gem_amt: int) -> int:
    return t * gem_amt * 10**12 // WAD


def test_to18_conversion_factor() -> None:
    assert Env().psm.to18_conversion_factor == 10**12


def test_auth_methods_and_toll() -> None:
    """testAuth, testAuthMethods, testTollMethods."""
    env = Env()
    psm = env.psm
    other = make_addr("other")
    for call in (psm.kiss, psm.diss, psm.rely, psm.deny):
        with pytest.raises(ProtocolError) as err:
            call(other, sender=other)
        assert err.value.context["reason"] == "DssLitePsm/not-authorized"
    for swap in (psm.buy_gem_no_fee, psm.sell_gem_no_fee):
        with pytest.raises(ProtocolError) as err:
            swap(THIS, 1, sender=THIS)
        assert err.value.code is ErrorCode.LITE_PSM_NOT_WHITELISTED
        assert err.value.context["reason"] == "DssLitePsm/not-whitelisted"
    psm.rely(other, sender=THIS)
    assert psm.wards(other) == 1
    psm.deny(other, sender=other)
    assert psm.wards(other) == 0


def test_file() -> None:
    env = Env()
    psm = env.psm
    for what in ("tin", "tout"):
        with pytest.raises(ProtocolError) as err:
            psm.file(what, 2 * WAD, sender=THIS)
        assert err.value.context["reason"] == f"DssLitePsm/{what}-out-of-range"
    for what in ("tin", "tout", "buf"):
        psm.file(what, 123, sender=THIS)
        assert getattr(psm, what) == 123
    psm.file("tin", HALTED, sender=THIS)
    assert psm.tin == HALTED
    psm.file("vow", make_addr("vow2"), sender=THIS)
    assert psm.vow == make_addr("vow2")
    with pytest.raises(ProtocolError) as err:
        psm.file("bad", 1, sender=THIS)
    assert err.value.context["reason"] == "DssLitePsm/file-unrecognized-param"
    with pytest.raises(ProtocolError):
        psm.file("tin", 1, sender=make_addr("other"))


def test_sell_gem() -> None:
    env = Env()
    env.psm.fill()
    gem_amt = amt(50_000 * WAD)
    supply = env.dai.total_supply
    assert env.cash() == 10_000_000 * WAD
    p_this_dai, p_this_gem = env.dai.balance_of(THIS), env.usdc.balance_of(THIS)
    dai_out = env.psm.sell_gem(THIS, gem_amt, sender=THIS)
    assert env.dai.total_supply == supply
    assert env.cash() == 10_000_000 * WAD - dai_out
    assert env.dai.balance_of(THIS) == p_this_dai + dai_out
    assert env.usdc.balance_of(env.pocket) == gem_amt
    assert env.usdc.balance_of(THIS) == p_this_gem - gem_amt


def test_sell_buy_gem_halted() -> None:
    env = Env()
    env.psm.file("tin", HALTED, sender=THIS)
    with pytest.raises(ProtocolError) as err:
        env.psm.sell_gem(THIS, 1, sender=THIS)
    assert err.value.context["reason"] == "DssLitePsm/sell-gem-halted"
    env.psm.file("tout", HALTED, sender=THIS)
    with pytest.raises(ProtocolError) as err:
        env.psm.buy_gem(THIS, 1, sender=THIS)
    assert err.value.context["reason"] == "DssLitePsm/buy-gem-halted"


def test_buy_gem() -> None:
    env = Env()
    env.psm.fill()
    env.psm.sell_gem(X1337, amt(10_000_000 * WAD), sender=THIS)
    p_pocket, p_this, p_psm = (
        env.usdc.balance_of(env.pocket),
        env.dai.balance_of(THIS),
        env.cash(),
    )
    gem_amt = amt(3_000_000 * WAD)
    dai_in = env.psm.buy_gem(D34D, gem_amt, sender=THIS)
    assert env.usdc.balance_of(D34D) == gem_amt
    assert env.usdc.balance_of(env.pocket) == p_pocket - gem_amt
    assert env.dai.balance_of(THIS) == p_this - dai_in
    assert env.cash() == p_psm + dai_in


def test_buy_gem_revert_when_pocket_has_no_gem() -> None:
    env = Env()
    with pytest.raises(ProtocolError) as err:  # "ERC20: transfer amount exceeds balance"
        env.psm.buy_gem(THIS, 1, sender=THIS)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert env.dai.balance_of(THIS) == 100_000_000 * WAD


def test_fill() -> None:
    env = Env()
    psm, vat = env.psm, env.vat
    assert env.cash() == 0
    assert env.debt() == 0
    assert psm.fill() == 10_000_000 * WAD
    with pytest.raises(ProtocolError) as err:  # buf == pre-minted unused Dai
        psm.fill()
    assert err.value.context["reason"] == "DssLitePsm/nothing-to-fill"
    psm.file("buf", 8_000_000 * WAD, sender=THIS)  # buf < pre-minted unused Dai
    with pytest.raises(ProtocolError, match="NOTHING_TO_FILL"):
        psm.fill()
    psm.file("buf", 10_000_000 * WAD, sender=THIS)
    assert env.debt() == 10_000_000 * RAD
    psm.sell_gem(X1337, amt(10_000_000 * WAD), sender=THIS)
    assert env.cash() == 0
    assert env.debt() == 10_000_000 * RAD
    assert psm.fill() == 10_000_000 * WAD  # 2nd fill
    assert env.cash() == 10_000_000 * WAD
    assert env.debt() == 20_000_000 * RAD
    vat.file(psm.ilk, "line", 25_000_000 * RAD)  # next fill is limited by line
    psm.sell_gem(X1337, amt(10_000_000 * WAD), sender=THIS)
    assert env.cash() == 0
    assert psm.fill() == 5_000_000 * WAD
    assert env.cash() == 5_000_000 * WAD
    assert env.debt() == 25_000_000 * RAD
    with pytest.raises(ProtocolError, match="NOTHING_TO_FILL"):  # line == debt
        psm.fill()
    vat.file(psm.ilk, "line", 20_000_000 * RAD)
    with pytest.raises(ProtocolError, match="NOTHING_TO_FILL"):  # line < debt
        psm.fill()
    vat.file(psm.ilk, "line", 50_000_000 * RAD)
    assert psm.fill() == 5_000_000 * WAD  # 4th fill
    assert env.cash() == 10_000_000 * WAD
    assert env.debt() == 30_000_000 * RAD


def test_fill_and_trim_revert_when_rate_is_invalid() -> None:
    env = Env()
    env.vat.fold(env.psm.ilk, make_addr("111"), 1)
    for call in (env.psm.fill, env.psm.trim):
        with pytest.raises(ProtocolError) as err:
            call()
        assert err.value.context["reason"] == "DssLitePsm/rate-not-RAY"


def test_trim() -> None:
    env = Env()
    psm, vat = env.psm, env.vat
    psm.fill()
    psm.sell_gem(THIS, amt(10_000_000 * WAD), sender=THIS)
    psm.fill()
    assert env.cash() == 10_000_000 * WAD
    assert env.debt() == 20_000_000 * RAD
    with pytest.raises(ProtocolError) as err:  # buf == pre-minted unused Dai
        psm.trim()
    assert err.value.context["reason"] == "DssLitePsm/nothing-to-trim"
    psm.file("buf", 12_000_000 * WAD, sender=THIS)  # buf > pre-minted unused Dai
    with pytest.raises(ProtocolError, match="NOTHING_TO_TRIM"):
        psm.trim()
    psm.file("buf", 10_000_000 * WAD, sender=THIS)
    psm.buy_gem(X1337, amt(5_000_000 * WAD), sender=THIS)
    assert env.cash() == 15_000_000 * WAD
    assert psm.trim() == 5_000_000 * WAD  # excess pre-minted Dai
    assert env.cash() == 10_000_000 * WAD
    assert env.debt() == 15_000_000 * RAD
    vat.file(psm.ilk, "line", 12_000_000 * RAD)
    assert psm.trim() == 3_000_000 * WAD  # exceeding line
    assert env.cash() == 7_000_000 * WAD
    assert env.debt() == 12_000_000 * RAD
    vat.file(psm.ilk, "line", 4_000_000 * RAD)
    assert psm.trim() == 7_000_000 * WAD  # limited by the balance
    assert env.cash() == 0
    assert env.debt() == 5_000_000 * RAD


def test_sell_and_buy_gem_accounting_fees() -> None:
    env = Env()
    psm = env.psm
    psm.fill()
    tin = tout = WAD // 100
    env.set_fees(tin, tout)
    gem_amt = amt(100_000 * WAD)
    dai_out = psm.sell_gem(X1337, gem_amt, sender=THIS)
    p_psm, p_this = env.cash(), env.dai.balance_of(THIS)
    p_pocket, p_this_gem = env.usdc.balance_of(env.pocket), env.usdc.balance_of(THIS)
    p_cut = psm.cut()
    assert p_cut == fee(tin, gem_amt)
    assert p_psm == 10_000_000 * WAD - dai_out
    dai_in = psm.buy_gem(THIS, gem_amt // 2, sender=THIS)
    assert psm.cut() == p_cut + fee(tout, gem_amt // 2)
    assert env.cash() == 10_000_000 * WAD - dai_out + dai_in
    assert env.usdc.balance_of(env.pocket) == p_pocket - gem_amt // 2
    assert env.dai.balance_of(THIS) == p_this - dai_in
    assert env.usdc.balance_of(THIS) == p_this_gem + gem_amt // 2


@settings(max_examples=25 * FUZZ, deadline=None)
@given(
    gem_amt=st.integers(amt(WAD), amt(10_000_000 * WAD)),
    tin=st.integers(10**13, WAD),
    tout=st.integers(10**13, WAD),
)
def test_chug_fuzz_bounded(gem_amt: int, tin: int, tout: int) -> None:
    env = Env()
    psm = env.psm
    psm.fill()
    env.set_fees(tin, tout)
    psm.sell_gem(THIS, gem_amt, sender=THIS)
    psm.buy_gem(THIS, gem_amt, sender=THIS)
    p_vow, p_psm, cut = env.vat.dai(VOW), env.cash(), psm.cut()
    assert psm.chug() == cut
    assert env.vat.dai(VOW) == p_vow + cut * RAY
    assert env.cash() == p_psm - cut
    assert psm.cut() == 0


def test_chug_reverts() -> None:
    env = Env()
    with pytest.raises(ProtocolError) as err:  # testChug_Revert_WhenZeroAccumulatedFees
        env.psm.chug()
    assert err.value.context["reason"] == "DssLitePsm/nothing-to-chug"
    env.psm.fill()
    env.set_fees(WAD // 1000, WAD // 1000)
    env.psm.file("vow", ZERO_ADDRESS, sender=THIS)
    env.psm.sell_gem(THIS, amt(50_000 * WAD), sender=THIS)
    env.psm.buy_gem(THIS, amt(50_000 * WAD), sender=THIS)
    with pytest.raises(ProtocolError) as err:  # testChug_Revert_WhenVowIsAddressZero
        env.psm.chug()
    assert err.value.context["reason"] == "DssLitePsm/chug-missing-vow"


def test_chug_partial_dai_balance() -> None:
    env = Env()
    psm = env.psm
    env.set_fees(WAD // 100, WAD // 100)
    psm.fill()
    psm.sell_gem(THIS, amt(10_000_000 * WAD), sender=THIS)
    assert psm.cut() == 100_000 * WAD
    psm.file("tin", 0, sender=THIS)
    psm.sell_gem(THIS, amt(40_000 * WAD), sender=THIS)
    assert psm.cut() == 60_000 * WAD
    assert env.full_cut() == 100_000 * WAD
    assert psm.chug() == 60_000 * WAD
    assert psm.cut() == 0
    assert env.full_cut() == 40_000 * WAD


def test_chug_revert_when_no_dai_balance() -> None:
    env = Env()
    psm = env.psm
    env.set_fees(WAD // 100, WAD // 100)
    psm.fill()
    psm.sell_gem(THIS, amt(10_000_000 * WAD), sender=THIS)
    assert psm.cut() == 100_000 * WAD
    assert env.full_cut() == 100_000 * WAD
    psm.file("tin", 0, sender=THIS)
    psm.sell_gem(THIS, amt(100_000 * WAD), sender=THIS)
    assert psm.cut() == 0
    assert env.full_cut() == 100_000 * WAD
    with pytest.raises(ProtocolError, match="NOTHING_TO_CHUG"):
        psm.chug()


def test_permissioned_swaps_no_fee() -> None:
    env = Env()
    psm = env.psm
    psm.fill()
    env.set_fees(WAD // 1000, WAD // 1000)
    gem_wad = 500_000 * WAD
    p_dai, p_gem = env.dai.balance_of(THIS), env.usdc.balance_of(THIS)
    psm.kiss(THIS, sender=THIS)
    assert psm.sell_gem_no_fee(THIS, amt(gem_wad), sender=THIS) == gem_wad
    assert env.dai.balance_of(THIS) == p_dai + gem_wad
    assert env.usdc.balance_of(THIS) == p_gem - amt(gem_wad)
    assert env.usdc.balance_of(env.pocket) == amt(gem_wad)
    assert psm.buy_gem_no_fee(THIS, amt(gem_wad), sender=THIS) == gem_wad
    assert env.dai.balance_of(THIS) == p_dai
    assert env.usdc.balance_of(THIS) == p_gem
    assert env.usdc.balance_of(env.pocket) == 0


def test_gem_donation_reproduce() -> None:
    for second_case in (False, True):
        env = Env()
        psm = env.psm
        env.set_fees(WAD // 100, WAD // 100)
        psm.file("buf", 100_000 * WAD, sender=THIS)
        psm.fill()
        assert env.cash() == 100_000 * WAD
        env.usdc.transfer(env.pocket, amt(150_000 * WAD), sender=THIS)
        if not second_case:
            assert psm.chug() == 100_000 * WAD  # up to the Dai balance
            assert env.cash() == 0
            psm.fill()
            assert env.cash() == 150_000 * WAD
            assert psm.chug() == 50_000 * WAD
            assert env.cash() == 100_000 * WAD
        else:
            psm.buy_gem(THIS, amt(150_000 * WAD), sender=THIS)
            assert psm.chug() == 151_500 * WAD  # includes the swap fee


def test_dai_donation_reproduce() -> None:
    env = Env()
    psm = env.psm
    psm.file("buf", 100_000 * WAD, sender=THIS)
    psm.fill()
    env.dai.transfer(psm.address, 150_000 * WAD, sender=THIS)
    assert psm.chug() == 150_000 * WAD

    env = Env()
    psm = env.psm
    psm.file("buf", 100_000 * WAD, sender=THIS)
    psm.fill()
    env.dai.transfer(psm.address, 100_000 * WAD, sender=THIS)
    assert env.cash() == 200_000 * WAD
    with pytest.raises(ProtocolError, match="NOTHING_TO_TRIM"):
        psm.trim()
    with pytest.raises(ProtocolError, match="NOTHING_TO_FILL"):
        psm.fill()
    assert psm.chug() == 100_000 * WAD
    assert env.cash() == 100_000 * WAD
    with pytest.raises(ProtocolError, match="NOTHING_TO_FILL"):
        psm.fill()
    psm.sell_gem(THIS, amt(1000 * WAD), sender=THIS)
    assert env.cash() == 99_000 * WAD


def test_limitations_griefing() -> None:
    """testSellGem_Limitation_TrimGriefingAttack, _FrontRunningGriefingAttack, and
    testBuyGem_Limitation_FrontRunningGriefingAttack: the swaps revert in the token."""
    env = Env()
    psm = env.psm
    psm.file("buf", 100_000 * WAD, sender=THIS)
    psm.fill()
    psm.sell_gem(THIS, amt(100_000 * WAD), sender=THIS)
    assert env.cash() == 0
    psm.fill()
    assert env.cash() == 100_000 * WAD
    psm.buy_gem(THIS, amt(50_000 * WAD), sender=THIS)
    assert env.cash() == 150_000 * WAD
    assert psm.trim() == 50_000 * WAD
    assert env.cash() == 100_000 * WAD
    with pytest.raises(ProtocolError, match="INSUFFICIENT_BALANCE"):  # Dai/insufficient-balance
        psm.sell_gem(THIS, amt(150_000 * WAD), sender=THIS)

    env = Env()
    psm = env.psm
    psm.file("buf", 100_000 * WAD, sender=THIS)
    psm.fill()
    psm.sell_gem(THIS, amt(WAD), sender=THIS)
    assert env.cash() == 99_999 * WAD
    with pytest.raises(ProtocolError, match="INSUFFICIENT_BALANCE"):
        psm.sell_gem(THIS, amt(100_000 * WAD), sender=THIS)

    env = Env()
    psm = env.psm
    psm.file("buf", 100_000 * WAD, sender=THIS)
    psm.fill()
    psm.sell_gem(THIS, amt(100_000 * WAD), sender=THIS)
    psm.buy_gem(THIS, amt(WAD), sender=THIS)
    assert env.cash() == WAD
    usdc_before = env.usdc.balance_of(THIS)
    with pytest.raises(ProtocolError, match="INSUFFICIENT_BALANCE"):
        psm.buy_gem(THIS, amt(100_000 * WAD), sender=THIS)
    assert env.usdc.balance_of(THIS) == usdc_before  # the DAI pull was undone too
    assert env.cash() == WAD


@settings(max_examples=50 * FUZZ, deadline=None)
@given(
    tin=st.integers(0, WAD),
    tout=st.integers(0, WAD),
    ops=st.lists(st.tuples(st.booleans(), st.integers(1, 10**13)), min_size=1, max_size=8),
)
def test_swaps_never_create_value(tin: int, tout: int, ops: list[tuple[bool, int]]) -> None:
    # Selling gem gives at most gem * 1e12 DAI; buying gem takes at least gem * 1e12 DAI.
    env = Env()
    psm = env.psm
    psm.fill()
    env.set_fees(tin, tout)
    for sell, gem_amt in ops:
        before = env.dai.balance_of(THIS) + env.usdc.balance_of(THIS) * 10**12
        try:
            if sell:
                out = psm.sell_gem(THIS, gem_amt, sender=THIS)
                assert out <= gem_amt * 10**12
            else:
                paid = psm.buy_gem(THIS, gem_amt, sender=THIS)
                assert paid >= gem_amt * 10**12
        except ProtocolError as err:
            assert err.code is ErrorCode.INSUFFICIENT_BALANCE  # noqa: PT017
        after = env.dai.balance_of(THIS) + env.usdc.balance_of(THIS) * 10**12
        assert after <= before
        # The PSM's DAI + the pocket's gem always cover its debt (the fees are surplus).
        assert env.full_cut() >= 0
