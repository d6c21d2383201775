"""SparkLend's error catalogue against the contracts' own `Errors.sol`.

`ERRORS_SOL` is the table of sparkdotfi/sparklend-v1-core
`contracts/protocol/libraries/helpers/Errors.sol` at commit
e15d8a83e8952ed913a3463fe9698d97c7bfc1d1 (constant name, revert string), in file order. The
same 90 entries are in marsfoundation/aave-v3-core at 38f373dd7e03bde3ea8da2491ce16617e133739a
(Aave v3.0.2 with `FLASHLOAN_DISABLED = '91'`). The rounding-mitigation branch adds
`INACTIVE_ROUNDING = '92'` (santipu-alt/sparklend-v1-core bb66b224d1f98568e4df39d0752e961ec50762d7,
tonicertora/sparklend-v1-core 7016779f3d432d22cef5e3f46cc9886fbfa16b6b), and `FlashLoanLogic.sol`
reverts with the literal string 'FLASHLOAN_INTO_BORROW_DEPRECATED'.

`SPARK_LITERALS` also holds the `"Contract/reason"` strings of Spark's other contracts, each
with its own code in 3902-3999: sparklend-advanced (`RateTargetBaseInterestRateStrategy`,
`RateTargetKinkInterestRateStrategy`, `CappedFallbackRateSource`), `DaiInterestRateStrategy`,
sparklend-kill-switch `KillSwitchOracle`, sparklend-freezer `SparkLendFreezerMom` and
sparklend-cap-automator `CapAutomator`.
"""

from __future__ import annotations

import pickle

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.sparklend import cap_automator, freezer_mom, kill_switch
from sparkprime.protocols.sparklend.errors import (
    AAVE_ERROR_NUMBER,
    REVERT_STRING,
    SPARK_REVERT_STRING,
    SPARK_REVERT_STRING_ALIASES,
    SPARKLEND_ERROR_CODES,
    from_revert_string,
    revert_string,
)

