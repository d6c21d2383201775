"""SparkLend's revert reasons, and the `ErrorCode` each one is raised as.

SparkLend v1.0.0 reverts with the numeric strings of Aave v3.0.2's `Errors.sol` ('26' is
`INVALID_AMOUNT`). Here each is the `ErrorCode` of the same name, numbered 3000 + N, so a
ported test that expects `Errors.INVALID_AMOUNT` (or hardhat's `revertedWith('26')`) checks
`err.code is ErrorCode.INVALID_AMOUNT`, or `from_revert_string('26')`.

Sources: sparkdotfi/sparklend-v1-core `contracts/protocol/libraries/helpers/Errors.sol`
(1..91; '48' is not used), the rounding-mitigation branch's '92' (`INACTIVE_ROUNDING`), and
Spark's literal `revert('FLASHLOAN_INTO_BORROW_DEPRECATED')` in `FlashLoanLogic.sol`, which has
no number and is code 3901.

Spark's other contracts revert with `"Contract/reason"` strings; each is its own code in
3902-3999 (`SPARK_REVERT_STRING`): sparklend-advanced's rate strategies and
`CappedFallbackRateSource`, `DaiInterestRateStrategy`, `KillSwitchOracle`,
`SparkLendFreezerMom` and `CapAutomator`. The two rate-target strategies run the same check, so
`RateTargetKinkInterestRateStrategy/invalid-rate-source-decimals` is the same code as the Base
strategy's string (`SPARK_REVERT_STRING_ALIASES`); `revert_string` gives the Base one.
OpenZeppelin's custom errors (`OwnableUnauthorizedAccount`, ...) are not here: they are raised
as the generic `MISSING_ROLE` / `INVALID_ID` with the error in `reason=`.

Example:
    >>> from_revert_string("26")
    <ErrorCode.INVALID_AMOUNT: 3026>
    >>> revert_string(ErrorCode.BORROW_CAP_EXCEEDED)
    '50'
    >>> from_revert_string("KillSwitchOracle/invalid-threshold")
    <ErrorCode.KILL_SWITCH_INVALID_THRESHOLD: 3910>
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError

__all__ = [
    "AAVE_ERROR_NUMBER",
    "REVERT_STRING",
    "SPARKLEND_ERROR_CODES",
    "SPARK_REVERT_STRING",
    "SPARK_REVERT_STRING_ALIASES",
    "from_revert_string",
    "revert_string",
]

_AAVE_BASE: Final = 3000
_AAVE_LAST: Final = 3099  # numbered reasons live in 3001..3099; 3900+ are Spark's strings

AAVE_ERROR_NUMBER: Final[Mapping[ErrorCode, str]] = MappingProxyType(
    {
        code: str(code.value - _AAVE_BASE)
        for code in ErrorCode
        if _AAVE_BASE < code.value <= _AAVE_LAST
    }
)
"""Each SparkLend code with an Aave number -> that number as the contract's revert string."""

