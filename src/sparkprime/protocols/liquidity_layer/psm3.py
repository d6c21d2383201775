"""Spark's `PSM3`: the L2 peg stability module over USDC, USDS and sUSDS, with LP shares.

Source: marsfoundation/spark-psm `src/PSM3.sol` (e655463a886e97b10a67ae30a2aa25418a706d9e and
082dc5350342c809bf2991f30763deb550f9c3bd for the usdc/usds/susds + `pocket` layout; the
deployed sparkdotfi/spark-psm keeps USDC at `pocket`: `totalAssets` reads
`usdc.balanceOf(pocket)`, `_pullAsset`/`_pushAsset` route USDC to and from it).

Values are in 1e18 "USD": USDC and USDS at par, sUSDS at `rate_provider.get_conversion_rate()`
(a ray, sUSDS -> USDS). Shares are issued against `total_assets()`:

- `preview_deposit` = convert_to_shares(value rounded down) = value * total_shares //
  total_assets (down); the first deposit gets shares == value;
- `preview_withdraw`: the asset amount is capped at what the custodian holds; the shares to
  burn round UP twice (the sUSDS value ceilDiv'ed, then ceilDiv(value * total_shares,
  total_assets)); when that exceeds the caller's shares, the caller gets
  convert_to_assets(asset, shares) (down) for all of them;
- swaps: exact-in rounds the output down, exact-out rounds the input up (each ceilDiv step).

So every rounding goes against the caller. Revert strings map to the PSM3_* codes with
`reason=`; token failures are the tokens'. The owner (OpenZeppelin Ownable) may `set_pocket`,
which moves the USDC to the new pocket (the new pocket must let the PSM pull from it:
`approve_pocket` stands for that approval, as the deploy does).

Example:
    >>> from sparkprime.core.fixed import RAY
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> class Rate:
    ...     def get_conversion_rate(self, timestamp: int | None = None) -> int:
    ...         return 125 * RAY // 100
    >>> reg, lp = TokenRegistry(), make_addr("lp")
    >>> usdc, usds, susds = (reg.register(Erc20(make_addr(s), s, d))
    ...                      for s, d in (("USDC", 6), ("USDS", 18), ("sUSDS", 18)))
    >>> psm = PSM3(make_addr("psm3"), owner=make_addr("owner"), usdc=usdc, usds=usds,
    ...            susds=susds, rate_provider=Rate(), atomic=reg.atomic)
    >>> susds.mint(lp, 100 * 10**18)
    >>> _ = susds.approve(psm.address, 100 * 10**18, sender=lp)
    >>> psm.deposit(susds.address, lp, 100 * 10**18, sender=lp)
    125000000000000000000
    >>> psm.preview_swap_exact_in(susds.address, usdc.address, 10**18)
    1250000
"""

from __future__ import annotations

from typing import Protocol

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["PSM3", "RateProvider", "ceil_div"]


class RateProvider(Protocol):
    """The sUSDS -> USDS conversion rate (ray), e.g. the cross-chain SSR oracle."""

    def get_conversion_rate(self, timestamp: int | None = None) -> int:
        """The rate now (or at `timestamp`)."""
        ...