ERRORS_SOL: list[tuple[str, str]] = [
    ("CALLER_NOT_POOL_ADMIN", "1"),
    ("CALLER_NOT_EMERGENCY_ADMIN", "2"),
    ("CALLER_NOT_POOL_OR_EMERGENCY_ADMIN", "3"),
    ("CALLER_NOT_RISK_OR_POOL_ADMIN", "4"),
    ("CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN", "5"),
    ("CALLER_NOT_BRIDGE", "6"),
    ("ADDRESSES_PROVIDER_NOT_REGISTERED", "7"),
    ("INVALID_ADDRESSES_PROVIDER_ID", "8"),
    ("NOT_CONTRACT", "9"),
    ("CALLER_NOT_POOL_CONFIGURATOR", "10"),
    ("CALLER_NOT_ATOKEN", "11"),
    ("INVALID_ADDRESSES_PROVIDER", "12"),
    ("INVALID_FLASHLOAN_EXECUTOR_RETURN", "13"),
    ("RESERVE_ALREADY_ADDED", "14"),
    ("NO_MORE_RESERVES_ALLOWED", "15"),
    ("EMODE_CATEGORY_RESERVED", "16"),
    ("INVALID_EMODE_CATEGORY_ASSIGNMENT", "17"),
    ("RESERVE_LIQUIDITY_NOT_ZERO", "18"),
    ("FLASHLOAN_PREMIUM_INVALID", "19"),
    ("INVALID_RESERVE_PARAMS", "20"),
    ("INVALID_EMODE_CATEGORY_PARAMS", "21"),
    ("BRIDGE_PROTOCOL_FEE_INVALID", "22"),
    ("CALLER_MUST_BE_POOL", "23"),
    ("INVALID_MINT_AMOUNT", "24"),
    ("INVALID_BURN_AMOUNT", "25"),
    ("INVALID_AMOUNT", "26"),
    ("RESERVE_INACTIVE", "27"),
    ("RESERVE_FROZEN", "28"),
    ("RESERVE_PAUSED", "29"),
    ("BORROWING_NOT_ENABLED", "30"),
    ("STABLE_BORROWING_NOT_ENABLED", "31"),
    ("NOT_ENOUGH_AVAILABLE_USER_BALANCE", "32"),
    ("INVALID_INTEREST_RATE_MODE_SELECTED", "33"),
    ("COLLATERAL_BALANCE_IS_ZERO", "34"),
    ("HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD", "35"),
    ("COLLATERAL_CANNOT_COVER_NEW_BORROW", "36"),
    ("COLLATERAL_SAME_AS_BORROWING_CURRENCY", "37"),
    ("AMOUNT_BIGGER_THAN_MAX_LOAN_SIZE_STABLE", "38"),
    ("NO_DEBT_OF_SELECTED_TYPE", "39"),
    ("NO_EXPLICIT_AMOUNT_TO_REPAY_ON_BEHALF", "40"),
    ("NO_OUTSTANDING_STABLE_DEBT", "41"),
    ("NO_OUTSTANDING_VARIABLE_DEBT", "42"),
    ("UNDERLYING_BALANCE_ZERO", "43"),
    ("INTEREST_RATE_REBALANCE_CONDITIONS_NOT_MET", "44"),
    ("HEALTH_FACTOR_NOT_BELOW_THRESHOLD", "45"),
    ("COLLATERAL_CANNOT_BE_LIQUIDATED", "46"),
    ("SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER", "47"),
    ("INCONSISTENT_FLASHLOAN_PARAMS", "49"),
    ("BORROW_CAP_EXCEEDED", "50"),
    ("SUPPLY_CAP_EXCEEDED", "51"),
    ("UNBACKED_MINT_CAP_EXCEEDED", "52"),
    ("DEBT_CEILING_EXCEEDED", "53"),
    ("UNDERLYING_CLAIMABLE_RIGHTS_NOT_ZERO", "54"),
    ("STABLE_DEBT_NOT_ZERO", "55"),
    ("VARIABLE_DEBT_SUPPLY_NOT_ZERO", "56"),
    ("LTV_VALIDATION_FAILED", "57"),
    ("INCONSISTENT_EMODE_CATEGORY", "58"),
    ("PRICE_ORACLE_SENTINEL_CHECK_FAILED", "59"),
    ("ASSET_NOT_BORROWABLE_IN_ISOLATION", "60"),
    ("RESERVE_ALREADY_INITIALIZED", "61"),
    ("USER_IN_ISOLATION_MODE_OR_LTV_ZERO", "62"),
    ("INVALID_LTV", "63"),
    ("INVALID_LIQ_THRESHOLD", "64"),
    ("INVALID_LIQ_BONUS", "65"),
    ("INVALID_DECIMALS", "66"),
    ("INVALID_RESERVE_FACTOR", "67"),
    ("INVALID_BORROW_CAP", "68"),
    ("INVALID_SUPPLY_CAP", "69"),
    ("INVALID_LIQUIDATION_PROTOCOL_FEE", "70"),
    ("INVALID_EMODE_CATEGORY", "71"),
    ("INVALID_UNBACKED_MINT_CAP", "72"),
    ("INVALID_DEBT_CEILING", "73"),
    ("INVALID_RESERVE_INDEX", "74"),
    ("ACL_ADMIN_CANNOT_BE_ZERO", "75"),
    ("INCONSISTENT_PARAMS_LENGTH", "76"),
    ("ZERO_ADDRESS_NOT_VALID", "77"),
    ("INVALID_EXPIRATION", "78"),
    ("INVALID_SIGNATURE", "79"),
    ("OPERATION_NOT_SUPPORTED", "80"),
    ("DEBT_CEILING_NOT_ZERO", "81"),
    ("ASSET_NOT_LISTED", "82"),
    ("INVALID_OPTIMAL_USAGE_RATIO", "83"),
    ("INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO", "84"),
    ("UNDERLYING_CANNOT_BE_RESCUED", "85"),
    ("ADDRESSES_PROVIDER_ALREADY_ADDED", "86"),
    ("POOL_ADDRESSES_DO_NOT_MATCH", "87"),
    ("STABLE_BORROWING_ENABLED", "88"),
    ("SILOED_BORROWING_VIOLATION", "89"),
    ("RESERVE_DEBT_NOT_ZERO", "90"),
    ("FLASHLOAN_DISABLED", "91"),
]
ROUNDING_BRANCH: list[tuple[str, str]] = [("INACTIVE_ROUNDING", "92")]
SPARK_LITERALS: list[tuple[str, str]] = [
    ("FLASHLOAN_INTO_BORROW_DEPRECATED", "FLASHLOAN_INTO_BORROW_DEPRECATED"),
    (
        "RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS",
        "RateTargetBaseInterestRateStrategy/invalid-rate-source-decimals",
    ),
    ("CAPPED_FALLBACK_INVALID_BOUNDS", "CappedFallbackRateSource/invalid-bounds"),
    ("CAPPED_FALLBACK_INVALID_DEFAULT_RATE", "CappedFallbackRateSource/invalid-default-rate"),
    (
        "DAI_IRM_SUPPLY_SPREAD_GREATER_THAN_BORROW_SPREAD",
        "DaiInterestRateStrategy/supply-spread-greater-than-borrow-spread",
    ),
    ("DAI_IRM_BORROW_SPREAD_TOO_LARGE", "DaiInterestRateStrategy/borrow-spread-too-large"),
    ("KILL_SWITCH_INVALID_THRESHOLD", "KillSwitchOracle/invalid-threshold"),
    ("KILL_SWITCH_ORACLE_DOES_NOT_EXIST", "KillSwitchOracle/oracle-does-not-exist"),
    ("KILL_SWITCH_NOT_TRIGGERED", "KillSwitchOracle/not-triggered"),
    ("KILL_SWITCH_INVALID_PRICE", "KillSwitchOracle/invalid-price"),
    ("KILL_SWITCH_PRICE_ABOVE_THRESHOLD", "KillSwitchOracle/price-above-threshold"),
    ("FREEZER_ONLY_OWNER", "SparkLendFreezerMom/only-owner"),
    ("FREEZER_NOT_AUTHORIZED", "SparkLendFreezerMom/not-authorized"),
    ("CAP_AUTOMATOR_ZERO_CAP", "CapAutomator/zero-cap"),
    ("CAP_AUTOMATOR_INVALID_CAP", "CapAutomator/invalid-cap"),
    ("CAP_AUTOMATOR_ZERO_GAP", "CapAutomator/zero-gap"),
    ("CAP_AUTOMATOR_INVALID_GAP", "CapAutomator/invalid-gap"),
    ("CAP_AUTOMATOR_UINT48_CAST", "CapAutomator/uint48-cast"),
    ("CAP_AUTOMATOR_NONEXISTENT_CONFIG", "CapAutomator/nonexistent-config"),
    ("CAP_AUTOMATOR_INVALID_ADMIN_ADDRESS", "CapAutomator/invalid-admin-address"),
    ("CAP_AUTOMATOR_INVALID_UPDATER_ADDRESS", "CapAutomator/invalid-updater-address"),
]
# The same check in a second contract: the same code, read back by `from_revert_string` only.
SPARK_ALIASES: list[tuple[str, str]] = [
    (
        "RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS",
        "RateTargetKinkInterestRateStrategy/invalid-rate-source-decimals",
    ),
]


