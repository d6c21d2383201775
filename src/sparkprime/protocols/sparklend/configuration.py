"""SparkLend's reserve and user configuration bitmaps, bit for bit.

`ReserveConfigurationMap` is `libraries/configuration/ReserveConfiguration.sol` and
`UserConfigurationMap` is `UserConfiguration.sol` (SparkLend v1.0.0 = Aave v3.0.2): one uint256
each, read on every action. Both are immutable values; a setter returns a new map and an
out-of-range value raises the contract's error (`INVALID_LTV`, ..., `INVALID_RESERVE_INDEX`).

Reserve bits (spec/sparklend.md §1.10): LTV 0-15, liquidation threshold 16-31, liquidation
bonus 32-47, decimals 48-55, active 56, frozen 57, borrowing 58, stable borrowing 59, paused 60,
borrowable in isolation 61, siloed borrowing 62, flash loan 63, reserve factor 64-79, borrow cap
80-115, supply cap 116-151, liquidation protocol fee 152-167, eMode category 168-175, unbacked
mint cap 176-211, debt ceiling 212-251. User bits: reserve `id` is borrowed at bit 2*id and used
as collateral at bit 2*id + 1.

The `*_MASK` constants are the contract's: ones everywhere except the field (v3.0.2 clears with
`data & MASK` and reads with `data & ~MASK`; aave-v3-origin later inverted them).

Example:
    >>> config = ReserveConfigurationMap().set_ltv(8000).set_liquidation_threshold(8250)
    >>> config.get_params()
    (8000, 8250, 0, 0, 0, 0)
    >>> UserConfigurationMap().set_borrowing(3, True).is_borrowing_one()
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NoReturn, Protocol, TypeVar

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import UINT256_MAX, check_uint256, reject_non_uint256

__all__ = [
    "ACTIVE_MASK",
    "BORROWABLE_IN_ISOLATION_MASK",
    "BORROWABLE_IN_ISOLATION_START_BIT_POSITION",
    "BORROWING_ENABLED_START_BIT_POSITION",
    "BORROWING_MASK",
    "BORROW_CAP_MASK",
    "BORROW_CAP_START_BIT_POSITION",
    "COLLATERAL_MASK",
    "DEBT_CEILING_DECIMALS",
    "DEBT_CEILING_MASK",
    "DEBT_CEILING_START_BIT_POSITION",
    "DECIMALS_MASK",
    "EMODE_CATEGORY_MASK",
    "EMODE_CATEGORY_START_BIT_POSITION",
    "FLASHLOAN_ENABLED_MASK",
    "FLASHLOAN_ENABLED_START_BIT_POSITION",
    "FROZEN_MASK",
    "IS_ACTIVE_START_BIT_POSITION",
    "IS_FROZEN_START_BIT_POSITION",
    "IS_PAUSED_START_BIT_POSITION",
    "LIQUIDATION_BONUS_MASK",
    "LIQUIDATION_BONUS_START_BIT_POSITION",
    "LIQUIDATION_PROTOCOL_FEE_MASK",
    "LIQUIDATION_PROTOCOL_FEE_START_BIT_POSITION",
    "LIQUIDATION_THRESHOLD_MASK",
    "LIQUIDATION_THRESHOLD_START_BIT_POSITION",
    "LTV_MASK",
    "MAX_RESERVES_COUNT",
    "MAX_VALID_BORROW_CAP",
    "MAX_VALID_DEBT_CEILING",
    "MAX_VALID_DECIMALS",
    "MAX_VALID_EMODE_CATEGORY",
    "MAX_VALID_LIQUIDATION_BONUS",
    "MAX_VALID_LIQUIDATION_PROTOCOL_FEE",
    "MAX_VALID_LIQUIDATION_THRESHOLD",
    "MAX_VALID_LTV",
    "MAX_VALID_RESERVE_FACTOR",
    "MAX_VALID_SUPPLY_CAP",
    "MAX_VALID_UNBACKED_MINT_CAP",
    "PAUSED_MASK",
    "RESERVE_DECIMALS_START_BIT_POSITION",
    "RESERVE_FACTOR_MASK",
    "RESERVE_FACTOR_START_BIT_POSITION",
    "SILOED_BORROWING_MASK",
    "SILOED_BORROWING_START_BIT_POSITION",
    "STABLE_BORROWING_ENABLED_START_BIT_POSITION",
    "STABLE_BORROWING_MASK",
    "SUPPLY_CAP_MASK",
    "SUPPLY_CAP_START_BIT_POSITION",
    "UNBACKED_MINT_CAP_MASK",
    "UNBACKED_MINT_CAP_START_BIT_POSITION",
    "USER_BORROWING_MASK",
    "HasReserveConfiguration",
    "ReserveConfigurationMap",
    "UserConfigurationMap",
]

# --- ReserveConfiguration.sol constants -----------------------------------------------------

LIQUIDATION_THRESHOLD_START_BIT_POSITION: Final = 16
LIQUIDATION_BONUS_START_BIT_POSITION: Final = 32
RESERVE_DECIMALS_START_BIT_POSITION: Final = 48
IS_ACTIVE_START_BIT_POSITION: Final = 56
IS_FROZEN_START_BIT_POSITION: Final = 57
BORROWING_ENABLED_START_BIT_POSITION: Final = 58
STABLE_BORROWING_ENABLED_START_BIT_POSITION: Final = 59
IS_PAUSED_START_BIT_POSITION: Final = 60
BORROWABLE_IN_ISOLATION_START_BIT_POSITION: Final = 61
SILOED_BORROWING_START_BIT_POSITION: Final = 62
FLASHLOAN_ENABLED_START_BIT_POSITION: Final = 63
RESERVE_FACTOR_START_BIT_POSITION: Final = 64
BORROW_CAP_START_BIT_POSITION: Final = 80
SUPPLY_CAP_START_BIT_POSITION: Final = 116
LIQUIDATION_PROTOCOL_FEE_START_BIT_POSITION: Final = 152
EMODE_CATEGORY_START_BIT_POSITION: Final = 168
UNBACKED_MINT_CAP_START_BIT_POSITION: Final = 176
DEBT_CEILING_START_BIT_POSITION: Final = 212

MAX_VALID_LTV: Final = 65535
MAX_VALID_LIQUIDATION_THRESHOLD: Final = 65535
MAX_VALID_LIQUIDATION_BONUS: Final = 65535
MAX_VALID_DECIMALS: Final = 255
MAX_VALID_RESERVE_FACTOR: Final = 65535
MAX_VALID_BORROW_CAP: Final = 68719476735  # 2**36 - 1
MAX_VALID_SUPPLY_CAP: Final = 68719476735
MAX_VALID_LIQUIDATION_PROTOCOL_FEE: Final = 65535
MAX_VALID_EMODE_CATEGORY: Final = 255
MAX_VALID_UNBACKED_MINT_CAP: Final = 68719476735
MAX_VALID_DEBT_CEILING: Final = 1099511627775  # 2**40 - 1

DEBT_CEILING_DECIMALS: Final = 2
MAX_RESERVES_COUNT: Final = 128


def _clear_mask(start: int, bits: int) -> int:
    return UINT256_MAX ^ (((1 << bits) - 1) << start)


LTV_MASK: Final = _clear_mask(0, 16)
LIQUIDATION_THRESHOLD_MASK: Final = _clear_mask(LIQUIDATION_THRESHOLD_START_BIT_POSITION, 16)
LIQUIDATION_BONUS_MASK: Final = _clear_mask(LIQUIDATION_BONUS_START_BIT_POSITION, 16)
DECIMALS_MASK: Final = _clear_mask(RESERVE_DECIMALS_START_BIT_POSITION, 8)
ACTIVE_MASK: Final = _clear_mask(IS_ACTIVE_START_BIT_POSITION, 1)
FROZEN_MASK: Final = _clear_mask(IS_FROZEN_START_BIT_POSITION, 1)
BORROWING_MASK: Final = _clear_mask(BORROWING_ENABLED_START_BIT_POSITION, 1)
STABLE_BORROWING_MASK: Final = _clear_mask(STABLE_BORROWING_ENABLED_START_BIT_POSITION, 1)
PAUSED_MASK: Final = _clear_mask(IS_PAUSED_START_BIT_POSITION, 1)
BORROWABLE_IN_ISOLATION_MASK: Final = _clear_mask(BORROWABLE_IN_ISOLATION_START_BIT_POSITION, 1)
SILOED_BORROWING_MASK: Final = _clear_mask(SILOED_BORROWING_START_BIT_POSITION, 1)
FLASHLOAN_ENABLED_MASK: Final = _clear_mask(FLASHLOAN_ENABLED_START_BIT_POSITION, 1)
RESERVE_FACTOR_MASK: Final = _clear_mask(RESERVE_FACTOR_START_BIT_POSITION, 16)
BORROW_CAP_MASK: Final = _clear_mask(BORROW_CAP_START_BIT_POSITION, 36)
SUPPLY_CAP_MASK: Final = _clear_mask(SUPPLY_CAP_START_BIT_POSITION, 36)
LIQUIDATION_PROTOCOL_FEE_MASK: Final = _clear_mask(LIQUIDATION_PROTOCOL_FEE_START_BIT_POSITION, 16)
EMODE_CATEGORY_MASK: Final = _clear_mask(EMODE_CATEGORY_START_BIT_POSITION, 8)
UNBACKED_MINT_CAP_MASK: Final = _clear_mask(UNBACKED_MINT_CAP_START_BIT_POSITION, 36)
DEBT_CEILING_MASK: Final = _clear_mask(DEBT_CEILING_START_BIT_POSITION, 40)

# --- UserConfiguration.sol constants (BORROWING_MASK there; renamed: the reserve's is above) --

USER_BORROWING_MASK: Final = 0x5555555555555555555555555555555555555555555555555555555555555555
COLLATERAL_MASK: Final = 0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA


def _value(value: int, field: str, max_valid: int, code: ErrorCode) -> int:
    """A uint256 setter argument, refused with the contract's `code` above `max_valid`."""
    if type(value) is not int or value < 0 or value >> 256:
        reject_non_uint256(**{field: value})  # INVALID_TYPE / VALUE_OUT_OF_RANGE
    if value > max_valid:
        raise ProtocolError(code, field=field, value=value, max=max_valid)
    return value