SPARK_REVERT_STRING: Final[Mapping[ErrorCode, str]] = MappingProxyType(
    {
        ErrorCode.FLASHLOAN_INTO_BORROW_DEPRECATED: "FLASHLOAN_INTO_BORROW_DEPRECATED",
        ErrorCode.RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS: (
            "RateTargetBaseInterestRateStrategy/invalid-rate-source-decimals"
        ),
        ErrorCode.CAPPED_FALLBACK_INVALID_BOUNDS: "CappedFallbackRateSource/invalid-bounds",
        ErrorCode.CAPPED_FALLBACK_INVALID_DEFAULT_RATE: (
            "CappedFallbackRateSource/invalid-default-rate"
        ),
        ErrorCode.DAI_IRM_SUPPLY_SPREAD_GREATER_THAN_BORROW_SPREAD: (
            "DaiInterestRateStrategy/supply-spread-greater-than-borrow-spread"
        ),
        ErrorCode.DAI_IRM_BORROW_SPREAD_TOO_LARGE: (
            "DaiInterestRateStrategy/borrow-spread-too-large"
        ),
        ErrorCode.KILL_SWITCH_INVALID_THRESHOLD: "KillSwitchOracle/invalid-threshold",
        ErrorCode.KILL_SWITCH_ORACLE_DOES_NOT_EXIST: "KillSwitchOracle/oracle-does-not-exist",
        ErrorCode.KILL_SWITCH_NOT_TRIGGERED: "KillSwitchOracle/not-triggered",
        ErrorCode.KILL_SWITCH_INVALID_PRICE: "KillSwitchOracle/invalid-price",
        ErrorCode.KILL_SWITCH_PRICE_ABOVE_THRESHOLD: "KillSwitchOracle/price-above-threshold",
        ErrorCode.FREEZER_ONLY_OWNER: "SparkLendFreezerMom/only-owner",
        ErrorCode.FREEZER_NOT_AUTHORIZED: "SparkLendFreezerMom/not-authorized",
        ErrorCode.CAP_AUTOMATOR_ZERO_CAP: "CapAutomator/zero-cap",
        ErrorCode.CAP_AUTOMATOR_INVALID_CAP: "CapAutomator/invalid-cap",
        ErrorCode.CAP_AUTOMATOR_ZERO_GAP: "CapAutomator/zero-gap",
        ErrorCode.CAP_AUTOMATOR_INVALID_GAP: "CapAutomator/invalid-gap",
        ErrorCode.CAP_AUTOMATOR_UINT48_CAST: "CapAutomator/uint48-cast",
        ErrorCode.CAP_AUTOMATOR_NONEXISTENT_CONFIG: "CapAutomator/nonexistent-config",
        ErrorCode.CAP_AUTOMATOR_INVALID_ADMIN_ADDRESS: "CapAutomator/invalid-admin-address",
        ErrorCode.CAP_AUTOMATOR_INVALID_UPDATER_ADDRESS: "CapAutomator/invalid-updater-address",
    }
)
"""SparkLend's own revert strings, which are not in `Errors.sol` and have no number."""

SPARK_REVERT_STRING_ALIASES: Final[Mapping[str, ErrorCode]] = MappingProxyType(
    {
        "RateTargetKinkInterestRateStrategy/invalid-rate-source-decimals": (
            ErrorCode.RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS
        ),
    }
)
"""Further contract strings for a code whose `SPARK_REVERT_STRING` is another contract's
(the same check in two contracts): `from_revert_string` reads them, `revert_string` never
returns them."""

REVERT_STRING: Final[Mapping[ErrorCode, str]] = MappingProxyType(
    {**AAVE_ERROR_NUMBER, **SPARK_REVERT_STRING}
)
"""Every SparkLend code -> the exact revert string the contracts use."""

SPARKLEND_ERROR_CODES: Final[frozenset[ErrorCode]] = frozenset(REVERT_STRING)

_BY_STRING: Final[Mapping[str, ErrorCode]] = MappingProxyType(
    {
        **{reason: code for code, reason in REVERT_STRING.items()},
        **SPARK_REVERT_STRING_ALIASES,
    }
)


def from_revert_string(reason: str) -> ErrorCode:
    """The `ErrorCode` of a SparkLend revert string: '26' -> `INVALID_AMOUNT`,
    "CapAutomator/zero-cap" -> `CAP_AUTOMATOR_ZERO_CAP`.

    Raises `ProtocolError(INVALID_ID)` for a string SparkLend never reverts with (e.g. '48').
    """
    code = _BY_STRING.get(reason) if type(reason) is str else None
    if code is None:
        raise ProtocolError(
            ErrorCode.INVALID_ID,
            field="reason",
            value=reason,
            reason="not a SparkLend revert string",
        )
    return code


def revert_string(code: ErrorCode) -> str:
    """The contract's revert string for a SparkLend code: `INVALID_AMOUNT` -> '26'.

    Raises `ProtocolError(INVALID_ID)` for a code outside SparkLend's catalogue.
    """
    reason = REVERT_STRING.get(code)
    if reason is None:
        raise ProtocolError(
            ErrorCode.INVALID_ID,
            field="code",
            value=code,
            reason="not a SparkLend error code",
        )
    return reason
