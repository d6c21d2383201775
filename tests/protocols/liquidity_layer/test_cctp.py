"""CCTP v1: the reverts of circlefin/evm-cctp-contracts `test/TokenMessenger.t.sol`
(testDepositForBurn_revertsIfTransferAmountIsZero, _revertsIfMintRecipientIsZero,
_revertsIfNoRemoteTokenMessengerExistsForDomain, _revertsIfTransferAmountExceedsAllowance,
_revertsOnFailedTokenTransfer, _revertsWhenAmountExceedsNonZeroBurnLimit, nonce reservation)
and `test/TokenMinter.t.sol` (testBurn_revertsWhenBurnTokenNotSupported), with Circle's revert
strings; delivery after the attestation delay; a Hypothesis property: USDC on all chains plus
in flight is conserved.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.liquidity_layer.cctp import TokenMessenger, install_cctp
from sparkprime.protocols.liquidity_layer.domains import (
    ARBITRUM,
    AVALANCHE,
    BASE,
    ETHEREUM,
    GNOSIS,
    Network,
)
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
OWNER = make_addr("owner")
BOB = make_addr("bob")
LIMIT = 1_000_000 * 10**6
CHAINS = ("ethereum", "avalanche", "arbitrum", "base")


def _net() -> tuple[Network, dict[str, TokenMessenger]]:
    net = Network(Clock(1_700_000_000))
    for d in (ETHEREUM, AVALANCHE, ARBITRUM, BASE, GNOSIS):
        net.add_chain(d, {"USDC": 6})
    messengers = install_cctp(net, burn_limit=LIMIT)
    for name in CHAINS:
        usdc = net.chain(name).token("USDC")
        usdc.mint(OWNER, 10 * LIMIT)
        usdc.approve(messengers[name].address, 2**256 - 1, sender=OWNER)
    return net, messengers


def test_install_skips_gnosis_and_links_all_domains() -> None:
    _, ms = _net()
    assert set(ms) == set(CHAINS)
    eth = ms["ethereum"]
    assert eth.remote_token_messengers(6) == ms["base"].address
    assert eth.remote_token_messengers(0) == ZERO_ADDRESS
    usdc = eth.chain.token("USDC").address
    assert eth.local_minter.burn_limits_per_message(usdc) == LIMIT


def test_deposit_for_burn_reverts_with_circles_strings() -> None:
    net, ms = _net()
    eth = ms["ethereum"]
    usdc = eth.chain.token("USDC")
    cases = [
        ((0, 6, BOB), "Amount must be nonzero", ErrorCode.CCTP_AMOUNT_ZERO),
        (
            (1, 6, ZERO_ADDRESS),
            "Mint recipient must be nonzero",
            ErrorCode.CCTP_MINT_RECIPIENT_ZERO,
        ),
        ((1, 0, BOB), "No TokenMessenger for domain", ErrorCode.CCTP_NO_TOKEN_MESSENGER_FOR_DOMAIN),
        ((1, 2, BOB), "No TokenMessenger for domain", ErrorCode.CCTP_NO_TOKEN_MESSENGER_FOR_DOMAIN),
        (
            (LIMIT + 1, 6, BOB),
            "Burn amount exceeds per tx limit",
            ErrorCode.CCTP_BURN_AMOUNT_EXCEEDS_LIMIT,
        ),
    ]
    for (amount, domain, recipient), reason, code in cases:
        with pytest.raises(ProtocolError) as err:
            eth.deposit_for_burn(amount, domain, recipient, usdc.address, sender=OWNER)
        assert err.value.code is code
        assert err.value.context["reason"] == reason
    eth.local_minter.set_max_burn_amount_per_message(usdc.address, 0)
    with pytest.raises(ProtocolError) as err:
        eth.deposit_for_burn(1, 6, BOB, usdc.address, sender=OWNER)
    assert err.value.context["reason"] == "Burn token not supported"
    assert usdc.balance_of(OWNER) == 10 * LIMIT
    assert net.in_flight() == []
    assert eth.next_available_nonce() == 0


def test_deposit_for_burn_token_reverts() -> None:
    _, ms = _net()
    eth = ms["ethereum"]
    usdc = eth.chain.token("USDC")
    poor = make_addr("poor")
    usdc.mint(poor, 10)
    with pytest.raises(ProtocolError) as err:  # exceeds allowance
        eth.deposit_for_burn(10, 6, BOB, usdc.address, sender=poor)
    assert err.value.code is ErrorCode.INSUFFICIENT_ALLOWANCE
    usdc.approve(eth.address, 11, sender=poor)
    with pytest.raises(ProtocolError) as err:  # failed token transfer
        eth.deposit_for_burn(11, 6, BOB, usdc.address, sender=poor)
    assert err.value.code is ErrorCode.INSUFFICIENT_BALANCE


def test_burn_then_mint_after_attestation() -> None:
    net, ms = _net()
    eth, avax = ms["ethereum"], ms["avalanche"]
    e_usdc = eth.chain.token("USDC")
    b_usdc = net.chain("base").token("USDC")
    supply = e_usdc.total_supply
    assert eth.deposit_for_burn(LIMIT, 6, BOB, e_usdc.address, sender=OWNER) == 0
    assert eth.deposit_for_burn(5, 6, BOB, e_usdc.address, sender=OWNER) == 1
    assert e_usdc.total_supply == supply - LIMIT - 5
    assert e_usdc.balance_of(eth.local_minter.address) == 0
    [m0, m1] = net.in_flight("USDC")
    assert (m0.nonce, m0.amount, m0.due_ts_s - m0.sent_ts_s) == (0, LIMIT, 780)
    net.advance(779)
    assert b_usdc.balance_of(BOB) == 0
    net.advance(1)
    assert b_usdc.balance_of(BOB) == LIMIT + 5
    # Avalanche attests in ~8 s.
    a_usdc = avax.chain.token("USDC")
    avax.deposit_for_burn(7, 0, BOB, a_usdc.address, sender=OWNER)
    net.advance(8)
    assert e_usdc.balance_of(BOB) == 7
    assert m1.nonce == 1


@settings(max_examples=40 * FUZZ, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(CHAINS),
            st.sampled_from((0, 1, 3, 6, 2)),
            st.integers(0, 2 * LIMIT),
            st.integers(0, 2_000),
        ),
        max_size=10,
    )
)
def test_usdc_is_conserved_across_chains(ops: list[tuple[str, int, int, int]]) -> None:
    net, ms = _net()
    total = net.total_supply(["USDC"])["USDC"]
    for source, domain, amount, wait in ops:
        m = ms[source]
        try:
            m.deposit_for_burn(amount, domain, BOB, m.chain.token("USDC").address, sender=OWNER)
        except ProtocolError as err:
            assert err.code in (  # noqa: PT017
                ErrorCode.CCTP_AMOUNT_ZERO,
                ErrorCode.CCTP_NO_TOKEN_MESSENGER_FOR_DOMAIN,
                ErrorCode.CCTP_BURN_AMOUNT_EXCEEDS_LIMIT,
                ErrorCode.INSUFFICIENT_BALANCE,
            )
        net.advance(wait)
        assert net.total_supply(["USDC"])["USDC"] == total
    net.advance(10_000)
    assert net.in_flight() == []
    assert sum(net.chain(c).token("USDC").total_supply for c in CHAINS) == total
