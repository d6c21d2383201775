"""The error catalogue: stable codes, clear messages, two kinds of failure."""

from __future__ import annotations

import pickle

import pytest

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError

# Codes are written to journals and shown to users: these values must never change.
STABLE_CODES = {
    "INVALID_TYPE": 1001,
    "VALUE_OUT_OF_RANGE": 1002,
    "UNKNOWN_FIELD": 1003,
    "MISSING_FIELD": 1004,
    "UNKNOWN_COMMAND_KIND": 1005,
    "MALFORMED_PAYLOAD": 1006,
    "LIMIT_EXCEEDED": 1007,
    "INSUFFICIENT_BALANCE": 1008,
    "INSUFFICIENT_ALLOWANCE": 1009,
    "MISSING_ROLE": 1301,
    "PRICE_UNAVAILABLE": 1401,
    "MATH_OVERFLOW": 1101,
    "DIVISION_BY_ZERO": 1102,
    "CLOCK_WENT_BACKWARDS": 1201,
    "INVALID_ID": 1202,
    "IDEMPOTENCY_KEY_REUSED": 2001,
    "JOURNAL_CORRUPT": 2002,
    "JOURNAL_SCHEMA_TOO_NEW": 2003,
    "JOURNAL_SCHEMA_TOO_OLD": 2004,
    "JOURNAL_CLOSED": 2005,
    "JOURNAL_STATE_MACHINE_MISMATCH": 2006,
    "JOURNAL_TIMESTAMP_BEFORE_HEAD": 2007,
    "SNAPSHOT_CORRUPT": 2008,
    "JOURNAL_WRITE_FAILED": 2009,
    "JOURNAL_EXISTS": 2010,
    "JOURNAL_UNAVAILABLE": 2011,
    # SparkLend: 3000 + the Aave v3.0.2 revert number; 3900+ Spark's own revert strings
    "CALLER_NOT_POOL_ADMIN": 3001,
    "CALLER_NOT_EMERGENCY_ADMIN": 3002,
    "CALLER_NOT_POOL_OR_EMERGENCY_ADMIN": 3003,
    "CALLER_NOT_RISK_OR_POOL_ADMIN": 3004,
    "CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN": 3005,
    "CALLER_NOT_BRIDGE": 3006,
    "ADDRESSES_PROVIDER_NOT_REGISTERED": 3007,
    "INVALID_ADDRESSES_PROVIDER_ID": 3008,
    "NOT_CONTRACT": 3009,
    "CALLER_NOT_POOL_CONFIGURATOR": 3010,
    "CALLER_NOT_ATOKEN": 3011,
    "INVALID_ADDRESSES_PROVIDER": 3012,
    "INVALID_FLASHLOAN_EXECUTOR_RETURN": 3013,
    "RESERVE_ALREADY_ADDED": 3014,
    "NO_MORE_RESERVES_ALLOWED": 3015,
    "EMODE_CATEGORY_RESERVED": 3016,
    "INVALID_EMODE_CATEGORY_ASSIGNMENT": 3017,
    "RESERVE_LIQUIDITY_NOT_ZERO": 3018,
    "FLASHLOAN_PREMIUM_INVALID": 3019,
    "INVALID_RESERVE_PARAMS": 3020,
    "INVALID_EMODE_CATEGORY_PARAMS": 3021,
    "BRIDGE_PROTOCOL_FEE_INVALID": 3022,
    "CALLER_MUST_BE_POOL": 3023,
    "INVALID_MINT_AMOUNT": 3024,
    "INVALID_BURN_AMOUNT": 3025,
    "INVALID_AMOUNT": 3026,
    "RESERVE_INACTIVE": 3027,
    "RESERVE_FROZEN": 3028,
    "RESERVE_PAUSED": 3029,
    "BORROWING_NOT_ENABLED": 3030,
    "STABLE_BORROWING_NOT_ENABLED": 3031,
    "NOT_ENOUGH_AVAILABLE_USER_BALANCE": 3032,
    "INVALID_INTEREST_RATE_MODE_SELECTED": 3033,
    "COLLATERAL_BALANCE_IS_ZERO": 3034,
    "HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD": 3035,
    "COLLATERAL_CANNOT_COVER_NEW_BORROW": 3036,
    "COLLATERAL_SAME_AS_BORROWING_CURRENCY": 3037,
    "AMOUNT_BIGGER_THAN_MAX_LOAN_SIZE_STABLE": 3038,
    "NO_DEBT_OF_SELECTED_TYPE": 3039,
    "NO_EXPLICIT_AMOUNT_TO_REPAY_ON_BEHALF": 3040,
    "NO_OUTSTANDING_STABLE_DEBT": 3041,
    "NO_OUTSTANDING_VARIABLE_DEBT": 3042,
    "UNDERLYING_BALANCE_ZERO": 3043,
    "INTEREST_RATE_REBALANCE_CONDITIONS_NOT_MET": 3044,
    "HEALTH_FACTOR_NOT_BELOW_THRESHOLD": 3045,
    "COLLATERAL_CANNOT_BE_LIQUIDATED": 3046,
    "SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER": 3047,
    "INCONSISTENT_FLASHLOAN_PARAMS": 3049,
    "BORROW_CAP_EXCEEDED": 3050,
    "SUPPLY_CAP_EXCEEDED": 3051,
    "UNBACKED_MINT_CAP_EXCEEDED": 3052,
    "DEBT_CEILING_EXCEEDED": 3053,
    "UNDERLYING_CLAIMABLE_RIGHTS_NOT_ZERO": 3054,
    "STABLE_DEBT_NOT_ZERO": 3055,
    "VARIABLE_DEBT_SUPPLY_NOT_ZERO": 3056,
    "LTV_VALIDATION_FAILED": 3057,
    "INCONSISTENT_EMODE_CATEGORY": 3058,
    "PRICE_ORACLE_SENTINEL_CHECK_FAILED": 3059,
    "ASSET_NOT_BORROWABLE_IN_ISOLATION": 3060,
    "RESERVE_ALREADY_INITIALIZED": 3061,
    "USER_IN_ISOLATION_MODE_OR_LTV_ZERO": 3062,
    "INVALID_LTV": 3063,
    "INVALID_LIQ_THRESHOLD": 3064,
    "INVALID_LIQ_BONUS": 3065,
    "INVALID_DECIMALS": 3066,
    "INVALID_RESERVE_FACTOR": 3067,
    "INVALID_BORROW_CAP": 3068,
    "INVALID_SUPPLY_CAP": 3069,
    "INVALID_LIQUIDATION_PROTOCOL_FEE": 3070,
    "INVALID_EMODE_CATEGORY": 3071,
    "INVALID_UNBACKED_MINT_CAP": 3072,
    "INVALID_DEBT_CEILING": 3073,
    "INVALID_RESERVE_INDEX": 3074,
    "ACL_ADMIN_CANNOT_BE_ZERO": 3075,
    "INCONSISTENT_PARAMS_LENGTH": 3076,
    "ZERO_ADDRESS_NOT_VALID": 3077,
    "INVALID_EXPIRATION": 3078,
    "INVALID_SIGNATURE": 3079,
    "OPERATION_NOT_SUPPORTED": 3080,
    "DEBT_CEILING_NOT_ZERO": 3081,
    "ASSET_NOT_LISTED": 3082,
    "INVALID_OPTIMAL_USAGE_RATIO": 3083,
    "INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO": 3084,
    "UNDERLYING_CANNOT_BE_RESCUED": 3085,
    "ADDRESSES_PROVIDER_ALREADY_ADDED": 3086,
    "POOL_ADDRESSES_DO_NOT_MATCH": 3087,
    "STABLE_BORROWING_ENABLED": 3088,
    "SILOED_BORROWING_VIOLATION": 3089,
    "RESERVE_DEBT_NOT_ZERO": 3090,
    "FLASHLOAN_DISABLED": 3091,
    "INACTIVE_ROUNDING": 3092,
    "FLASHLOAN_INTO_BORROW_DEPRECATED": 3901,
    "RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS": 3902,
    "CAPPED_FALLBACK_INVALID_BOUNDS": 3903,
    "CAPPED_FALLBACK_INVALID_DEFAULT_RATE": 3904,
    "DAI_IRM_SUPPLY_SPREAD_GREATER_THAN_BORROW_SPREAD": 3905,
    "DAI_IRM_BORROW_SPREAD_TOO_LARGE": 3906,
    "KILL_SWITCH_INVALID_THRESHOLD": 3910,
    "KILL_SWITCH_ORACLE_DOES_NOT_EXIST": 3911,
    "KILL_SWITCH_NOT_TRIGGERED": 3912,
    "KILL_SWITCH_INVALID_PRICE": 3913,
    "KILL_SWITCH_PRICE_ABOVE_THRESHOLD": 3914,
    "FREEZER_ONLY_OWNER": 3920,
    "FREEZER_NOT_AUTHORIZED": 3921,
    "CAP_AUTOMATOR_ZERO_CAP": 3930,
    "CAP_AUTOMATOR_INVALID_CAP": 3931,
    "CAP_AUTOMATOR_ZERO_GAP": 3932,
    "CAP_AUTOMATOR_INVALID_GAP": 3933,
    "CAP_AUTOMATOR_UINT48_CAST": 3934,
    "CAP_AUTOMATOR_NONEXISTENT_CONFIG": 3935,
    "CAP_AUTOMATOR_INVALID_ADMIN_ADDRESS": 3936,
    "CAP_AUTOMATOR_INVALID_UPDATER_ADDRESS": 3937,
}