def _bit(value: object, field: str) -> int:
    """A bool setter argument as 0 or 1; anything but a bool is refused."""
    if value is True:
        return 1
    if value is False:
        return 0
    raise ProtocolError(
        ErrorCode.INVALID_TYPE, field=field, expected="bool", got=type(value).__name__
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReserveConfigurationMap:
    """`DataTypes.ReserveConfigurationMap`: a reserve's parameters packed in one uint256."""

    data: int = 0

    def __post_init__(self) -> None:
        data = self.data
        if type(data) is not int or data < 0 or data >> 256:
            reject_non_uint256(data=data)

    def _with(self, clear_mask: int, bits: int) -> ReserveConfigurationMap:
        return ReserveConfigurationMap(data=(self.data & clear_mask) | bits)

    # --- 16-bit and wider fields ---

    def get_ltv(self) -> int:
        return self.data & 0xFFFF

    def set_ltv(self, ltv: int) -> ReserveConfigurationMap:
        v = _value(ltv, "ltv", MAX_VALID_LTV, ErrorCode.INVALID_LTV)
        return self._with(LTV_MASK, v)

    def get_liquidation_threshold(self) -> int:
        return (self.data >> LIQUIDATION_THRESHOLD_START_BIT_POSITION) & 0xFFFF

    def set_liquidation_threshold(self, threshold: int) -> ReserveConfigurationMap:
        v = _value(
            threshold, "threshold", MAX_VALID_LIQUIDATION_THRESHOLD, ErrorCode.INVALID_LIQ_THRESHOLD
        )
        return self._with(LIQUIDATION_THRESHOLD_MASK, v << LIQUIDATION_THRESHOLD_START_BIT_POSITION)

    def get_liquidation_bonus(self) -> int:
        return (self.data >> LIQUIDATION_BONUS_START_BIT_POSITION) & 0xFFFF

    def set_liquidation_bonus(self, bonus: int) -> ReserveConfigurationMap:
        v = _value(bonus, "bonus", MAX_VALID_LIQUIDATION_BONUS, ErrorCode.INVALID_LIQ_BONUS)
        return self._with(LIQUIDATION_BONUS_MASK, v << LIQUIDATION_BONUS_START_BIT_POSITION)

    def get_decimals(self) -> int:
        return (self.data >> RESERVE_DECIMALS_START_BIT_POSITION) & 0xFF

    def set_decimals(self, decimals: int) -> ReserveConfigurationMap:
        v = _value(decimals, "decimals", MAX_VALID_DECIMALS, ErrorCode.INVALID_DECIMALS)
        return self._with(DECIMALS_MASK, v << RESERVE_DECIMALS_START_BIT_POSITION)

    def get_reserve_factor(self) -> int:
        return (self.data >> RESERVE_FACTOR_START_BIT_POSITION) & 0xFFFF

    def set_reserve_factor(self, reserve_factor: int) -> ReserveConfigurationMap:
        v = _value(
            reserve_factor,
            "reserve_factor",
            MAX_VALID_RESERVE_FACTOR,
            ErrorCode.INVALID_RESERVE_FACTOR,
        )
        return self._with(RESERVE_FACTOR_MASK, v << RESERVE_FACTOR_START_BIT_POSITION)

    def get_borrow_cap(self) -> int:
        return (self.data >> BORROW_CAP_START_BIT_POSITION) & MAX_VALID_BORROW_CAP

    def set_borrow_cap(self, borrow_cap: int) -> ReserveConfigurationMap:
        v = _value(borrow_cap, "borrow_cap", MAX_VALID_BORROW_CAP, ErrorCode.INVALID_BORROW_CAP)
        return self._with(BORROW_CAP_MASK, v << BORROW_CAP_START_BIT_POSITION)

    def get_supply_cap(self) -> int:
        return (self.data >> SUPPLY_CAP_START_BIT_POSITION) & MAX_VALID_SUPPLY_CAP

    def set_supply_cap(self, supply_cap: int) -> ReserveConfigurationMap:
        v = _value(supply_cap, "supply_cap", MAX_VALID_SUPPLY_CAP, ErrorCode.INVALID_SUPPLY_CAP)
        return self._with(SUPPLY_CAP_MASK, v << SUPPLY_CAP_START_BIT_POSITION)

    def get_debt_ceiling(self) -> int:
        """The isolation-mode debt ceiling, with `DEBT_CEILING_DECIMALS` decimals (0 = none)."""
        return (self.data >> DEBT_CEILING_START_BIT_POSITION) & MAX_VALID_DEBT_CEILING

    def set_debt_ceiling(self, ceiling: int) -> ReserveConfigurationMap:
        v = _value(ceiling, "ceiling", MAX_VALID_DEBT_CEILING, ErrorCode.INVALID_DEBT_CEILING)
        return self._with(DEBT_CEILING_MASK, v << DEBT_CEILING_START_BIT_POSITION)

    def get_liquidation_protocol_fee(self) -> int:
        return (self.data >> LIQUIDATION_PROTOCOL_FEE_START_BIT_POSITION) & 0xFFFF

    def set_liquidation_protocol_fee(
        self, liquidation_protocol_fee: int
    ) -> ReserveConfigurationMap:
        v = _value(
            liquidation_protocol_fee,
            "liquidation_protocol_fee",
            MAX_VALID_LIQUIDATION_PROTOCOL_FEE,
            ErrorCode.INVALID_LIQUIDATION_PROTOCOL_FEE,
        )
        return self._with(
            LIQUIDATION_PROTOCOL_FEE_MASK, v << LIQUIDATION_PROTOCOL_FEE_START_BIT_POSITION
        )

    def get_unbacked_mint_cap(self) -> int:
        return (self.data >> UNBACKED_MINT_CAP_START_BIT_POSITION) & MAX_VALID_UNBACKED_MINT_CAP

    def set_unbacked_mint_cap(self, unbacked_mint_cap: int) -> ReserveConfigurationMap:
        v = _value(
            unbacked_mint_cap,
            "unbacked_mint_cap",
            MAX_VALID_UNBACKED_MINT_CAP,
            ErrorCode.INVALID_UNBACKED_MINT_CAP,
        )
        return self._with(UNBACKED_MINT_CAP_MASK, v << UNBACKED_MINT_CAP_START_BIT_POSITION)

    def get_emode_category(self) -> int:
        return (self.data >> EMODE_CATEGORY_START_BIT_POSITION) & 0xFF

    def set_emode_category(self, category: int) -> ReserveConfigurationMap:
        v = _value(category, "category", MAX_VALID_EMODE_CATEGORY, ErrorCode.INVALID_EMODE_CATEGORY)
        return self._with(EMODE_CATEGORY_MASK, v << EMODE_CATEGORY_START_BIT_POSITION)

    # --- one-bit flags ---

    def get_active(self) -> bool:
        return (self.data >> IS_ACTIVE_START_BIT_POSITION) & 1 != 0

    def set_active(self, active: bool) -> ReserveConfigurationMap:
        return self._with(ACTIVE_MASK, _bit(active, "active") << IS_ACTIVE_START_BIT_POSITION)

    def get_frozen(self) -> bool:
        return (self.data >> IS_FROZEN_START_BIT_POSITION) & 1 != 0

    def set_frozen(self, frozen: bool) -> ReserveConfigurationMap:
        return self._with(FROZEN_MASK, _bit(frozen, "frozen") << IS_FROZEN_START_BIT_POSITION)

    def get_paused(self) -> bool:
        return (self.data >> IS_PAUSED_START_BIT_POSITION) & 1 != 0

    def set_paused(self, paused: bool) -> ReserveConfigurationMap:
        return self._with(PAUSED_MASK, _bit(paused, "paused") << IS_PAUSED_START_BIT_POSITION)

    def get_borrowable_in_isolation(self) -> bool:
        return (self.data >> BORROWABLE_IN_ISOLATION_START_BIT_POSITION) & 1 != 0

    def set_borrowable_in_isolation(self, borrowable: bool) -> ReserveConfigurationMap:
        bit = _bit(borrowable, "borrowable")
        return self._with(
            BORROWABLE_IN_ISOLATION_MASK, bit << BORROWABLE_IN_ISOLATION_START_BIT_POSITION
        )

    def get_siloed_borrowing(self) -> bool:
        return (self.data >> SILOED_BORROWING_START_BIT_POSITION) & 1 != 0

    def set_siloed_borrowing(self, siloed: bool) -> ReserveConfigurationMap:
        bit = _bit(siloed, "siloed")
        return self._with(SILOED_BORROWING_MASK, bit << SILOED_BORROWING_START_BIT_POSITION)

    def get_borrowing_enabled(self) -> bool:
        return (self.data >> BORROWING_ENABLED_START_BIT_POSITION) & 1 != 0

    def set_borrowing_enabled(self, enabled: bool) -> ReserveConfigurationMap:
        bit = _bit(enabled, "enabled")
        return self._with(BORROWING_MASK, bit << BORROWING_ENABLED_START_BIT_POSITION)

    def get_stable_rate_borrowing_enabled(self) -> bool:
        return (self.data >> STABLE_BORROWING_ENABLED_START_BIT_POSITION) & 1 != 0

    def set_stable_rate_borrowing_enabled(self, enabled: bool) -> ReserveConfigurationMap:
        bit = _bit(enabled, "enabled")
        return self._with(STABLE_BORROWING_MASK, bit << STABLE_BORROWING_ENABLED_START_BIT_POSITION)

    def get_flash_loan_enabled(self) -> bool:
        return (self.data >> FLASHLOAN_ENABLED_START_BIT_POSITION) & 1 != 0

    def set_flash_loan_enabled(self, flash_loan_enabled: bool) -> ReserveConfigurationMap:
        bit = _bit(flash_loan_enabled, "flash_loan_enabled")
        return self._with(FLASHLOAN_ENABLED_MASK, bit << FLASHLOAN_ENABLED_START_BIT_POSITION)

    # --- several at once, like the contract's getters ---

    def get_flags(self) -> tuple[bool, bool, bool, bool, bool]:
        """(active, frozen, borrowing enabled, stable rate borrowing enabled, paused)."""
        d = self.data
        return (
            (d >> IS_ACTIVE_START_BIT_POSITION) & 1 != 0,
            (d >> IS_FROZEN_START_BIT_POSITION) & 1 != 0,
            (d >> BORROWING_ENABLED_START_BIT_POSITION) & 1 != 0,
            (d >> STABLE_BORROWING_ENABLED_START_BIT_POSITION) & 1 != 0,
            (d >> IS_PAUSED_START_BIT_POSITION) & 1 != 0,
        )

    def get_params(self) -> tuple[int, int, int, int, int, int]:
        """(ltv, liquidation threshold, liquidation bonus, decimals, reserve factor, eMode)."""
        d = self.data
        return (
            d & 0xFFFF,
            (d >> LIQUIDATION_THRESHOLD_START_BIT_POSITION) & 0xFFFF,
            (d >> LIQUIDATION_BONUS_START_BIT_POSITION) & 0xFFFF,
            (d >> RESERVE_DECIMALS_START_BIT_POSITION) & 0xFF,
            (d >> RESERVE_FACTOR_START_BIT_POSITION) & 0xFFFF,
            (d >> EMODE_CATEGORY_START_BIT_POSITION) & 0xFF,
        )

    def get_caps(self) -> tuple[int, int]:
        """(borrow cap, supply cap), in whole tokens (0 = no cap)."""
        d = self.data
        return (
            (d >> BORROW_CAP_START_BIT_POSITION) & MAX_VALID_BORROW_CAP,
            (d >> SUPPLY_CAP_START_BIT_POSITION) & MAX_VALID_SUPPLY_CAP,
        )


# --- UserConfiguration.sol ------------------------------------------------------------------

A = TypeVar("A")


class HasReserveConfiguration(Protocol):
    """What the user map reads of `ReserveData`: its `configuration`."""

    @property
    def configuration(self) -> ReserveConfigurationMap: ...


def _reject_index(reserve_index: object) -> NoReturn:
    check_uint256(reserve_index, field="reserve_index")  # not a uint256 at all
    raise ProtocolError(
        ErrorCode.INVALID_RESERVE_INDEX,
        field="reserve_index",
        value=reserve_index,
        max=MAX_RESERVES_COUNT - 1,
    )


def _asset_at(reserves_list: Mapping[int, A] | Sequence[A], reserve_id: int) -> A | None:
    """`reservesList[id]`, or None where the contract would read address(0)."""
    try:
        return reserves_list[reserve_id]
    except (KeyError, IndexError):
        return None


def _configuration_of(
    reserves_data: Mapping[A, HasReserveConfiguration], asset: A | None
) -> ReserveConfigurationMap | None:
    if asset is None:
        return None
    reserve = reserves_data.get(asset)
    return None if reserve is None else reserve.configuration


@dataclass(frozen=True, slots=True, kw_only=True)
class UserConfigurationMap:
    """`DataTypes.UserConfigurationMap`: per reserve id, a borrowing and a collateral bit."""

    data: int = 0

    def __post_init__(self) -> None:
        data = self.data
        if type(data) is not int or data < 0 or data >> 256:
            reject_non_uint256(data=data)

    def set_borrowing(self, reserve_index: int, borrowing: bool) -> UserConfigurationMap:
        if type(reserve_index) is not int or not 0 <= reserve_index < MAX_RESERVES_COUNT:
            _reject_index(reserve_index)
        bit = 1 << (reserve_index << 1)
        on = _bit(borrowing, "borrowing")
        return UserConfigurationMap(data=self.data | bit if on else self.data & ~bit)

    def set_using_as_collateral(
        self, reserve_index: int, using_as_collateral: bool
    ) -> UserConfigurationMap:
        if type(reserve_index) is not int or not 0 <= reserve_index < MAX_RESERVES_COUNT:
            _reject_index(reserve_index)
        bit = 1 << ((reserve_index << 1) + 1)
        on = _bit(using_as_collateral, "using_as_collateral")
        return UserConfigurationMap(data=self.data | bit if on else self.data & ~bit)

    def is_using_as_collateral_or_borrowing(self, reserve_index: int) -> bool:
        if type(reserve_index) is not int or not 0 <= reserve_index < MAX_RESERVES_COUNT:
            _reject_index(reserve_index)
        return (self.data >> (reserve_index << 1)) & 3 != 0

    def is_borrowing(self, reserve_index: int) -> bool:
        if type(reserve_index) is not int or not 0 <= reserve_index < MAX_RESERVES_COUNT:
            _reject_index(reserve_index)
        return (self.data >> (reserve_index << 1)) & 1 != 0

    def is_using_as_collateral(self, reserve_index: int) -> bool:
        if type(reserve_index) is not int or not 0 <= reserve_index < MAX_RESERVES_COUNT:
            _reject_index(reserve_index)
        return (self.data >> ((reserve_index << 1) + 1)) & 1 != 0

    def is_using_as_collateral_one(self) -> bool:
        """Exactly one reserve is used as collateral."""
        c = self.data & COLLATERAL_MASK
        return c != 0 and c & (c - 1) == 0

    def is_using_as_collateral_any(self) -> bool:
        return self.data & COLLATERAL_MASK != 0

    def is_borrowing_one(self) -> bool:
        """Exactly one reserve is borrowed."""
        b = self.data & USER_BORROWING_MASK
        return b != 0 and b & (b - 1) == 0

    def is_borrowing_any(self) -> bool:
        return self.data & USER_BORROWING_MASK != 0

    def is_empty(self) -> bool:
        return self.data == 0

    def get_isolation_mode_state(
        self,
        reserves_data: Mapping[A, HasReserveConfiguration],
        reserves_list: Mapping[int, A] | Sequence[A],
    ) -> tuple[bool, A | None, int]:
        """(in isolation mode, the single collateral asset, its debt ceiling).

        Isolated iff exactly one collateral is enabled and it has a debt ceiling. Otherwise
        `(False, None, 0)`: None stands for the contract's address(0), also where the id or
        the asset is not listed (the contract reads an empty configuration there).
        """
        if self.is_using_as_collateral_one():
            asset = _asset_at(reserves_list, self._get_first_asset_id_by_mask(COLLATERAL_MASK))
            config = _configuration_of(reserves_data, asset)
            ceiling = 0 if config is None else config.get_debt_ceiling()
            if ceiling != 0:
                return True, asset, ceiling
        return False, None, 0

    def get_siloed_borrowing_state(
        self,
        reserves_data: Mapping[A, HasReserveConfiguration],
        reserves_list: Mapping[int, A] | Sequence[A],
    ) -> tuple[bool, A | None]:
        """(borrows exactly one asset and it is siloed, that asset); else `(False, None)`."""
        if self.is_borrowing_one():
            asset = _asset_at(reserves_list, self._get_first_asset_id_by_mask(USER_BORROWING_MASK))
            config = _configuration_of(reserves_data, asset)
            if config is not None and config.get_siloed_borrowing():
                return True, asset
        return False, None

    def _get_first_asset_id_by_mask(self, mask: int) -> int:
        """The reserve id of the lowest bit set in `data & mask`; 0 when none is set.

        The contract isolates the lowest set bit and counts how many shifts by 2 keep it
        non-zero; for that bit at position p this is p // 2.
        """
        bitmap = self.data & mask
        lowest = bitmap & -bitmap
        return (lowest.bit_length() - 1) >> 1 if lowest else 0