def test_the_table_is_errors_sol():
    numbers = [int(n) for _, n in ERRORS_SOL]
    assert numbers == sorted(numbers)
    assert set(numbers) == set(range(1, 92)) - {48}
    assert len({name for name, _ in ERRORS_SOL}) == len(ERRORS_SOL) == 90


@pytest.mark.parametrize(("name", "number"), ERRORS_SOL + ROUNDING_BRANCH)
def test_each_contract_error_is_a_code_numbered_3000_plus_n(name: str, number: str):
    code = ErrorCode[name]
    assert code.value == 3000 + int(number)
    assert AAVE_ERROR_NUMBER[code] == number
    assert REVERT_STRING[code] == number
    assert from_revert_string(number) is code
    assert revert_string(code) == number


def test_the_catalogue_is_exactly_the_contracts():
    expected = dict(ERRORS_SOL + ROUNDING_BRANCH + SPARK_LITERALS)
    assert {code.name: reason for code, reason in REVERT_STRING.items()} == expected
    assert {c.name for c in SPARKLEND_ERROR_CODES} == set(expected)
    # Everything ErrorCode holds in the SparkLend block is in the catalogue, and nothing else.
    block = {c for c in ErrorCode if 3000 <= c.value <= 3999}
    assert block == SPARKLEND_ERROR_CODES


def test_spark_literal_revert_strings():
    code = ErrorCode.FLASHLOAN_INTO_BORROW_DEPRECATED
    assert code.value == 3901
    assert code not in AAVE_ERROR_NUMBER
    assert SPARK_REVERT_STRING[code] == "FLASHLOAN_INTO_BORROW_DEPRECATED"
    assert from_revert_string("FLASHLOAN_INTO_BORROW_DEPRECATED") is code
    assert revert_string(code) == "FLASHLOAN_INTO_BORROW_DEPRECATED"


@pytest.mark.parametrize(("name", "reason"), SPARK_LITERALS)
def test_each_spark_revert_string_is_its_own_code_in_3900_up(name: str, reason: str):
    code = ErrorCode[name]
    assert 3901 <= code.value <= 3999
    assert code not in AAVE_ERROR_NUMBER
    assert SPARK_REVERT_STRING[code] == reason
    assert from_revert_string(reason) is code
    assert revert_string(code) == reason
    # the template is written out, not the fallback built from the code's name
    assert ProtocolError(code).message != name.lower().replace("_", " ")


