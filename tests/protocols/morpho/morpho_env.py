"""A Morpho Blue deployment like morpho-blue's `test/forge/BaseTest.sol` (v1.0).

One chain (TokenRegistry + Clock), a loan and a collateral token (18 decimals), an oracle
mock at price 1e36, the IrmMock (`LinearIrm`), LLTV 0.8, a fee recipient, and the test
actors. `approx_eq_rel` is forge's assertApproxEqRel: |a - b| * 1e18 / b <= max_delta.
"""

from __future__ import annotations

import dataclasses

from sparkprime.core.clock import Clock
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.morpho.irm import LinearIrm
from sparkprime.protocols.morpho.market import Morpho
from sparkprime.protocols.morpho.market_math import WAD, MarketId, MarketParams, market_id
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr

OWNER = make_addr("Owner")
SUPPLIER = make_addr("Supplier")
BORROWER = make_addr("Borrower")
REPAYER = make_addr("Repayer")
ONBEHALF = make_addr("OnBehalf")
RECEIVER = make_addr("Receiver")
LIQUIDATOR = make_addr("Liquidator")
FEE_RECIPIENT = make_addr("FeeRecipient")

LLTV = 8 * 10**17
MIN_TEST_AMOUNT = 100
MAX_TEST_AMOUNT = 10**28
MAX_U256 = 2**256 - 1


class OracleMock:
    """morpho-blue `src/mocks/OracleMock.sol`: a settable price."""

    def __init__(self, price: int = 10**36, address: Address | None = None) -> None:
        self.address = address if address is not None else make_addr("OracleMock")
        self._price = price

    def price(self) -> int:
        return self._price

    def set_price(self, price: int) -> None:
        self._price = price


@dataclasses.dataclass
class Env:
    clock: Clock
    reg: TokenRegistry
    loan: Erc20
    collateral: Erc20
    oracle: OracleMock
    irm: LinearIrm
    morpho: Morpho
    params: MarketParams

    @property
    def id(self) -> MarketId:
        return market_id(self.params)

    def deal(self, token: Erc20, who: Address, amount: int) -> None:
        """foundry `deal` + an unlimited approval of Morpho."""
        token.set_balance(who, amount)
        token.approve(self.morpho.address, MAX_U256, sender=who)


def make_env(lltv: int = LLTV, start_ts: int = 1) -> Env:
    clock = Clock(start_ts)
    reg = TokenRegistry()
    loan = reg.register(Erc20(make_addr("LoanToken"), "LOAN", 18))
    collateral = reg.register(Erc20(make_addr("CollateralToken"), "COLL", 18))
    morpho = Morpho(OWNER, tokens=reg, clock=clock)
    oracle, irm = OracleMock(), LinearIrm()
    morpho.register_oracle(oracle)
    morpho.register_irm(irm)
    morpho.enable_irm(irm.address, sender=OWNER)
    morpho.set_fee_recipient(FEE_RECIPIENT, sender=OWNER)
    params = MarketParams(
        loan_token=loan.address,
        collateral_token=collateral.address,
        oracle=oracle.address,
        irm=irm.address,
        lltv=lltv,
    )
    if lltv != 0:
        morpho.enable_lltv(lltv, sender=OWNER)
    morpho.create_market(params, sender=OWNER)
    return Env(clock, reg, loan, collateral, oracle, irm, morpho, params)


def idle_params(env: Env) -> MarketParams:
    """The vault's idle market: no collateral, no oracle, no IRM, LLTV 0."""
    return MarketParams(
        loan_token=env.loan.address,
        collateral_token=ZERO_ADDRESS,
        oracle=ZERO_ADDRESS,
        irm=ZERO_ADDRESS,
        lltv=0,
    )


def approx_eq_rel(a: int, b: int, max_delta_wad: int) -> bool:
    """forge-std assertApproxEqRel: b == 0 needs a == b, else |a - b| * 1e18 / |b| <= delta."""
    if b == 0:
        return a == b
    return abs(a - b) * WAD // abs(b) <= max_delta_wad
