"""Spark Savings v2 `SparkVault` (spUSDC, spUSDT, spETH): an ERC-4626 vault with its own
vault savings rate, whose assets a TAKER (the ALM proxy) moves out to earn the yield.

Source: sparkdotfi/spark-vaults-v2 `src/SparkVault.sol` at 246e63e1ccea24211104ee8223061bc730a5a4e4
(pragma 0.8.35, the version with `depositCap` and "taker-cannot-deposit").

State: `vsr` (ray per second), `chi` (ray), `rho` (last drip), `min_vsr`/`max_vsr` (both RAY
after `initialize`, so the rate is pinned at 0% until the admin widens them, at most
`MAX_VSR` = 100% APY), `deposit_cap` (0 after `initialize`: every deposit reverts until the
admin sets one). Roles (OpenZeppelin AccessControlEnumerable, admin of each is
DEFAULT_ADMIN_ROLE): DEFAULT_ADMIN_ROLE (`set_deposit_cap`, `set_vsr_bounds`), SETTER_ROLE
(`set_vsr`, which drips first), TAKER_ROLE (`take(value)`: moves idle assets to the taker).

Unlike sUSDS, a drip mints nothing: interest is a liability of the vault, paid from what the
taker brings back. The asset balance the vault holds is its liquidity; `total_assets` is what
it owes (`convert_to_assets(total_supply)`), `assets_outstanding` the part out with the taker.

The ERC-4626 formulas and rounding are sUSDS's (deposit/convert down, mint/withdraw up,
redeem down), so this subclasses `SavingsVault`. What differs, as in the contract:

- `preview_redeem`/`preview_withdraw` and every payout require the vault's asset balance to
  cover it ("SparkVault/insufficient-liquidity");
- `max_deposit = max(cap - total_assets, 0)`, `max_mint` the same in shares (uint256 max when
  the cap is above uint256.max / RAY), `max_withdraw = min(liquidity, assets_of(owner))`,
  `max_redeem = min(liquidity * RAY // chi, balance)`;
- a deposit or mint requires `total_assets + assets <= deposit_cap` and that neither the
  caller nor the receiver is a taker.

Revert strings map to: "SparkVault/invalid-address", "insufficient-balance",
"insufficient-allowance": the shared `SAVINGS_*` codes with `reason=`; "vsr-too-low",
"vsr-too-high", "min-vsr-gt-max-vsr", "insufficient-liquidity", "deposit-cap-exceeded",
"taker-cannot-deposit": `SPARK_VAULT_*`; `AccessControlUnauthorizedAccount`: `MISSING_ROLE`.
Not modelled: `permit` (signatures), the `uint16 referral` overloads (events only), UUPS
upgrades, and the later `takerMint`/`takerBurn` of the spark-vaults-v2 head (a different
version than the one cited).

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import TokenRegistry
    >>> reg = TokenRegistry()
    >>> usdc = reg.register(Erc20(Address("0x" + "a0" * 20), "USDC", 6))
    >>> admin, alice = Address("0x" + "01" * 20), Address("0x" + "aa" * 20)
    >>> vault = SparkVault(usdc, Clock(1_700_000_000), atomic=reg.atomic, admin=admin)
    >>> vault.set_deposit_cap(10**12, sender=admin)
    >>> usdc.mint(alice, 100 * 10**6)
    >>> _ = usdc.approve(vault.address, 2**256 - 1, sender=alice)
    >>> vault.deposit(100 * 10**6, alice, sender=alice)
    100000000
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.savings.accrual import accrued_chi
from sparkprime.protocols.savings.erc4626 import ZERO_ADDRESS, SavingsVault
from sparkprime.protocols.sparklend.access_control import (
    DEFAULT_ADMIN_ROLE,
    AccessControlEnumerable,
)
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "DEFAULT_ADMIN_ROLE",
    "MAX_VSR",
    "SETTER_ROLE",
    "SPUSDC_ADDRESS",
    "TAKER_ROLE",
    "SparkVault",
]

MAX_VSR: Final = 1000000021979553151239153027  # 100% APY
SETTER_ROLE: Final = "SETTER_ROLE"
TAKER_ROLE: Final = "TAKER_ROLE"
# spark-address-registry `Ethereum.SPARK_VAULT_V2_SPUSDC`.
SPUSDC_ADDRESS: Final = Address("0x28b3a8fb53b741a8fd78c0fb9a6b2393d896a43d")
_MAX: Final = UINT256_MAX
_PREFIX: Final = "SparkVault/"


class SparkVault(SavingsVault):
    """One Spark Savings v2 vault, exact to the wei."""

    def __init__(
        self,
        asset: Erc20,
        clock: Clock,
        *,
        atomic: Atomic,
        admin: Address,
        address: Address = SPUSDC_ADDRESS,
        name: str = "Spark Savings USDC",
        symbol: str = "spUSDC",
        events: EventLog | None = None,
    ) -> None:
        super().__init__(asset, clock, address=address, atomic=atomic)
        self.name = name
        self.symbol = symbol
        self.decimals = asset.decimals
        self.events = events if events is not None else EventLog()
        self.roles = AccessControlEnumerable(atomic=atomic, events=self.events)
        self.roles.grant(DEFAULT_ADMIN_ROLE, admin, admin)
        self._s: dict[str, int] = {
            "vsr": RAY,
            "chi": RAY,
            "rho": clock.now,
            "min_vsr": RAY,
            "max_vsr": RAY,
            "deposit_cap": 0,
        }

    # --- storage views ---

    @property
    def vsr(self) -> int:
        """The per-second vault savings rate (ray)."""
        return self._s["vsr"]

    @property
    def chi(self) -> int:
        """The stored accumulator (ray)."""
        return self._s["chi"]

    @property
    def rho(self) -> int:
        """The time of the last drip."""
        return self._s["rho"]

    @property
    def min_vsr(self) -> int:
        """The lowest rate the setter may choose (ray)."""
        return self._s["min_vsr"]

    @property
    def max_vsr(self) -> int:
        """The highest rate the setter may choose (ray)."""
        return self._s["max_vsr"]

    @property
    def deposit_cap(self) -> int:
        """The ceiling on total_assets a deposit may reach."""
        return self._s["deposit_cap"]

    # --- roles ---

    def has_role(self, role: str, account: Address) -> bool:
        """Whether `account` holds `role`."""
        return self.roles.has_role(role, account)

    def grant_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Give `account` the role (the admin role's holders only)."""
        self.roles.grant_role(role, account, sender=sender)

    def revoke_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Take the role from `account` (the admin role's holders only)."""
        self.roles.revoke_role(role, account, sender=sender)

    # --- accrual ---

    def now_chi(self) -> int:
        """`nowChi()`: the accumulator a drip now would give."""
        return self.chi_now()

    def chi_now(self) -> int:
        s, now = self._s, self.clock.now
        if now > s["rho"]:
            return accrued_chi(s["vsr"], s["chi"], now - s["rho"], op="nowChi")
        return s["chi"]

    def _drip(self) -> int:
        s, now = self._s, self.clock.now
        if now <= s["rho"]:
            return s["chi"]
        n_chi = accrued_chi(s["vsr"], s["chi"], now - s["rho"], op="drip")
        supply = self.total_supply
        if supply * n_chi > _MAX:  # diff's checked multiplication
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="drip", supply=supply, chi=n_chi)
        diff = supply * n_chi // RAY - supply * s["chi"] // RAY
        self.atomic.set_item(s, "chi", n_chi)
        self.atomic.set_item(s, "rho", now)
        self.events.emit(self.atomic, "Drip", n_chi, diff)
        return n_chi

    # --- role-based actions ---

    def set_deposit_cap(self, new_cap: int, *, sender: Address) -> None:
        """`setDepositCap` (admin): any uint256, 0 closes deposits."""
        new_cap = check_uint256(new_cap, field="new_cap")
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        transact(self.atomic, self._set, "deposit_cap", new_cap, "DepositCapSet")

    def set_vsr_bounds(self, min_vsr: int, max_vsr: int, *, sender: Address) -> None:
        """`setVsrBounds` (admin): RAY <= min_vsr <= max_vsr <= MAX_VSR."""
        min_vsr = check_uint256(min_vsr, field="min_vsr")
        max_vsr = check_uint256(max_vsr, field="max_vsr")
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        if min_vsr < RAY:
            raise self._vsr_error(ErrorCode.SPARK_VAULT_VSR_TOO_LOW, min_vsr, "vsr-too-low")
        if max_vsr > MAX_VSR:
            raise self._vsr_error(ErrorCode.SPARK_VAULT_VSR_TOO_HIGH, max_vsr, "vsr-too-high")
        if min_vsr > max_vsr:
            raise ProtocolError(
                ErrorCode.SPARK_VAULT_MIN_VSR_GT_MAX_VSR,
                min=min_vsr,
                max=max_vsr,
                reason=_PREFIX + "min-vsr-gt-max-vsr",
            )
        transact(self.atomic, self._set_bounds, min_vsr, max_vsr)

    def _set_bounds(self, min_vsr: int, max_vsr: int) -> None:
        s = self._s
        self.events.emit(self.atomic, "VsrBoundsSet", s["min_vsr"], s["max_vsr"], min_vsr, max_vsr)
        self.atomic.set_item(s, "min_vsr", min_vsr)
        self.atomic.set_item(s, "max_vsr", max_vsr)

    def set_vsr(self, new_vsr: int, *, sender: Address) -> None:
        """`setVsr` (setter): within [min_vsr, max_vsr]; drips at the old rate first."""
        new_vsr = check_uint256(new_vsr, field="new_vsr")
        self.roles.check_role(SETTER_ROLE, sender)
        if new_vsr < self.min_vsr:
            raise self._vsr_error(ErrorCode.SPARK_VAULT_VSR_TOO_LOW, new_vsr, "vsr-too-low")
        if new_vsr > self.max_vsr:
            raise self._vsr_error(ErrorCode.SPARK_VAULT_VSR_TOO_HIGH, new_vsr, "vsr-too-high")
        transact(self.atomic, self._set_vsr, new_vsr, sender)

    def _set_vsr(self, new_vsr: int, sender: Address) -> None:
        self._drip()
        self.events.emit(self.atomic, "VsrSet", sender, self.vsr, new_vsr)
        self.atomic.set_item(self._s, "vsr", new_vsr)

    def take(self, value: int, *, sender: Address) -> None:
        """`take` (taker): move `value` of the vault's idle assets to the taker."""
        value = check_uint256(value, field="value")
        self.roles.check_role(TAKER_ROLE, sender)
        transact(self.atomic, self._take_out, value, sender)

    def _take_out(self, value: int, to: Address) -> None:
        self._push(to, value)
        self.events.emit(self.atomic, "Take", to, value)

    def _set(self, key: str, value: int, event: str) -> None:
        self.events.emit(self.atomic, event, self._s[key], value)
        self.atomic.set_item(self._s, key, value)

    def _vsr_error(self, code: ErrorCode, value: int, reason: str) -> ProtocolError:
        return ProtocolError(
            code, value=value, min=self.min_vsr, max=self.max_vsr, reason=_PREFIX + reason
        )

    # --- views ---

    def liquidity(self) -> int:
        """The vault's own balance of its asset: what it can pay out now."""
        return self.asset.balance_of(self.address)

    def assets_of(self, owner: Address) -> int:
        """`assetsOf`: convert_to_assets(balance_of(owner))."""
        return self.convert_to_assets(self.balance_of(owner))

    def assets_outstanding(self) -> int:
        """`assetsOutstanding`: what the vault owes beyond its liquidity (0 if none)."""
        total, liquidity = self.total_assets(), self.liquidity()
        return total - liquidity if total >= liquidity else 0

    def max_deposit(self, receiver: Address) -> int:
        """Room under the deposit cap, in assets."""
        total, cap = self.total_assets(), self.deposit_cap
        return 0 if cap <= total else cap - total

    def max_mint(self, receiver: Address) -> int:
        """Room under the deposit cap, in shares (down); "infinite" above uint256.max / RAY."""
        cap = self.deposit_cap
        if cap > _MAX // RAY:
            return _MAX
        total = self.total_assets()
        return 0 if cap <= total else (cap - total) * RAY // self.chi_now()

    def max_redeem(self, owner: Address) -> int:
        """min(liquidity in shares (down), balance)."""
        max_shares = self._mul(self.liquidity(), RAY, "maxRedeem") // self.chi_now()
        return min(max_shares, self.balance_of(owner))

    def max_withdraw(self, owner: Address) -> int:
        """min(liquidity, assets_of(owner))."""
        return min(self.liquidity(), self.assets_of(owner))

    def preview_redeem(self, shares: int) -> int:
        """convert_to_assets(shares), which the liquidity must cover."""
        amount = self.convert_to_assets(shares)
        self._check_liquidity(amount)
        return amount

    def preview_withdraw(self, assets: int) -> int:
        """divup(assets * RAY, chi), with the liquidity covering `assets`."""
        self._check_liquidity(check_uint256(assets, field="assets"))
        return super().preview_withdraw(assets)

    # --- SavingsVault hooks ---

    def _mint(self, assets: int, shares: int, receiver: Address, sender: Address) -> None:
        self._check_receiver(receiver)
        if self.has_role(TAKER_ROLE, sender) or self.has_role(TAKER_ROLE, receiver):
            raise ProtocolError(
                ErrorCode.SPARK_VAULT_TAKER_CANNOT_DEPOSIT,
                sender=sender,
                receiver=receiver,
                reason=_PREFIX + "taker-cannot-deposit",
            )
        total = self.total_assets() + assets
        if total > _MAX:
            raise ProtocolError(
                ErrorCode.MATH_OVERFLOW, op="depositCap", a=total - assets, b=assets
            )
        if total > self.deposit_cap:
            raise ProtocolError(
                ErrorCode.SPARK_VAULT_DEPOSIT_CAP_EXCEEDED,
                total=total,
                cap=self.deposit_cap,
                reason=_PREFIX + "deposit-cap-exceeded",
            )
        super()._mint(assets, shares, receiver, sender)
        self.events.emit(self.atomic, "Deposit", sender, receiver, assets, shares)

    def _give(self, assets: int, shares: int, receiver: Address) -> None:
        self._push(receiver, assets)

    def _push(self, to: Address, value: int) -> None:
        self._check_liquidity(value)
        self.asset.transfer(to, value, sender=self.address)

    def _check_liquidity(self, amount: int) -> None:
        liquidity = self.liquidity()
        if amount > liquidity:
            raise ProtocolError(
                ErrorCode.SPARK_VAULT_INSUFFICIENT_LIQUIDITY,
                liquidity=liquidity,
                amount=amount,
                reason=_PREFIX + "insufficient-liquidity",
            )

    def _check_receiver(self, to: Address) -> None:
        if to in (ZERO_ADDRESS, self.address):
            raise ProtocolError(
                ErrorCode.SAVINGS_INVALID_ADDRESS, to=to, reason=_PREFIX + "invalid-address"
            )

    def _check_balance(self, owner: Address, shares: int) -> int:
        balance = self.balance_of(owner)
        if balance < shares:
            raise ProtocolError(
                ErrorCode.SAVINGS_INSUFFICIENT_BALANCE,
                account=owner,
                balance=balance,
                amount=shares,
                reason=_PREFIX + "insufficient-balance",
            )
        return balance

    def _spend_allowance(self, owner: Address, spender: Address, shares: int) -> None:
        allowed = self.allowance(owner, spender)
        if allowed != _MAX and allowed < shares:
            raise ProtocolError(
                ErrorCode.SAVINGS_INSUFFICIENT_ALLOWANCE,
                owner=owner,
                spender=spender,
                allowance=allowed,
                amount=shares,
                reason=_PREFIX + "insufficient-allowance",
            )
        super()._spend_allowance(owner, spender, shares)

    @staticmethod
    def _mul(a: int, b: int, op: str) -> int:
        if a * b > _MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, a=a, b=b)
        return a * b

    def __repr__(self) -> str:
        return (
            f"SparkVault({self.symbol}, vsr={self.vsr}, chi={self.chi}, rho={self.rho}, "
            f"supply={self.total_supply}, cap={self.deposit_cap})"
        )