@pytest.mark.parametrize(("name", "reason"), SPARK_ALIASES)
def test_a_second_contracts_string_reads_back_as_the_same_code(name: str, reason: str):
    code = ErrorCode[name]
    assert SPARK_REVERT_STRING_ALIASES[reason] is code
    assert from_revert_string(reason) is code
    assert revert_string(code) != reason  # the code's own string is the other contract's
    assert reason not in REVERT_STRING.values()


def test_the_aliases_are_exactly_the_second_strings():
    assert {reason: code.name for reason, code in SPARK_REVERT_STRING_ALIASES.items()} == {
        reason: name for name, reason in SPARK_ALIASES
    }


@pytest.mark.parametrize(
    ("constant", "code"),
    [
        (kill_switch.INVALID_THRESHOLD, ErrorCode.KILL_SWITCH_INVALID_THRESHOLD),
        (kill_switch.ORACLE_DOES_NOT_EXIST, ErrorCode.KILL_SWITCH_ORACLE_DOES_NOT_EXIST),
        (kill_switch.NOT_TRIGGERED, ErrorCode.KILL_SWITCH_NOT_TRIGGERED),
        (kill_switch.INVALID_PRICE, ErrorCode.KILL_SWITCH_INVALID_PRICE),
        (kill_switch.PRICE_ABOVE_THRESHOLD, ErrorCode.KILL_SWITCH_PRICE_ABOVE_THRESHOLD),
        (freezer_mom.ONLY_OWNER, ErrorCode.FREEZER_ONLY_OWNER),
        (freezer_mom.NOT_AUTHORIZED, ErrorCode.FREEZER_NOT_AUTHORIZED),
        (cap_automator.ZERO_CAP, ErrorCode.CAP_AUTOMATOR_ZERO_CAP),
        (cap_automator.INVALID_CAP, ErrorCode.CAP_AUTOMATOR_INVALID_CAP),
        (cap_automator.ZERO_GAP, ErrorCode.CAP_AUTOMATOR_ZERO_GAP),
        (cap_automator.INVALID_GAP, ErrorCode.CAP_AUTOMATOR_INVALID_GAP),
        (cap_automator.UINT48_CAST, ErrorCode.CAP_AUTOMATOR_UINT48_CAST),
        (cap_automator.NONEXISTENT_CONFIG, ErrorCode.CAP_AUTOMATOR_NONEXISTENT_CONFIG),
        (cap_automator.INVALID_ADMIN_ADDRESS, ErrorCode.CAP_AUTOMATOR_INVALID_ADMIN_ADDRESS),
        (
            cap_automator.INVALID_UPDATER_ADDRESS,
            ErrorCode.CAP_AUTOMATOR_INVALID_UPDATER_ADDRESS,
        ),
    ],
)
def test_the_periphery_modules_revert_string_constants_are_the_catalogues(
    constant: str, code: ErrorCode
):
    assert revert_string(code) == constant
    assert from_revert_string(constant) is code


def test_names_and_values_are_unique():
    names = [c.name for c in ErrorCode]
    values = [c.value for c in ErrorCode]
    assert len(set(names)) == len(names)
    assert len(set(values)) == len(values)
    assert len(set(REVERT_STRING.values())) == len(REVERT_STRING)


@pytest.mark.parametrize("reason", ["48", "0", "93", "026", " 26", "INVALID_AMOUNT", "", 26, None])
def test_unknown_revert_strings_are_refused(reason: object):
    with pytest.raises(ProtocolError) as info:
        from_revert_string(reason)  # type: ignore[arg-type]
    assert info.value.code is ErrorCode.INVALID_ID
    assert info.value.context["value"] == reason


def test_non_sparklend_codes_have_no_revert_string():
    with pytest.raises(ProtocolError) as info:
        revert_string(ErrorCode.MATH_OVERFLOW)
    assert info.value.code is ErrorCode.INVALID_ID


def test_the_mappings_are_read_only():
    with pytest.raises(TypeError):
        AAVE_ERROR_NUMBER[ErrorCode.MATH_OVERFLOW] = "1"  # type: ignore[index]


@pytest.mark.parametrize("code", sorted(SPARKLEND_ERROR_CODES))
def test_messages_need_no_context(code: ErrorCode):
    # Templates take no placeholders, so any call site gets the plain message...
    err = ProtocolError(code)
    assert err.message
    assert "{" not in err.message
    assert str(err) == f"{code.name} [{code.value}]: {err.message}"
    # ...and context given by the caller still travels with the error.
    with_context = ProtocolError(code, asset="0xA", amount=5)
    assert with_context.message == err.message
    assert with_context.context == {"asset": "0xA", "amount": 5}
    assert pickle.loads(pickle.dumps(with_context)).context == with_context.context