@pytest.mark.parametrize(("name", "value"), sorted(STABLE_CODES.items()))
def test_code_values_are_stable(name: str, value: int):
    assert ErrorCode[name].value == value


def test_message_names_what_was_wrong():
    err = ProtocolError(
        ErrorCode.VALUE_OUT_OF_RANGE, field="amount", value=-1, min=0, max="2**256-1"
    )
    assert str(err) == "VALUE_OUT_OF_RANGE [1002]: amount: -1 is outside [0, 2**256-1]"
    assert err.message == "amount: -1 is outside [0, 2**256-1]"
    assert err.context["field"] == "amount"


def test_missing_context_still_gives_a_message():
    err = ProtocolError(ErrorCode.JOURNAL_CORRUPT, reason="x")
    assert "journal corrupt" in str(err)
    assert "reason='x'" in str(err)
    assert (
        str(ProtocolError(ErrorCode.JOURNAL_CLOSED)) == "JOURNAL_CLOSED [2005]: journal is closed"
    )


def test_math_overflow_says_what_the_evm_does():
    err = ProtocolError(ErrorCode.MATH_OVERFLOW, op="a + b")
    assert str(err) == (
        "MATH_OVERFLOW [1101]: a + b: arithmetic overflow or underflow (EVM Panic 0x11)"
    )


def test_protocol_error_needs_a_code():
    with pytest.raises(TypeError):
        ProtocolError(1001)  # type: ignore[arg-type]


def test_protocol_error_survives_pickling():
    # Errors cross process boundaries (workers, the service): code and context must survive.
    err = ProtocolError(ErrorCode.INVALID_ID, field="asset", value="x y", reason="spaces")
    back = pickle.loads(pickle.dumps(err))
    assert back.code is ErrorCode.INVALID_ID
    assert back.context == err.context
    assert str(back) == str(err)


def test_invariant_violation_is_not_a_protocol_error():
    bug = InvariantViolation("scaled totals", expected=1, found=2)
    assert not isinstance(bug, ProtocolError)
    assert str(bug) == "invariant 'scaled totals' violated: expected=1, found=2"
    assert bug.context == {"expected": 1, "found": 2}