def ceil_div(a: int, b: int) -> int:
    """OpenZeppelin `Math.ceilDiv` (0 for a == 0)."""
    return 0 if a == 0 else (a - 1) // b + 1


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class PSM3:
    """PSM3 on one chain."""

    def __init__(
        self,
        address: Address,
        *,
        owner: Address,
        usdc: Erc20,
        usds: Erc20,
        susds: Erc20,
        rate_provider: RateProvider,
        atomic: Atomic,
    ) -> None:
        for name, token in (("usdc", usdc), ("usds", usds), ("susds", susds)):
            if token.address == ZERO_ADDRESS:
                raise _err(ErrorCode.PSM3_INVALID_CONFIG, f"PSM3/invalid-{name}")
        for (a, b), reason in (
            ((usdc, usds), "PSM3/usdc-usds-same"),
            ((usdc, susds), "PSM3/usdc-susds-same"),
            ((usds, susds), "PSM3/usds-susds-same"),
        ):
            if a.address == b.address:
                raise _err(ErrorCode.PSM3_INVALID_CONFIG, reason)
        if rate_provider.get_conversion_rate() == 0:
            raise _err(ErrorCode.PSM3_RATE_PROVIDER_RETURNS_ZERO, "PSM3/rate-provider-returns-zero")
        for name, token in (("usdc", usdc), ("usds", usds)):
            if token.decimals > 18:
                raise _err(ErrorCode.PSM3_INVALID_CONFIG, f"PSM3/{name}-precision-too-high")
        self.address, self.usdc, self.usds, self.susds = address, usdc, usds, susds
        self.rate_provider, self.atomic = rate_provider, atomic
        self._usdc_precision: int = 10 ** int(usdc.decimals)
        self._usds_precision: int = 10 ** int(usds.decimals)
        self._susds_precision: int = 10 ** int(susds.decimals)
        self._roles: dict[str, Address] = {"owner": owner, "pocket": address}
        self._total: dict[str, int] = {"shares": 0}
        self._shares: dict[Address, int] = {}

    # --- state views ---

    @property
    def owner(self) -> Address:
        """The Ownable owner."""
        return self._roles["owner"]

    @property
    def pocket(self) -> Address:
        """Where the USDC is kept (the PSM itself at deployment)."""
        return self._roles["pocket"]

    @property
    def total_shares(self) -> int:
        """All LP shares."""
        return self._total["shares"]

    def shares(self, user: Address) -> int:
        """`user`'s LP shares."""
        return self._shares.get(user, 0)

    # --- owner ---

    def transfer_ownership(self, new_owner: Address, *, sender: Address) -> None:
        """OpenZeppelin `transferOwnership`."""
        self._only_owner(sender)
        self.atomic.set_item(self._roles, "owner", new_owner)

    def set_pocket(self, new_pocket: Address, *, sender: Address) -> None:
        """`setPocket`: move all USDC to `new_pocket` and keep it there."""
        self._only_owner(sender)
        if new_pocket == ZERO_ADDRESS:
            raise _err(ErrorCode.PSM3_INVALID_POCKET, "PSM3/invalid-pocket")
        if new_pocket == self.pocket:
            raise _err(ErrorCode.PSM3_SAME_POCKET, "PSM3/same-pocket")
        transact(self.atomic, self._set_pocket, new_pocket)

    def _set_pocket(self, new_pocket: Address) -> None:
        old = self.pocket
        amount = self.usdc.balance_of(old)
        if old == self.address:
            self.usdc.transfer(new_pocket, amount, sender=self.address)
        else:
            self.usdc.transfer_from(old, new_pocket, amount, sender=self.address)
        self.atomic.set_item(self._roles, "pocket", new_pocket)

    def _only_owner(self, sender: Address) -> None:
        if sender != self.owner:
            raise _err(ErrorCode.PSM3_NOT_OWNER, "OwnableUnauthorizedAccount", account=sender)

    # --- swaps ---

    def swap_exact_in(  # noqa: PLR0917 - IPSM3.swapExactIn's signature
        self,
        asset_in: Address,
        asset_out: Address,
        amount_in: int,
        min_amount_out: int,
        receiver: Address,
        referral_code: int,
        *,
        sender: Address,
    ) -> int:
        """Swap exactly `amount_in`; return the output (rounded down)."""
        amount_in = check_uint256(amount_in, field="amount_in")
        min_amount_out = check_uint256(min_amount_out, field="min_amount_out")
        if amount_in == 0:
            raise _err(ErrorCode.PSM3_INVALID_AMOUNT_IN, "PSM3/invalid-amountIn")
        if receiver == ZERO_ADDRESS:
            raise _err(ErrorCode.PSM3_INVALID_RECEIVER, "PSM3/invalid-receiver")
        amount_out = self.preview_swap_exact_in(asset_in, asset_out, amount_in)
        if amount_out < min_amount_out:
            raise _err(
                ErrorCode.PSM3_AMOUNT_OUT_TOO_LOW,
                "PSM3/amountOut-too-low",
                amount_out=amount_out,
                min_amount_out=min_amount_out,
            )
        transact(
            self.atomic,
            self._swap,
            asset_in=asset_in,
            asset_out=asset_out,
            amount_in=amount_in,
            amount_out=amount_out,
            receiver=receiver,
            sender=sender,
        )
        return amount_out

    def swap_exact_out(  # noqa: PLR0917 - IPSM3.swapExactOut's signature
        self,
        asset_in: Address,
        asset_out: Address,
        amount_out: int,
        max_amount_in: int,
        receiver: Address,
        referral_code: int,
        *,
        sender: Address,
    ) -> int:
        """Receive exactly `amount_out`; return the input taken (rounded up)."""
        amount_out = check_uint256(amount_out, field="amount_out")
        max_amount_in = check_uint256(max_amount_in, field="max_amount_in")
        if amount_out == 0:
            raise _err(ErrorCode.PSM3_INVALID_AMOUNT_OUT, "PSM3/invalid-amountOut")
        if receiver == ZERO_ADDRESS:
            raise _err(ErrorCode.PSM3_INVALID_RECEIVER, "PSM3/invalid-receiver")
        amount_in = self.preview_swap_exact_out(asset_in, asset_out, amount_out)
        if amount_in > max_amount_in:
            raise _err(
                ErrorCode.PSM3_AMOUNT_IN_TOO_HIGH,
                "PSM3/amountIn-too-high",
                amount_in=amount_in,
                max_amount_in=max_amount_in,
            )
        transact(
            self.atomic,
            self._swap,
            asset_in=asset_in,
            asset_out=asset_out,
            amount_in=amount_in,
            amount_out=amount_out,
            receiver=receiver,
            sender=sender,
        )
        return amount_in

    def _swap(
        self,
        *,
        asset_in: Address,
        asset_out: Address,
        amount_in: int,
        amount_out: int,
        receiver: Address,
        sender: Address,
    ) -> None:
        self._pull(asset_in, amount_in, sender)
        self._push(asset_out, receiver, amount_out)

    # --- liquidity ---

    def deposit(
        self, asset: Address, receiver: Address, asset_amount: int, *, sender: Address
    ) -> int:
        """Deposit `asset_amount` of `asset`; `receiver` gets the new shares (rounded down)."""
        asset_amount = check_uint256(asset_amount, field="asset_amount")
        if receiver == ZERO_ADDRESS:
            raise _err(ErrorCode.PSM3_INVALID_RECEIVER, "PSM3/invalid-receiver")
        if asset_amount == 0:
            raise _err(ErrorCode.PSM3_INVALID_AMOUNT, "PSM3/invalid-amount")
        new_shares = self.preview_deposit(asset, asset_amount)
        return transact(
            self.atomic, self._deposit, asset, receiver, asset_amount, new_shares, sender
        )

    def _deposit(
        self, asset: Address, receiver: Address, amount: int, new_shares: int, sender: Address
    ) -> int:
        self.atomic.set_item(self._shares, receiver, self.shares(receiver) + new_shares)
        self.atomic.set_item(self._total, "shares", self.total_shares + new_shares)
        self._pull(asset, amount, sender)
        return new_shares

    def withdraw(
        self, asset: Address, receiver: Address, max_asset_amount: int, *, sender: Address
    ) -> int:
        """Withdraw up to `max_asset_amount` of `asset` to `receiver`, burning `sender`'s
        shares (rounded up); return the amount withdrawn."""
        max_asset_amount = check_uint256(max_asset_amount, field="max_asset_amount")
        if receiver == ZERO_ADDRESS:
            raise _err(ErrorCode.PSM3_INVALID_RECEIVER, "PSM3/invalid-receiver")
        if max_asset_amount == 0:
            raise _err(ErrorCode.PSM3_INVALID_AMOUNT, "PSM3/invalid-amount")
        burn, amount = self.preview_withdraw(asset, max_asset_amount, sender=sender)
        return transact(self.atomic, self._withdraw, asset, receiver, burn, amount, sender)

    def _withdraw(
        self, asset: Address, receiver: Address, burn: int, amount: int, sender: Address
    ) -> int:
        self.atomic.set_item(self._shares, sender, self.shares(sender) - burn)
        self.atomic.set_item(self._total, "shares", self.total_shares - burn)
        self._push(asset, receiver, amount)
        return amount

    # --- previews ---

    def preview_deposit(self, asset: Address, asset_amount: int) -> int:
        """Shares a deposit of `asset_amount` of `asset` mints now."""
        self._check_asset(asset)
        return self.convert_to_shares(self._asset_value(asset, asset_amount, round_up=False))

    def preview_withdraw(
        self, asset: Address, max_asset_amount: int, *, sender: Address
    ) -> tuple[int, int]:
        """(shares to burn, assets withdrawn) for `sender` asking up to `max_asset_amount`."""
        self._check_asset(asset)
        balance = self._token(asset).balance_of(self._custodian(asset))
        assets = min(balance, max_asset_amount)
        burn = self._convert_to_shares_round_up(self._asset_value(asset, assets, round_up=True))
        user_shares = self.shares(sender)
        if burn > user_shares:
            assets = self.convert_to_assets(asset, user_shares)
            burn = user_shares
        return burn, assets

    def preview_swap_exact_in(self, asset_in: Address, asset_out: Address, amount_in: int) -> int:
        """Output of swapping exactly `amount_in` (rounded down)."""
        return self._quote(asset_in, asset_out, amount_in, round_up=False)

    def preview_swap_exact_out(self, asset_in: Address, asset_out: Address, amount_out: int) -> int:
        """Input needed for exactly `amount_out` (rounded up)."""
        return self._quote(asset_out, asset_in, amount_out, round_up=True)

    # --- conversions ---

    def convert_to_assets(self, asset: Address, num_shares: int) -> int:
        """`num_shares` worth of `asset` (rounded down)."""
        self._check_asset(asset)
        value = self.convert_to_asset_value(num_shares)
        if asset == self.usdc.address:
            return value * self._usdc_precision // 10**18
        if asset == self.usds.address:
            return value * self._usds_precision // 10**18
        return value * 10**9 * self._susds_precision // self._rate()

    def convert_to_asset_value(self, num_shares: int) -> int:
        """`num_shares` in 1e18 USD (rounded down)."""
        total = self.total_shares
        return num_shares * self.total_assets() // total if total else num_shares

    def convert_to_shares(self, asset_or_value: Address | int, assets: int | None = None) -> int:
        """Both overloads: `convertToShares(assetValue)` and `convertToShares(asset, assets)`
        (rounded down)."""
        if isinstance(asset_or_value, str):
            self._check_asset(asset_or_value)
            value = self._asset_value(asset_or_value, assets or 0, round_up=False)
        else:
            value = asset_or_value
        total_assets = self.total_assets()
        return value * self.total_shares // total_assets if total_assets else value

    def total_assets(self) -> int:
        """USDC at the pocket + USDS + sUSDS held, in 1e18 USD (sUSDS rounded down)."""
        return (
            self._usdc_value(self.usdc.balance_of(self.pocket))
            + self._usds_value(self.usds.balance_of(self.address))
            + self._susds_value(self.susds.balance_of(self.address), round_up=False)
        )

    # --- internals ---

    def _rate(self) -> int:
        return self.rate_provider.get_conversion_rate()

    def _check_asset(self, asset: Address) -> None:
        if asset not in (self.usdc.address, self.usds.address, self.susds.address):
            raise _err(ErrorCode.PSM3_INVALID_ASSET, "PSM3/invalid-asset", asset=asset)

    def _token(self, asset: Address) -> Erc20:
        for token in (self.usdc, self.usds, self.susds):
            if token.address == asset:
                return token
        raise _err(ErrorCode.PSM3_INVALID_ASSET, "PSM3/invalid-asset", asset=asset)

    def _custodian(self, asset: Address) -> Address:
        return self.pocket if asset == self.usdc.address else self.address

    def _pull(self, asset: Address, amount: int, sender: Address) -> None:
        token = self._token(asset)
        token.transfer_from(sender, self._custodian(asset), amount, sender=self.address)

    def _push(self, asset: Address, receiver: Address, amount: int) -> None:
        token = self._token(asset)
        if asset == self.usdc.address and self.pocket != self.address:
            token.transfer_from(self.pocket, receiver, amount, sender=self.address)
        else:
            token.transfer(receiver, amount, sender=self.address)

    def _usdc_value(self, amount: int) -> int:
        return amount * 10**18 // self._usdc_precision

    def _usds_value(self, amount: int) -> int:
        return amount * 10**18 // self._usds_precision

    def _susds_value(self, amount: int, *, round_up: bool) -> int:
        if not round_up:
            return amount * self._rate() // 10**9 // self._susds_precision
        return ceil_div(ceil_div(amount * self._rate(), 10**9), self._susds_precision)

    def _asset_value(self, asset: Address, amount: int, *, round_up: bool) -> int:
        if amount > UINT256_MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="asset value")
        if asset == self.usdc.address:
            return self._usdc_value(amount)
        if asset == self.usds.address:
            return self._usds_value(amount)
        if asset == self.susds.address:
            return self._susds_value(amount, round_up=round_up)
        raise _err(ErrorCode.PSM3_INVALID_ASSET, "PSM3/invalid-asset", asset=asset)

    def _convert_to_shares_round_up(self, value: int) -> int:
        total_value = self.total_assets()
        return ceil_div(value * self.total_shares, total_value) if total_value else value

    def _quote(self, asset: Address, quote: Address, amount: int, *, round_up: bool) -> int:
        usdc, usds, susds = self.usdc.address, self.usds.address, self.susds.address
        pu, pd, ps = self._usdc_precision, self._usds_precision, self._susds_precision
        if asset == usdc and quote == usds:
            return self._one_to_one(amount, pu, pd, round_up)
        if asset == usds and quote == usdc:
            return self._one_to_one(amount, pd, pu, round_up)
        if asset in (usdc, usds) and quote == susds:
            precision = pu if asset == usdc else pd
            rate = self._rate()
            if not round_up:
                return amount * 10**27 // rate * ps // precision
            return ceil_div(ceil_div(amount * 10**27, rate) * ps, precision)
        if asset == susds and quote in (usdc, usds):
            precision = pu if quote == usdc else pd
            rate = self._rate()
            if not round_up:
                return amount * rate // 10**27 * precision // ps
            return ceil_div(ceil_div(amount * rate, 10**27) * precision, ps)
        raise _err(ErrorCode.PSM3_INVALID_ASSET, "PSM3/invalid-asset", asset=asset)

    @staticmethod
    def _one_to_one(amount: int, precision: int, to_precision: int, round_up: bool) -> int:
        if not round_up:
            return amount * to_precision // precision
        return ceil_div(amount * to_precision, precision)
