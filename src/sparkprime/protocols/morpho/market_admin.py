"""Morpho Blue's owner functions and position authorizations.

The owner (`Ownable`-like, no two-step) enables IRMs and LLTVs (< WAD; never undone), sets a
market's fee (<= 25%, accruing with the old fee first) and the fee recipient, and hands over
ownership; any account may let another manage its positions (`set_authorization`). Setting a
value to what it already is reverts with "already set". Source: `Morpho.sol` v1.0 (see
`market`).

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> owner = make_addr("o")
    >>> admin = MorphoAdmin(owner, tokens=TokenRegistry(), clock=Clock(0))
    >>> admin.enable_lltv(86 * 10**16, sender=owner)
    >>> admin.is_lltv_enabled(86 * 10**16)
    True
"""

from __future__ import annotations

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.morpho.market_core import MorphoCore
from sparkprime.protocols.morpho.market_math import MAX_FEE, WAD, MarketParams
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["MorphoAdmin"]


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class MorphoAdmin(MorphoCore):
    """Morpho Blue's owner-only setters and `set_authorization`."""

    def _only_owner(self, sender: Address) -> None:
        if sender != self._s["owner"]:
            raise _err(ErrorCode.MORPHO_NOT_OWNER, "not owner", sender=sender)

    def set_owner(self, new_owner: Address, *, sender: Address) -> None:
        """Hand over ownership (no two-step)."""
        self._only_owner(sender)
        if new_owner == self._s["owner"]:
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="owner")
        self.atomic.set_item(self._s, "owner", new_owner)

    def enable_irm(self, irm: Address, *, sender: Address) -> None:
        """Allow markets with `irm` (cannot be undone)."""
        self._only_owner(sender)
        if self.is_irm_enabled(irm):
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="irm")
        self.atomic.set_item(self._irm_enabled, irm, True)

    def enable_lltv(self, lltv: int, *, sender: Address) -> None:
        """Allow markets with `lltv` (< WAD; cannot be undone)."""
        self._only_owner(sender)
        lltv = check_uint256(lltv, field="lltv")
        if self.is_lltv_enabled(lltv):
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="lltv")
        if lltv >= WAD:
            raise _err(ErrorCode.MORPHO_MAX_LLTV_EXCEEDED, "max LLTV exceeded", lltv=lltv)
        self.atomic.set_item(self._lltv_enabled, lltv, True)

    def set_fee(self, market_params: MarketParams, new_fee: int, *, sender: Address) -> None:
        """Set the market's fee (<= 25%), accruing with the old fee first."""
        transact(self.atomic, self._set_fee, market_params, new_fee, sender)

    def _set_fee(self, mp: MarketParams, new_fee: int, sender: Address) -> None:
        self._only_owner(sender)
        id_ = self._created(mp)
        new_fee = check_uint256(new_fee, field="new_fee")
        if new_fee == self._markets[id_].fee:
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="fee")
        if new_fee > MAX_FEE:
            raise _err(
                ErrorCode.MORPHO_MAX_FEE_EXCEEDED, "max fee exceeded", fee=new_fee, max_fee=MAX_FEE
            )
        self._accrue(mp, id_)
        self._set_market(id_, fee=new_fee)

    def set_fee_recipient(self, new_fee_recipient: Address, *, sender: Address) -> None:
        """Set who receives the fee shares (they are not moved)."""
        self._only_owner(sender)
        if new_fee_recipient == self._s["fee_recipient"]:
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="fee recipient")
        self.atomic.set_item(self._s, "fee_recipient", new_fee_recipient)

    def set_authorization(
        self, authorized: Address, new_is_authorized: bool, *, sender: Address
    ) -> None:
        """Let `authorized` withdraw, borrow and withdraw collateral for `sender`."""
        if new_is_authorized == self.is_authorized(sender, authorized):
            raise _err(ErrorCode.MORPHO_ALREADY_SET, "already set", what="authorization")
        self.atomic.set_item(self._authorized, (sender, authorized), new_is_authorized)
