"""spPRIME's admin and role-gated functions: roles, parameters, pause, rate, loss, liquidity.

A layer of `SparkPrimeVault` (source: see `spprime`); the admin of every role is
DEFAULT_ADMIN_ROLE.

- admin: `set_capacity` (<= uint128 max shares), `set_max_redeem_fee` (<= MAX_REDEEM_FEE),
  `set_minimums`, `set_vsr_bounds` (RAY <= min_vsr <= max_vsr <= MAX_VSR);
- SETTER: `set_vsr` within the bounds (drips at the old rate first);
- RISK_MANAGER: `set_redeem_fee` (<= max_redeem_fee; locked into new requests), `set_chi`
  (paused only: lower chi to book a loss, 0 < chi < drip());
- GUARDIAN `pause`, UNPAUSER `unpause`;
- TAKER: `take` idle USDC; REBALANCER: move idle USDC into the spUSDC sleeve and back.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.core.fixed import WAD
    >>> from sparkprime.core.ids import Address
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.savings.spark_vault import SparkVault
    >>> reg, clock = TokenRegistry(), Clock(1_700_000_000)
    >>> usdc = reg.register(Erc20(Address("0x" + "a0" * 20), "USDC", 6))
    >>> admin = Address("0x" + "01" * 20)
    >>> spusdc = SparkVault(usdc, clock, atomic=reg.atomic, admin=admin)
    >>> vault = SparkPrimeAdmin(usdc, spusdc, clock, atomic=reg.atomic, admin=admin)
    >>> vault.set_max_redeem_fee(MAX_REDEEM_FEE, sender=admin)
    >>> vault.max_redeem_fee == WAD // 100
    True
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint, check_uint256
from sparkprime.protocols.savings.spark_vault import MAX_VSR, SETTER_ROLE, TAKER_ROLE
from sparkprime.protocols.savings.spprime_core import (
    GUARDIAN_ROLE,
    MAX_REDEEM_FEE,
    REBALANCER_ROLE,
    RISK_MANAGER_ROLE,
    UNPAUSER_ROLE,
    SparkPrimeCore,
)
from sparkprime.protocols.sparklend.access_control import (
    DEFAULT_ADMIN_ROLE,
)
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["SparkPrimeAdmin"]

_P: Final = "SparkPrimeVault/"  # the contract's revert-string prefix
_UINT128_MAX: Final = 2**128 - 1


class SparkPrimeAdmin(SparkPrimeCore):
    """spPRIME's admin and role-gated functions over `SparkPrimeCore`."""

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

    # --- admin ---

    def set_capacity(self, capacity: int, *, sender: Address) -> None:
        """`setCapacity` (admin): at most uint128 max shares."""
        capacity = check_uint256(capacity, field="capacity")
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        if capacity > _UINT128_MAX:
            raise ProtocolError(
                ErrorCode.SPPRIME_CAPACITY_TOO_HIGH,
                capacity=capacity,
                reason=_P + "capacity-too-high",
            )
        transact(self.atomic, self._set, {"max_capacity": capacity}, "CapacitySet")

    def set_max_redeem_fee(self, fee: int, *, sender: Address) -> None:
        """`setMaxRedeemFee` (admin): at most MAX_REDEEM_FEE (1%)."""
        fee = check_uint256(fee, field="fee")
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        self._check_fee(fee, MAX_REDEEM_FEE)
        transact(self.atomic, self._set, {"max_redeem_fee": fee}, "MaxRedeemFeeSet")

    def set_minimums(self, min_deposit: int, min_withdraw: int, *, sender: Address) -> None:
        """`setMinimums` (admin): smallest deposit and redeem, in asset units."""
        values = {
            "min_deposit": check_uint256(min_deposit, field="min_deposit"),
            "min_withdraw": check_uint256(min_withdraw, field="min_withdraw"),
        }
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        transact(self.atomic, self._set, values, "MinimumsSet")

    def set_vsr_bounds(self, min_vsr: int, max_vsr: int, *, sender: Address) -> None:
        """`setVSRBounds` (admin): RAY <= min_vsr <= max_vsr <= MAX_VSR."""
        min_vsr = check_uint256(min_vsr, field="min_vsr")
        max_vsr = check_uint256(max_vsr, field="max_vsr")
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        if min_vsr < RAY:
            raise self._vsr_error(ErrorCode.SPPRIME_VSR_TOO_LOW, min_vsr, "vsr-too-low")
        if max_vsr > MAX_VSR:
            raise self._vsr_error(ErrorCode.SPPRIME_VSR_TOO_HIGH, max_vsr, "vsr-too-high")
        if min_vsr > max_vsr:
            raise ProtocolError(
                ErrorCode.SPPRIME_MIN_VSR_GT_MAX_VSR,
                min=min_vsr,
                max=max_vsr,
                reason=_P + "min-vsr-gt-max-vsr",
            )
        transact(self.atomic, self._set, {"min_vsr": min_vsr, "max_vsr": max_vsr}, "VSRBoundsSet")

    # --- role-based actions ---

    def set_vsr(self, vsr: int, *, sender: Address) -> None:
        """`setVSR` (setter): within [min_vsr, max_vsr]; drips at the old rate first."""
        vsr = check_uint256(vsr, field="vsr")
        self.roles.check_role(SETTER_ROLE, sender)
        if vsr < self._s["min_vsr"]:
            raise self._vsr_error(ErrorCode.SPPRIME_VSR_TOO_LOW, vsr, "vsr-too-low")
        if vsr > self._s["max_vsr"]:
            raise self._vsr_error(ErrorCode.SPPRIME_VSR_TOO_HIGH, vsr, "vsr-too-high")
        transact(self.atomic, self._set_vsr, vsr)

    def _set_vsr(self, vsr: int) -> None:
        self._drip()
        self._set({"vsr": vsr}, "VSRSet")

    def set_redeem_fee(self, fee: int, *, sender: Address) -> None:
        """`setRedeemFee` (risk manager): at most max_redeem_fee; locked into new requests."""
        fee = check_uint256(fee, field="fee")
        self.roles.check_role(RISK_MANAGER_ROLE, sender)
        self._check_fee(fee, self._s["max_redeem_fee"])
        transact(self.atomic, self._set, {"redeem_fee": fee}, "RedeemFeeSet")

    def set_chi(self, chi: int, *, sender: Address) -> None:
        """`setChi` (risk manager, paused only): lower chi to book a loss, 0 < chi < drip()."""
        chi = check_uint(chi, field="chi", bits=192)
        self.roles.check_role(RISK_MANAGER_ROLE, sender)
        if not self.paused:
            raise ProtocolError(ErrorCode.SPPRIME_NOT_PAUSED, reason=_P + "not-paused")
        transact(self.atomic, self._set_chi, chi)

    def _set_chi(self, chi: int) -> None:
        current = self._drip()
        if not 0 < chi < current:
            raise ProtocolError(
                ErrorCode.SPPRIME_INVALID_CHI, chi=chi, current=current, reason=_P + "invalid-chi"
            )
        self._set({"chi": chi}, "ChiSet")

    def pause(self, *, sender: Address) -> None:
        """`pause` (guardian)."""
        self.roles.check_role(GUARDIAN_ROLE, sender)
        transact(self.atomic, self._set, {"paused": 1}, "Paused")

    def unpause(self, *, sender: Address) -> None:
        """`unpause` (unpauser)."""
        self.roles.check_role(UNPAUSER_ROLE, sender)
        transact(self.atomic, self._set, {"paused": 0}, "Unpaused")

    def take(self, assets: int, *, sender: Address) -> None:
        """`take` (taker): send `assets` of idle USDC to the taker."""
        assets = check_uint256(assets, field="assets")
        self.roles.check_role(TAKER_ROLE, sender)
        self._check_idle(assets)
        transact(self.atomic, self._take, assets, sender)

    def _take(self, assets: int, to: Address) -> None:
        self.asset.transfer(to, assets, sender=self.address)
        self.events.emit(self.atomic, "Take", to, assets)

    def deposit_to_savings(self, assets: int, *, sender: Address) -> None:
        """`depositToSavings` (rebalancer): move idle USDC into spUSDC."""
        assets = check_uint256(assets, field="assets")
        self.roles.check_role(REBALANCER_ROLE, sender)
        self._check_idle(assets)
        transact(self.atomic, self.spusdc.deposit, assets, self.address, sender=self.address)

    def withdraw_from_savings(self, assets: int, *, sender: Address) -> None:
        """`withdrawFromSavings` (rebalancer): pull USDC out of the free spUSDC sleeve."""
        assets = check_uint256(assets, field="assets")
        self.roles.check_role(REBALANCER_ROLE, sender)
        transact(self.atomic, self._withdraw_from_savings, assets)

    # --- internals ---

    def _check_idle(self, assets: int) -> None:
        idle = self.asset.balance_of(self.address)
        if assets > idle:
            raise ProtocolError(
                ErrorCode.SPPRIME_INSUFFICIENT_LIQUIDITY,
                liquidity=idle,
                amount=assets,
                reason=_P + "insufficient-liquidity",
            )

    def _check_fee(self, fee: int, maximum: int) -> None:
        if fee > maximum:
            raise ProtocolError(
                ErrorCode.SPPRIME_FEE_TOO_HIGH, fee=fee, max=maximum, reason=_P + "fee-too-high"
            )

    def _set(self, values: dict[str, int], event: str) -> None:
        for key, value in values.items():
            self.atomic.set_item(self._s, key, value)
        self.events.emit(self.atomic, event, *values.values())

    def _vsr_error(self, code: ErrorCode, value: int, reason: str) -> ProtocolError:
        s = self._s
        return ProtocolError(
            code, value=value, min=s["min_vsr"], max=s["max_vsr"], reason=_P + reason
        )
