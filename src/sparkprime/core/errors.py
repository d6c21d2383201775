"""The error model: one catalogue of stable codes and two kinds of failure.

```
Exception
 +-- ProtocolError        a rejected input or action: the caller gets a code and a message,
 |                        and nothing changed (state, journal, balances)
 +-- InvariantViolation   a bug: an internal rule broke; never caught to continue
```

`ErrorCode` values are stable and never reused: they are written to journals and shown to
users. Blocks by origin:

- 1000-1099 input and schema (wrong type, out of range, unknown field or command)
- 1100-1199 fixed-point math (the EVM's revert on overflow or division by zero)
- 1200-1299 clock and ids
- 1300-1399 access control (roles)
- 1400-1499 prices (no usable price, stale feeds)
- 2000-2099 the command journal
- 3000-3999 SparkLend: 3000 + the numeric revert reason of Aave v3's `Errors.sol`
  (3001-3092; `protocols.sparklend.errors` maps back), 3900+ for Spark's own revert strings
  (the Pool's, the rate strategies' and sources', and the periphery contracts')
- 4000-4999 savings, liquidity layer, ... (one block per later package)
- 5000-5999 prime

Example:
    >>> err = ProtocolError(ErrorCode.VALUE_OUT_OF_RANGE, field="amount", value=-1)
    >>> err.code.name
    'VALUE_OUT_OF_RANGE'
"""

from __future__ import annotations

from enum import IntEnum, unique
from typing import Any

__all__ = ["ErrorCode", "InvariantViolation", "ProtocolError"]


@unique
class ErrorCode(IntEnum):
    """Stable error codes; the name says the condition, the value never changes."""

    # 1000-1099: input and schema
    INVALID_TYPE = 1001
    VALUE_OUT_OF_RANGE = 1002
    UNKNOWN_FIELD = 1003
    MISSING_FIELD = 1004
    UNKNOWN_COMMAND_KIND = 1005
    MALFORMED_PAYLOAD = 1006
    LIMIT_EXCEEDED = 1007
    INSUFFICIENT_BALANCE = 1008
    INSUFFICIENT_ALLOWANCE = 1009
    # 1100-1199: fixed-point math
    MATH_OVERFLOW = 1101
    DIVISION_BY_ZERO = 1102
    # 1200-1299: clock and ids
    CLOCK_WENT_BACKWARDS = 1201
    INVALID_ID = 1202
    # 1300-1399: access control
    MISSING_ROLE = 1301
    # 1400-1499: prices
    PRICE_UNAVAILABLE = 1401
    # 2000-2099: the command journal
    IDEMPOTENCY_KEY_REUSED = 2001
    JOURNAL_CORRUPT = 2002
    JOURNAL_SCHEMA_TOO_NEW = 2003
    JOURNAL_SCHEMA_TOO_OLD = 2004
    JOURNAL_CLOSED = 2005
    JOURNAL_STATE_MACHINE_MISMATCH = 2006
    JOURNAL_TIMESTAMP_BEFORE_HEAD = 2007
    SNAPSHOT_CORRUPT = 2008
    JOURNAL_WRITE_FAILED = 2009
    JOURNAL_EXISTS = 2010
    JOURNAL_UNAVAILABLE = 2011
    # 3000-3999: SparkLend v1.0.0 (Aave v3.0.2 `Errors.sol`): 3000 + the numeric revert reason.
    # '48' is unused upstream. Messages take no placeholders: call sites pass any context.
    CALLER_NOT_POOL_ADMIN = 3001
    CALLER_NOT_EMERGENCY_ADMIN = 3002
    CALLER_NOT_POOL_OR_EMERGENCY_ADMIN = 3003
    CALLER_NOT_RISK_OR_POOL_ADMIN = 3004
    CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN = 3005
    CALLER_NOT_BRIDGE = 3006
    ADDRESSES_PROVIDER_NOT_REGISTERED = 3007
    INVALID_ADDRESSES_PROVIDER_ID = 3008
    NOT_CONTRACT = 3009
    CALLER_NOT_POOL_CONFIGURATOR = 3010
    CALLER_NOT_ATOKEN = 3011
    INVALID_ADDRESSES_PROVIDER = 3012
    INVALID_FLASHLOAN_EXECUTOR_RETURN = 3013
    RESERVE_ALREADY_ADDED = 3014
    NO_MORE_RESERVES_ALLOWED = 3015
    EMODE_CATEGORY_RESERVED = 3016
    INVALID_EMODE_CATEGORY_ASSIGNMENT = 3017
    RESERVE_LIQUIDITY_NOT_ZERO = 3018
    FLASHLOAN_PREMIUM_INVALID = 3019
    INVALID_RESERVE_PARAMS = 3020
    INVALID_EMODE_CATEGORY_PARAMS = 3021
    BRIDGE_PROTOCOL_FEE_INVALID = 3022
    CALLER_MUST_BE_POOL = 3023
    INVALID_MINT_AMOUNT = 3024
    INVALID_BURN_AMOUNT = 3025
    INVALID_AMOUNT = 3026
    RESERVE_INACTIVE = 3027
    RESERVE_FROZEN = 3028
    RESERVE_PAUSED = 3029
    BORROWING_NOT_ENABLED = 3030
    STABLE_BORROWING_NOT_ENABLED = 3031
    NOT_ENOUGH_AVAILABLE_USER_BALANCE = 3032
    INVALID_INTEREST_RATE_MODE_SELECTED = 3033
    COLLATERAL_BALANCE_IS_ZERO = 3034
    HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD = 3035
    COLLATERAL_CANNOT_COVER_NEW_BORROW = 3036
    COLLATERAL_SAME_AS_BORROWING_CURRENCY = 3037
    AMOUNT_BIGGER_THAN_MAX_LOAN_SIZE_STABLE = 3038
    NO_DEBT_OF_SELECTED_TYPE = 3039
    NO_EXPLICIT_AMOUNT_TO_REPAY_ON_BEHALF = 3040
    NO_OUTSTANDING_STABLE_DEBT = 3041
    NO_OUTSTANDING_VARIABLE_DEBT = 3042
    UNDERLYING_BALANCE_ZERO = 3043
    INTEREST_RATE_REBALANCE_CONDITIONS_NOT_MET = 3044
    HEALTH_FACTOR_NOT_BELOW_THRESHOLD = 3045
    COLLATERAL_CANNOT_BE_LIQUIDATED = 3046
    SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER = 3047
    INCONSISTENT_FLASHLOAN_PARAMS = 3049
    BORROW_CAP_EXCEEDED = 3050
    SUPPLY_CAP_EXCEEDED = 3051
    UNBACKED_MINT_CAP_EXCEEDED = 3052
    DEBT_CEILING_EXCEEDED = 3053
    UNDERLYING_CLAIMABLE_RIGHTS_NOT_ZERO = 3054
    STABLE_DEBT_NOT_ZERO = 3055
    VARIABLE_DEBT_SUPPLY_NOT_ZERO = 3056
    LTV_VALIDATION_FAILED = 3057
    INCONSISTENT_EMODE_CATEGORY = 3058
    PRICE_ORACLE_SENTINEL_CHECK_FAILED = 3059
    ASSET_NOT_BORROWABLE_IN_ISOLATION = 3060
    RESERVE_ALREADY_INITIALIZED = 3061
    USER_IN_ISOLATION_MODE_OR_LTV_ZERO = 3062
    INVALID_LTV = 3063
    INVALID_LIQ_THRESHOLD = 3064
    INVALID_LIQ_BONUS = 3065
    INVALID_DECIMALS = 3066
    INVALID_RESERVE_FACTOR = 3067
    INVALID_BORROW_CAP = 3068
    INVALID_SUPPLY_CAP = 3069
    INVALID_LIQUIDATION_PROTOCOL_FEE = 3070
    INVALID_EMODE_CATEGORY = 3071
    INVALID_UNBACKED_MINT_CAP = 3072
    INVALID_DEBT_CEILING = 3073
    INVALID_RESERVE_INDEX = 3074
    ACL_ADMIN_CANNOT_BE_ZERO = 3075
    INCONSISTENT_PARAMS_LENGTH = 3076
    ZERO_ADDRESS_NOT_VALID = 3077
    INVALID_EXPIRATION = 3078
    INVALID_SIGNATURE = 3079
    OPERATION_NOT_SUPPORTED = 3080
    DEBT_CEILING_NOT_ZERO = 3081
    ASSET_NOT_LISTED = 3082
    INVALID_OPTIMAL_USAGE_RATIO = 3083
    INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO = 3084
    UNDERLYING_CANNOT_BE_RESCUED = 3085
    ADDRESSES_PROVIDER_ALREADY_ADDED = 3086
    POOL_ADDRESSES_DO_NOT_MATCH = 3087
    STABLE_BORROWING_ENABLED = 3088
    SILOED_BORROWING_VIOLATION = 3089
    RESERVE_DEBT_NOT_ZERO = 3090
    FLASHLOAN_DISABLED = 3091
    # the rounding-mitigation branch (DIRECTED rounding, not yet live) adds one
    INACTIVE_ROUNDING = 3092
    # 3900-3999: SparkLend's own revert strings, which have no Aave number. By contract:
    # 3901-3909 the Pool and the rate strategies and sources, 3910-3919 KillSwitchOracle,
    # 3920-3929 SparkLendFreezerMom, 3930-3939 CapAutomator.
    FLASHLOAN_INTO_BORROW_DEPRECATED = 3901
    RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS = 3902
    CAPPED_FALLBACK_INVALID_BOUNDS = 3903
    CAPPED_FALLBACK_INVALID_DEFAULT_RATE = 3904
    DAI_IRM_SUPPLY_SPREAD_GREATER_THAN_BORROW_SPREAD = 3905
    DAI_IRM_BORROW_SPREAD_TOO_LARGE = 3906
    KILL_SWITCH_INVALID_THRESHOLD = 3910
    KILL_SWITCH_ORACLE_DOES_NOT_EXIST = 3911
    KILL_SWITCH_NOT_TRIGGERED = 3912
    KILL_SWITCH_INVALID_PRICE = 3913
    KILL_SWITCH_PRICE_ABOVE_THRESHOLD = 3914
    FREEZER_ONLY_OWNER = 3920
    FREEZER_NOT_AUTHORIZED = 3921
    CAP_AUTOMATOR_ZERO_CAP = 3930
    CAP_AUTOMATOR_INVALID_CAP = 3931
    CAP_AUTOMATOR_ZERO_GAP = 3932
    CAP_AUTOMATOR_INVALID_GAP = 3933
    CAP_AUTOMATOR_UINT48_CAST = 3934
    CAP_AUTOMATOR_NONEXISTENT_CONFIG = 3935
    CAP_AUTOMATOR_INVALID_ADMIN_ADDRESS = 3936
    CAP_AUTOMATOR_INVALID_UPDATER_ADDRESS = 3937
    # 4000-4099: savings (dss Pot, sDAI, sUSDS): the contracts' revert strings
    POT_NOT_AUTHORIZED = 4001
    POT_NOT_LIVE = 4002
    POT_RHO_NOT_UPDATED = 4003
    POT_INVALID_NOW = 4004
    POT_FILE_UNRECOGNIZED_PARAM = 4005
    SAVINGS_NOT_AUTHORIZED = 4010
    SAVINGS_INVALID_ADDRESS = 4011
    SAVINGS_INSUFFICIENT_BALANCE = 4012
    SAVINGS_INSUFFICIENT_ALLOWANCE = 4013
    SAVINGS_WRONG_SSR_VALUE = 4014
    SAVINGS_CHI_NOT_UP_TO_DATE = 4015
    SAVINGS_FILE_UNRECOGNIZED_PARAM = 4016
    # 4020-4029: SP-BEAM (makerdao/sp-beam) and the rates Conv (sky-ecosystem/rates-conv)
    SPBEAM_NOT_AUTHORIZED = 4020
    SPBEAM_NOT_FACILITATOR = 4021
    SPBEAM_MODULE_HALTED = 4022
    SPBEAM_INVALID_PARAM = 4023
    SPBEAM_INVALID_BATCH = 4024
    SPBEAM_TOO_EARLY = 4025
    SPBEAM_BELOW_MIN = 4026
    SPBEAM_ABOVE_MAX = 4027
    SPBEAM_DELTA_ABOVE_STEP = 4028
    RATE_CONV_INVALID = 4029
    # 4030-4039: cross-chain SSR oracle (xchain-ssr-oracle)
    SSR_ORACLE_INVALID_TIMESTAMP = 4030
    SSR_ORACLE_INVALID_RHO = 4031
    SSR_ORACLE_INVALID_SSR = 4032
    SSR_ORACLE_INVALID_CHI = 4033
    SSR_ORACLE_INVALID_MAX_SSR = 4034
    # 4040-4054: Spark Savings v2 SparkVault; 4055-4079: SparkPrimeVault (spPRIME)
    SPARK_VAULT_VSR_TOO_LOW = 4040
    SPARK_VAULT_VSR_TOO_HIGH = 4041
    SPARK_VAULT_MIN_VSR_GT_MAX_VSR = 4042
    SPARK_VAULT_INSUFFICIENT_LIQUIDITY = 4043
    SPARK_VAULT_DEPOSIT_CAP_EXCEEDED = 4044
    SPARK_VAULT_TAKER_CANNOT_DEPOSIT = 4045
    SPPRIME_PAUSED = 4055
    SPPRIME_NOT_PAUSED = 4056
    SPPRIME_INVALID_CHI = 4057
    SPPRIME_CAPACITY_TOO_HIGH = 4058
    SPPRIME_FEE_TOO_HIGH = 4059
    SPPRIME_VSR_TOO_LOW = 4060
    SPPRIME_VSR_TOO_HIGH = 4061
    SPPRIME_MIN_VSR_GT_MAX_VSR = 4062
    SPPRIME_INSUFFICIENT_LIQUIDITY = 4063
    SPPRIME_INVALID_RECIPIENT = 4064
    SPPRIME_BELOW_MINIMUM = 4065
    SPPRIME_NO_REQUEST = 4066
    SPPRIME_NOT_AUTHORIZED = 4067
    SPPRIME_INVALID_ADDRESS = 4068
    SPPRIME_INSUFFICIENT_BALANCE = 4069
    SPPRIME_INSUFFICIENT_ALLOWANCE = 4070
    SPPRIME_QUEUED_SHARES_LOCKED = 4071
    SPPRIME_ASSET_MISMATCH = 4072
    # 4100-4199: liquidity layer (spark-alm-controller): the contracts' revert strings
    RATE_LIMITS_ZERO_ADMIN = 4100
    RATE_LIMITS_INVALID_LAST_AMOUNT = 4101
    RATE_LIMITS_INVALID_LAST_UPDATED = 4102
    RATE_LIMITS_ZERO_MAX_AMOUNT = 4103
    RATE_LIMITS_RATE_LIMIT_EXCEEDED = 4104
    # 4110-4119: ALMProxy (no codes of its own: a non-controller gets MISSING_ROLE)
    # 4120-4159: MainnetController (its libraries' "MC/..." reverts, shared by the
    # ForeignController); 4160-4199: ForeignController's own "FC/..." reverts
    MC_POOL_ZERO_ADDRESS = 4120
    MC_TOKEN_ZERO_ADDRESS = 4121
    MC_MIN_SHARES_OUT_NOT_MET = 4122
    MC_MAX_SHARES_IN_NOT_MET = 4123
    MC_MIN_ASSETS_OUT_NOT_MET = 4124
    MC_EXCHANGE_RATE_TOO_HIGH = 4125
    MC_ZERO_SHARES = 4126
    MC_MAX_SLIPPAGE_NOT_SET = 4127
    MC_SLIPPAGE_TOO_HIGH = 4128
    MC_DOMAIN_NOT_CONFIGURED = 4129
    FC_POOL_ZERO_ADDRESS = 4160
    FC_INIT_CHECK_FAILED = 4161

    # 4200-4259: allocator/Vat (4200-4209), DssLitePsm (4209-4219), PSM3 (4220-4239),
    # CCTP, bridges and domains (4240-4259): the contracts' revert strings
    ALLOCATOR_NOT_AUTHORIZED = 4200
    ALLOCATOR_FILE_UNRECOGNIZED_PARAM = 4201
    ALLOCATOR_OVERFLOW = 4202
    ALLOCATOR_JUG_NOT_SET = 4203
    VAT_CEILING_EXCEEDED = 4204
    VAT_NOT_SAFE = 4205
    VAT_ILK_NOT_INIT = 4206
    VAT_ILK_ALREADY_INIT = 4207
    LITE_PSM_RATE_NOT_RAY = 4209
    LITE_PSM_NOT_AUTHORIZED = 4210
    LITE_PSM_NOT_WHITELISTED = 4211
    LITE_PSM_FEE_OUT_OF_RANGE = 4212
    LITE_PSM_FILE_UNRECOGNIZED_PARAM = 4213
    LITE_PSM_SELL_GEM_HALTED = 4214
    LITE_PSM_BUY_GEM_HALTED = 4215
    LITE_PSM_NOTHING_TO_FILL = 4216
    LITE_PSM_NOTHING_TO_TRIM = 4217
    LITE_PSM_NOTHING_TO_CHUG = 4218
    LITE_PSM_CHUG_MISSING_VOW = 4219
    PSM3_INVALID_AMOUNT = 4220
    PSM3_INVALID_RECEIVER = 4221
    PSM3_INVALID_ASSET = 4222
    PSM3_INVALID_AMOUNT_IN = 4223
    PSM3_INVALID_AMOUNT_OUT = 4224
    PSM3_AMOUNT_OUT_TOO_LOW = 4225
    PSM3_AMOUNT_IN_TOO_HIGH = 4226
    PSM3_INVALID_POCKET = 4227
    PSM3_SAME_POCKET = 4228
    PSM3_NOT_OWNER = 4229
    PSM3_RATE_PROVIDER_RETURNS_ZERO = 4230
    PSM3_INVALID_CONFIG = 4231
    CCTP_AMOUNT_ZERO = 4240
    CCTP_MINT_RECIPIENT_ZERO = 4241
    CCTP_NO_TOKEN_MESSENGER_FOR_DOMAIN = 4242
    CCTP_BURN_TOKEN_NOT_SUPPORTED = 4243
    CCTP_BURN_AMOUNT_EXCEEDS_LIMIT = 4244
    BRIDGE_UNKNOWN_ROUTE = 4245
    BRIDGE_AMOUNT_ZERO = 4246
    BRIDGE_INVALID_RECIPIENT = 4247
    DOMAIN_UNKNOWN_CHAIN = 4248
    DOMAIN_UNKNOWN_TOKEN = 4249
    DOMAIN_DUPLICATE = 4250

    # 4260-4299: Morpho venues: 4260-4276 Morpho Blue + its IRMs (the ErrorsLib strings),
    # 4281-4299 MetaMorpho v1.1 (its custom errors)
    MORPHO_NOT_OWNER = 4260
    MORPHO_MAX_LLTV_EXCEEDED = 4261
    MORPHO_MAX_FEE_EXCEEDED = 4262
    MORPHO_ALREADY_SET = 4263
    MORPHO_IRM_NOT_ENABLED = 4264
    MORPHO_LLTV_NOT_ENABLED = 4265
    MORPHO_MARKET_ALREADY_CREATED = 4266
    MORPHO_MARKET_NOT_CREATED = 4267
    MORPHO_INCONSISTENT_INPUT = 4268
    MORPHO_ZERO_ASSETS = 4269
    MORPHO_ZERO_ADDRESS = 4270
    MORPHO_UNAUTHORIZED = 4271
    MORPHO_INSUFFICIENT_COLLATERAL = 4272
    MORPHO_INSUFFICIENT_LIQUIDITY = 4273
    MORPHO_HEALTHY_POSITION = 4274
    MORPHO_MAX_UINT128_EXCEEDED = 4275
    MORPHO_IRM_NOT_MORPHO = 4276
    METAMORPHO_ZERO_ADDRESS = 4281
    METAMORPHO_NOT_CURATOR_ROLE = 4282
    METAMORPHO_NOT_ALLOCATOR_ROLE = 4283
    METAMORPHO_UNAUTHORIZED_MARKET = 4284
    METAMORPHO_INCONSISTENT_ASSET = 4285
    METAMORPHO_SUPPLY_CAP_EXCEEDED = 4286
    METAMORPHO_MAX_FEE_EXCEEDED = 4287
    METAMORPHO_ALREADY_SET = 4288
    METAMORPHO_ALREADY_PENDING = 4289
    METAMORPHO_NO_PENDING_VALUE = 4290
    METAMORPHO_TIMELOCK_NOT_ELAPSED = 4291
    METAMORPHO_NOT_ENOUGH_LIQUIDITY = 4292
    METAMORPHO_MARKET_NOT_CREATED = 4293
    METAMORPHO_MARKET_NOT_ENABLED = 4294
    METAMORPHO_MAX_QUEUE_LENGTH_EXCEEDED = 4295
    METAMORPHO_ZERO_FEE_RECIPIENT = 4296
    METAMORPHO_INCONSISTENT_REALLOCATION = 4297
    METAMORPHO_ALL_CAPS_REACHED = 4298
    METAMORPHO_ABOVE_MAX_TIMELOCK = 4299
    # 4300-4319: D3M (makerdao/dss-direct-deposit D3MHub, plans, Aave-type pool)
    D3M_NOT_AUTHORIZED = 4300
    D3M_FILE_UNRECOGNIZED_PARAM = 4301
    D3M_RATE_NOT_ONE = 4302
    D3M_SPOT_NOT_ONE = 4303
    D3M_MORE_THAN_ONE_URN = 4304
    D3M_POOL_NOT_LIVE = 4305
    D3M_POOL_ALREADY_CAGED = 4306
    D3M_POOL_LIVE = 4307
    D3M_UNAUTHORIZED_CULL = 4308
    D3M_ALREADY_CULLED = 4309
    D3M_SHUTDOWN = 4310
    D3M_OVERFLOW = 4311
    D3M_ONLY_HUB = 4312
    D3M_INVALID_VALUE = 4313
    D3M_INCORRECT_BALANCE = 4314
    D3M_INVALID_RESERVE = 4315

    # 4320-4339: the SLL allocation planner and relayer (off-chain logic)
    PLANNER_INVALID_POLICY = 4320
    PLANNER_INVALID_VIEW = 4321
    RELAYER_UNKNOWN_ACTION = 4322
    RELAYER_UNKNOWN_CHAIN = 4323
    RELAYER_UNREADABLE_VENUE = 4324

    # 5000-5099: Spark Prime policy as data (Atlas A.6.1.1.1.3.7 and .8)
    PRIME_POLICY_INVALID = 5000
    PRIME_UNKNOWN_VENUE = 5001
    PRIME_UNKNOWN_POOL = 5002
    PRIME_NO_POLICY_IN_FORCE = 5003
    PRIME_NO_RATE_FLOOR_IN_FORCE = 5004
    OCL_UNKNOWN_ASSET = 5010
    OCL_TERM_TOO_LONG = 5011

    # 5100-5199: Spark Prime book records, exposures, margin, scenarios, what-if
    PRIME_INVALID_RECORD = 5100
    PRIME_INVALID_POSITION = 5101
    PRIME_POSITION_EXPIRED = 5102
    PRIME_UNKNOWN_ASSET = 5103
    PRIME_INVALID_SCENARIO = 5104
    PRIME_INVALID_MARGIN_INPUT = 5105
    PRIME_INVALID_WHAT_IF = 5106

    # 5200-5299: Spark Prime book-wide limits (checked before a draw, withdrawal or position change)
    PRIME_LIMIT_ASSET_EXPOSURE = 5200
    PRIME_LIMIT_VENUE_EXPOSURE = 5201
    PRIME_LIMIT_SUPPLY_SHARE = 5202
    PRIME_LIMIT_PT_LIQUIDITY = 5203
    PRIME_LIMIT_TOTAL_FUNDING = 5204
    PRIME_LIMIT_MISSING_DATA = 5205
    PRIME_LIMIT_INVALID_CHANGE = 5206

    # 5300-5399: Spark Prime loans (terms, floors, borrower gates) and recalls
    PRIME_LOAN_KYC_NOT_APPROVED = 5300
    PRIME_LOAN_BORROWER_SANCTIONED = 5301
    PRIME_LOAN_SOLVENCY_NOT_ATTESTED = 5302
    PRIME_LOAN_BORROWER_INSOLVENT = 5303
    PRIME_LOAN_RATE_BELOW_FLOOR = 5304
    PRIME_LOAN_INVALID_TERM = 5305
    PRIME_LOAN_NOT_AT_TERM_END = 5306
    PRIME_LOAN_INVALID_AMOUNT = 5307
    PRIME_LOAN_REPAY_EXCEEDS_DEBT = 5308
    PRIME_LOAN_TERM_ENDED = 5309
    PRIME_LOAN_DRAWS_BLOCKED = 5310
    PRIME_RECALL_INVALID_INPUT = 5350
    PRIME_EMERGENCY_INVALID_ACTION = 5351

    # 5400-5449: Spark Prime critical actions (>= 3 signers from >= 2 entities) and the whitelist
    PRIME_CRITICAL_UNKNOWN_SIGNER = 5400
    PRIME_CRITICAL_DUPLICATE_APPROVAL = 5401
    PRIME_CRITICAL_QUORUM_NOT_MET = 5402
    PRIME_CRITICAL_SINGLE_ENTITY = 5403
    PRIME_CRITICAL_INVALID_QUORUM = 5404
    PRIME_CRITICAL_QUORUM_UNREACHABLE = 5405
    PRIME_CRITICAL_SIGNER_EXISTS = 5406
    PRIME_CRITICAL_NOT_WHITELISTED = 5407
    PRIME_CRITICAL_ORIGINATION_INCOMPLETE = 5408
    PRIME_CRITICAL_ALREADY_WHITELISTED = 5409
    PRIME_CRITICAL_PROPOSAL_EXECUTED = 5410
    PRIME_CRITICAL_INVALID_ACTION = 5411

    # 5450-5499: Spark Prime liquidation plans and their execution
    PRIME_LIQUIDATION_INVALID_INPUT = 5450
    PRIME_LIQUIDATION_NO_DEPTH = 5451
    PRIME_LIQUIDATION_BAD_FILL = 5452
    PRIME_LIQUIDATION_POSITION_MISSING = 5453

    # 5500-5599: the journaled Spark Prime engine (PrimeBook) and its commands
    PRIME_ENGINE_UNKNOWN_ID = 5500
    PRIME_ENGINE_DUPLICATE_ID = 5501
    PRIME_ENGINE_INVALID_COMMAND = 5502
    PRIME_ENGINE_INVALID_PRICE = 5503
    PRIME_ENGINE_RF_TOO_LOW = 5504
    PRIME_ENGINE_REDUCE_ONLY = 5505
    PRIME_ENGINE_MISSING_DATA = 5506
    PRIME_ENGINE_NOT_A_MARGIN_ACCOUNT = 5507
    PRIME_ENGINE_NOT_WITHDRAWABLE = 5508
    PRIME_ENGINE_WITHDRAW_EXCEEDS_HELD = 5509
    PRIME_ENGINE_WITHDRAW_HAIRCUT = 5510

    # 5600-5649: the fast tier (risk/): NumPy margin kernels over the whole book
    RISK_INVALID_INPUT = 5600
    RISK_WHAT_IF_UNSUPPORTED = 5601

    # 6000-6049: price scenarios, synthetic paths and price files (presets/price_scenarios, sim/)
    PRICE_SCENARIO_INVALID = 6000
    PRICE_SCENARIO_UNKNOWN = 6001
    PRICE_PATH_INVALID = 6010
    PRICE_FILE_INVALID = 6020

    # 6050-6099: book files (presets/book_file.py): "file:line: field: reason"
    BOOK_FILE_MALFORMED = 6050
    BOOK_FILE_INVALID_TYPE = 6051
    BOOK_FILE_UNKNOWN_FIELD = 6052
    BOOK_FILE_MISSING_FIELD = 6053
    BOOK_FILE_UNKNOWN_VENUE = 6054
    BOOK_FILE_UNKNOWN_REFERENCE = 6055
    BOOK_FILE_NEGATIVE_VALUE = 6056
    BOOK_FILE_DUPLICATE_ID = 6057
    BOOK_FILE_INVALID_VALUE = 6058
    BOOK_FILE_UNREADABLE = 6059

    # 6100-6149: the replay result (sim/result.py) and its reports (report/)
    RESULT_INVALID = 6100
    RESULT_SCHEMA_VERSION = 6101
    REPORT_WRITE_FAILED = 6102

    # 6150-6199: the replay (sim/replay*.py)
    REPLAY_BAD_SCENARIO = 6150
    REPLAY_SETUP_REFUSED = 6151
    REPLAY_INVALID_OPTION = 6152
    REPLAY_SLL_DRAW_SHORT = 6160

    # 6200-6249: the command line (cli/) and its facade (sim/facade*.py)
    CLI_BAD_OPTION = 6200
    CLI_UNKNOWN_ACCOUNT = 6201
    CLI_FILE_NOT_FOUND = 6202
    JOURNAL_UNKNOWN_MACHINE = 6203


_BOOK_FILE_MESSAGE = "{file}:{line}: {field}: {reason}"  # one line, like a compiler

_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.INVALID_TYPE: "{field}: expected {expected}, got {got}",
    ErrorCode.VALUE_OUT_OF_RANGE: "{field}: {value} is outside [{min}, {max}]",
    ErrorCode.UNKNOWN_FIELD: "{kind}: unknown field(s) {fields}",
    ErrorCode.MISSING_FIELD: "{kind}: missing field(s) {fields}",
    ErrorCode.UNKNOWN_COMMAND_KIND: "unknown command kind {kind!r}",
    ErrorCode.MALFORMED_PAYLOAD: "malformed payload: {reason}",
    ErrorCode.LIMIT_EXCEEDED: "{what}: {value} exceeds the limit {limit}",
    ErrorCode.INSUFFICIENT_BALANCE: "{account}: balance {balance} is less than {amount}",
    ErrorCode.INSUFFICIENT_ALLOWANCE: "{spender}: allowance {allowance} is less than {amount}",
    ErrorCode.MISSING_ROLE: "{account} is missing role {role}",
    ErrorCode.PRICE_UNAVAILABLE: "no usable price for {asset}: {reason}",
    ErrorCode.MATH_OVERFLOW: "{op}: arithmetic overflow or underflow (EVM Panic 0x11)",
    ErrorCode.DIVISION_BY_ZERO: "{op}: division by zero",
    ErrorCode.CLOCK_WENT_BACKWARDS: "time cannot go backwards: now {now_s}, asked {ts_s}",
    ErrorCode.INVALID_ID: "{field}: invalid id {value!r} ({reason})",
    ErrorCode.IDEMPOTENCY_KEY_REUSED: (
        "idempotency key {key!r} was already used at seq {seq} with a different command"
    ),
    ErrorCode.JOURNAL_CORRUPT: "journal is corrupt after seq {last_good_seq}: {reason}",
    ErrorCode.JOURNAL_SCHEMA_TOO_NEW: (
        "journal schema version {found} is newer than this build supports ({supported})"
    ),
    ErrorCode.JOURNAL_SCHEMA_TOO_OLD: (
        "journal schema version {found} is older than this build supports ({supported})"
    ),
    ErrorCode.JOURNAL_CLOSED: "journal is closed",
    ErrorCode.JOURNAL_STATE_MACHINE_MISMATCH: (
        "journal belongs to state machine {found!r}, not {expected!r}"
    ),
    ErrorCode.JOURNAL_TIMESTAMP_BEFORE_HEAD: (
        "command timestamp {ts_s} is before the journal head's {head_ts_s}"
    ),
    ErrorCode.SNAPSHOT_CORRUPT: "snapshot at seq {seq} is corrupt: {reason}",
    ErrorCode.JOURNAL_WRITE_FAILED: "journal write failed, nothing was acknowledged: {reason}",
    ErrorCode.JOURNAL_EXISTS: "the store already holds a journal of {state_machine!r}; open it",
    ErrorCode.JOURNAL_UNAVAILABLE: "the journal database is unavailable: {reason}",
    ErrorCode.CALLER_NOT_POOL_ADMIN: "the caller is not a pool admin",
    ErrorCode.CALLER_NOT_EMERGENCY_ADMIN: "the caller is not an emergency admin",
    ErrorCode.CALLER_NOT_POOL_OR_EMERGENCY_ADMIN: (
        "the caller is neither a pool admin nor an emergency admin"
    ),
    ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN: "the caller is neither a risk admin nor a pool admin",
    ErrorCode.CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN: (
        "the caller is neither an asset listing admin nor a pool admin"
    ),
    ErrorCode.CALLER_NOT_BRIDGE: "the caller is not a bridge",
    ErrorCode.ADDRESSES_PROVIDER_NOT_REGISTERED: "the pool addresses provider is not registered",
    ErrorCode.INVALID_ADDRESSES_PROVIDER_ID: "invalid pool addresses provider id",
    ErrorCode.NOT_CONTRACT: "the address is not a contract",
    ErrorCode.CALLER_NOT_POOL_CONFIGURATOR: "the caller is not the pool configurator",
    ErrorCode.CALLER_NOT_ATOKEN: "the caller is not an aToken",
    ErrorCode.INVALID_ADDRESSES_PROVIDER: "the pool addresses provider is invalid",
    ErrorCode.INVALID_FLASHLOAN_EXECUTOR_RETURN: "the flash loan receiver did not return success",
    ErrorCode.RESERVE_ALREADY_ADDED: "the reserve is already in the reserve list",
    ErrorCode.NO_MORE_RESERVES_ALLOWED: "the pool already holds the maximum number of reserves",
    ErrorCode.EMODE_CATEGORY_RESERVED: "eMode category 0 is reserved",
    ErrorCode.INVALID_EMODE_CATEGORY_ASSIGNMENT: (
        "the asset cannot be assigned to this eMode category"
    ),
    ErrorCode.RESERVE_LIQUIDITY_NOT_ZERO: "the reserve liquidity must be zero",
    ErrorCode.FLASHLOAN_PREMIUM_INVALID: "invalid flash loan premium",
    ErrorCode.INVALID_RESERVE_PARAMS: "invalid risk parameters for the reserve",
    ErrorCode.INVALID_EMODE_CATEGORY_PARAMS: "invalid risk parameters for the eMode category",
    ErrorCode.BRIDGE_PROTOCOL_FEE_INVALID: "invalid bridge protocol fee",
    ErrorCode.CALLER_MUST_BE_POOL: "the caller must be the pool",
    ErrorCode.INVALID_MINT_AMOUNT: "invalid amount to mint",
    ErrorCode.INVALID_BURN_AMOUNT: "invalid amount to burn",
    ErrorCode.INVALID_AMOUNT: "the amount must be greater than zero",
    ErrorCode.RESERVE_INACTIVE: "the action requires an active reserve",
    ErrorCode.RESERVE_FROZEN: "the action is not allowed while the reserve is frozen",
    ErrorCode.RESERVE_PAUSED: "the action is not allowed while the reserve is paused",
    ErrorCode.BORROWING_NOT_ENABLED: "borrowing is not enabled on the reserve",
    ErrorCode.STABLE_BORROWING_NOT_ENABLED: "stable rate borrowing is not enabled on the reserve",
    ErrorCode.NOT_ENOUGH_AVAILABLE_USER_BALANCE: (
        "the user cannot withdraw more than the available balance"
    ),
    ErrorCode.INVALID_INTEREST_RATE_MODE_SELECTED: "invalid interest rate mode",
    ErrorCode.COLLATERAL_BALANCE_IS_ZERO: "the collateral balance is zero",
    ErrorCode.HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD: (
        "the health factor is below the liquidation threshold"
    ),
    ErrorCode.COLLATERAL_CANNOT_COVER_NEW_BORROW: (
        "there is not enough collateral to cover the new borrow"
    ),
    ErrorCode.COLLATERAL_SAME_AS_BORROWING_CURRENCY: (
        "the collateral is (mostly) the currency being borrowed"
    ),
    ErrorCode.AMOUNT_BIGGER_THAN_MAX_LOAN_SIZE_STABLE: (
        "the amount exceeds the maximum stable rate loan size"
    ),
    ErrorCode.NO_DEBT_OF_SELECTED_TYPE: "the user has no debt of the selected type",
    ErrorCode.NO_EXPLICIT_AMOUNT_TO_REPAY_ON_BEHALF: (
        "repaying on behalf of another user needs an explicit amount"
    ),
    ErrorCode.NO_OUTSTANDING_STABLE_DEBT: "the user has no stable rate debt on the reserve",
    ErrorCode.NO_OUTSTANDING_VARIABLE_DEBT: "the user has no variable rate debt on the reserve",
    ErrorCode.UNDERLYING_BALANCE_ZERO: "the underlying balance must be greater than zero",
    ErrorCode.INTEREST_RATE_REBALANCE_CONDITIONS_NOT_MET: (
        "the interest rate rebalance conditions are not met"
    ),
    ErrorCode.HEALTH_FACTOR_NOT_BELOW_THRESHOLD: (
        "the health factor is not below the liquidation threshold"
    ),
    ErrorCode.COLLATERAL_CANNOT_BE_LIQUIDATED: "the chosen collateral cannot be liquidated",
    ErrorCode.SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER: (
        "the user has not borrowed the specified currency"
    ),
    ErrorCode.INCONSISTENT_FLASHLOAN_PARAMS: "inconsistent flash loan parameters",
    ErrorCode.BORROW_CAP_EXCEEDED: "the borrow cap is exceeded",
    ErrorCode.SUPPLY_CAP_EXCEEDED: "the supply cap is exceeded",
    ErrorCode.UNBACKED_MINT_CAP_EXCEEDED: "the unbacked mint cap is exceeded",
    ErrorCode.DEBT_CEILING_EXCEEDED: "the isolation mode debt ceiling is exceeded",
    ErrorCode.UNDERLYING_CLAIMABLE_RIGHTS_NOT_ZERO: (
        "claims on the underlying (aToken supply or accrued to treasury) are not zero"
    ),
    ErrorCode.STABLE_DEBT_NOT_ZERO: "the stable debt supply is not zero",
    ErrorCode.VARIABLE_DEBT_SUPPLY_NOT_ZERO: "the variable debt supply is not zero",
    ErrorCode.LTV_VALIDATION_FAILED: "the LTV validation failed",
    ErrorCode.INCONSISTENT_EMODE_CATEGORY: "inconsistent eMode category",
    ErrorCode.PRICE_ORACLE_SENTINEL_CHECK_FAILED: "the price oracle sentinel check failed",
    ErrorCode.ASSET_NOT_BORROWABLE_IN_ISOLATION: "the asset is not borrowable in isolation mode",
    ErrorCode.RESERVE_ALREADY_INITIALIZED: "the reserve is already initialized",
    ErrorCode.USER_IN_ISOLATION_MODE_OR_LTV_ZERO: (
        "the user is in isolation mode or the LTV is zero"
    ),
    ErrorCode.INVALID_LTV: "invalid LTV for the reserve",
    ErrorCode.INVALID_LIQ_THRESHOLD: "invalid liquidation threshold for the reserve",
    ErrorCode.INVALID_LIQ_BONUS: "invalid liquidation bonus for the reserve",
    ErrorCode.INVALID_DECIMALS: "invalid decimals for the reserve's underlying asset",
    ErrorCode.INVALID_RESERVE_FACTOR: "invalid reserve factor for the reserve",
    ErrorCode.INVALID_BORROW_CAP: "invalid borrow cap for the reserve",
    ErrorCode.INVALID_SUPPLY_CAP: "invalid supply cap for the reserve",
    ErrorCode.INVALID_LIQUIDATION_PROTOCOL_FEE: "invalid liquidation protocol fee for the reserve",
    ErrorCode.INVALID_EMODE_CATEGORY: "invalid eMode category for the reserve",
    ErrorCode.INVALID_UNBACKED_MINT_CAP: "invalid unbacked mint cap for the reserve",
    ErrorCode.INVALID_DEBT_CEILING: "invalid debt ceiling for the reserve",
    ErrorCode.INVALID_RESERVE_INDEX: "invalid reserve index",
    ErrorCode.ACL_ADMIN_CANNOT_BE_ZERO: "the ACL admin cannot be the zero address",
    ErrorCode.INCONSISTENT_PARAMS_LENGTH: "array parameters that must have equal length do not",
    ErrorCode.ZERO_ADDRESS_NOT_VALID: "the zero address is not valid here",
    ErrorCode.INVALID_EXPIRATION: "invalid expiration",
    ErrorCode.INVALID_SIGNATURE: "invalid signature",
    ErrorCode.OPERATION_NOT_SUPPORTED: "the operation is not supported",
    ErrorCode.DEBT_CEILING_NOT_ZERO: "the debt ceiling is not zero",
    ErrorCode.ASSET_NOT_LISTED: "the asset is not listed",
    ErrorCode.INVALID_OPTIMAL_USAGE_RATIO: "invalid optimal usage ratio",
    ErrorCode.INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO: (
        "invalid optimal stable to total debt ratio"
    ),
    ErrorCode.UNDERLYING_CANNOT_BE_RESCUED: "the underlying asset cannot be rescued",
    ErrorCode.ADDRESSES_PROVIDER_ALREADY_ADDED: "the pool addresses provider is already registered",
    ErrorCode.POOL_ADDRESSES_DO_NOT_MATCH: (
        "the token implementation's pool does not match the initializing pool"
    ),
    ErrorCode.STABLE_BORROWING_ENABLED: "stable rate borrowing is enabled",
    ErrorCode.SILOED_BORROWING_VIOLATION: (
        "a siloed asset cannot be borrowed together with other assets"
    ),
    ErrorCode.RESERVE_DEBT_NOT_ZERO: "the total debt of the reserve must be zero",
    ErrorCode.FLASHLOAN_DISABLED: "flash loans are disabled for this asset",
    ErrorCode.INACTIVE_ROUNDING: "the scaled token rounding direction was not set",
    ErrorCode.FLASHLOAN_INTO_BORROW_DEPRECATED: (
        "flash loans that open a borrow position are deprecated"
    ),
    ErrorCode.RATE_TARGET_INVALID_RATE_SOURCE_DECIMALS: (
        "the rate source reports more than 27 decimals"
    ),
    ErrorCode.CAPPED_FALLBACK_INVALID_BOUNDS: (
        "the capped fallback rate source's lower bound is above its upper bound"
    ),
    ErrorCode.CAPPED_FALLBACK_INVALID_DEFAULT_RATE: (
        "the capped fallback rate source's default rate is outside its bounds"
    ),
    ErrorCode.DAI_IRM_SUPPLY_SPREAD_GREATER_THAN_BORROW_SPREAD: (
        "the DAI interest rate strategy's supply spread is greater than its borrow spread"
    ),
    ErrorCode.DAI_IRM_BORROW_SPREAD_TOO_LARGE: (
        "the DAI interest rate strategy's borrow spread is greater than its max rate"
    ),
    ErrorCode.KILL_SWITCH_INVALID_THRESHOLD: (
        "the kill switch threshold must be non-zero and differ from the current one"
    ),
    ErrorCode.KILL_SWITCH_ORACLE_DOES_NOT_EXIST: (
        "the oracle is not registered with the kill switch"
    ),
    ErrorCode.KILL_SWITCH_NOT_TRIGGERED: "the kill switch has not been triggered",
    ErrorCode.KILL_SWITCH_INVALID_PRICE: "the oracle's price is not positive",
    ErrorCode.KILL_SWITCH_PRICE_ABOVE_THRESHOLD: (
        "the oracle's price is above the kill switch threshold"
    ),
    ErrorCode.FREEZER_ONLY_OWNER: "the caller is not the freezer mom's owner",
    ErrorCode.FREEZER_NOT_AUTHORIZED: "the caller is not authorized to call the freezer mom",
    ErrorCode.CAP_AUTOMATOR_ZERO_CAP: "the cap automator's max cap must be greater than zero",
    ErrorCode.CAP_AUTOMATOR_INVALID_CAP: (
        "the cap automator's max cap is above the largest valid cap"
    ),
    ErrorCode.CAP_AUTOMATOR_ZERO_GAP: "the cap automator's gap must be greater than zero",
    ErrorCode.CAP_AUTOMATOR_INVALID_GAP: "the cap automator's gap is greater than its max cap",
    ErrorCode.CAP_AUTOMATOR_UINT48_CAST: "the cap automator's value does not fit in a uint48",
    ErrorCode.CAP_AUTOMATOR_NONEXISTENT_CONFIG: (
        "the asset has no cap automator config on this side"
    ),
    ErrorCode.CAP_AUTOMATOR_INVALID_ADMIN_ADDRESS: (
        "the cap automator's admin cannot be the zero address"
    ),
    ErrorCode.CAP_AUTOMATOR_INVALID_UPDATER_ADDRESS: (
        "the cap automator's updater cannot be the zero address"
    ),
    ErrorCode.POT_NOT_AUTHORIZED: "the caller is not a ward of the Pot",
    ErrorCode.POT_NOT_LIVE: "the Pot is caged",
    ErrorCode.POT_RHO_NOT_UPDATED: "the Pot's chi is not up to date: drip first",
    ErrorCode.POT_INVALID_NOW: "the Pot's rho is in the future",
    ErrorCode.POT_FILE_UNRECOGNIZED_PARAM: "the Pot has no parameter {what!r}",
    ErrorCode.SAVINGS_NOT_AUTHORIZED: "the caller is not a ward of the savings vault",
    ErrorCode.SAVINGS_INVALID_ADDRESS: "the savings vault rejects the zero address and itself",
    ErrorCode.SAVINGS_INSUFFICIENT_BALANCE: "the share balance is too small",
    ErrorCode.SAVINGS_INSUFFICIENT_ALLOWANCE: "the share allowance is too small",
    ErrorCode.SAVINGS_WRONG_SSR_VALUE: "the savings rate {value} is out of bounds",
    ErrorCode.SAVINGS_CHI_NOT_UP_TO_DATE: "the vault's chi is not up to date: drip first",
    ErrorCode.SAVINGS_FILE_UNRECOGNIZED_PARAM: "the savings vault has no parameter {what!r}",
    ErrorCode.SPBEAM_NOT_AUTHORIZED: "the caller is not a ward of SP-BEAM",
    ErrorCode.SPBEAM_NOT_FACILITATOR: "the caller is not an SP-BEAM facilitator (bud)",
    ErrorCode.SPBEAM_MODULE_HALTED: "SP-BEAM is halted (bad = 1)",
    ErrorCode.SPBEAM_INVALID_PARAM: "SP-BEAM rejects the parameter: {reason}",
    ErrorCode.SPBEAM_INVALID_BATCH: "SP-BEAM rejects the batch: {reason}",
    ErrorCode.SPBEAM_TOO_EARLY: "SP-BEAM cooldown: next change at {next_ts_s}, now {now}",
    ErrorCode.SPBEAM_BELOW_MIN: "{id}: {bps} bps is below the minimum {min} bps",
    ErrorCode.SPBEAM_ABOVE_MAX: "{id}: {bps} bps is above the maximum {max} bps",
    ErrorCode.SPBEAM_DELTA_ABOVE_STEP: "{id}: a change of {delta} bps exceeds the step {step} bps",
    ErrorCode.RATE_CONV_INVALID: "rate conversion failed: {reason}",
    ErrorCode.SSR_ORACLE_INVALID_TIMESTAMP: "timestamp {timestamp} is before rho {rho}",
    ErrorCode.SSR_ORACLE_INVALID_RHO: "the SSR oracle rejects rho {rho}",
    ErrorCode.SSR_ORACLE_INVALID_SSR: "the SSR oracle rejects ssr {ssr}",
    ErrorCode.SSR_ORACLE_INVALID_CHI: "the SSR oracle rejects chi {chi}",
    ErrorCode.SSR_ORACLE_INVALID_MAX_SSR: "maxSSR {max_ssr} is neither 0 nor at least RAY",
    ErrorCode.SPARK_VAULT_VSR_TOO_LOW: "the vault savings rate {value} is below the minimum {min}",
    ErrorCode.SPARK_VAULT_VSR_TOO_HIGH: "the vault savings rate {value} is above the maximum {max}",
    ErrorCode.SPARK_VAULT_MIN_VSR_GT_MAX_VSR: (
        "the minimum vault savings rate {min} is above the maximum {max}"
    ),
    ErrorCode.SPARK_VAULT_INSUFFICIENT_LIQUIDITY: (
        "the vault holds {liquidity} of the asset, {amount} are needed"
    ),
    ErrorCode.SPARK_VAULT_DEPOSIT_CAP_EXCEEDED: (
        "the deposit takes total assets to {total}, above the cap {cap}"
    ),
    ErrorCode.SPARK_VAULT_TAKER_CANNOT_DEPOSIT: (
        "a taker cannot deposit into the vault or receive its shares"
    ),
    ErrorCode.SPPRIME_PAUSED: "spPRIME is paused",
    ErrorCode.SPPRIME_NOT_PAUSED: "spPRIME must be paused to set chi",
    ErrorCode.SPPRIME_INVALID_CHI: (
        "chi {chi} must be above zero and below the current chi {current}"
    ),
    ErrorCode.SPPRIME_CAPACITY_TOO_HIGH: "the capacity {capacity} does not fit in a uint128",
    ErrorCode.SPPRIME_FEE_TOO_HIGH: "the redeem fee {fee} is above its maximum {max}",
    ErrorCode.SPPRIME_VSR_TOO_LOW: "the vault savings rate {value} is below the minimum {min}",
    ErrorCode.SPPRIME_VSR_TOO_HIGH: "the vault savings rate {value} is above the maximum {max}",
    ErrorCode.SPPRIME_MIN_VSR_GT_MAX_VSR: (
        "the minimum vault savings rate {min} is above the maximum {max}"
    ),
    ErrorCode.SPPRIME_INSUFFICIENT_LIQUIDITY: (
        "spPRIME holds {liquidity} idle assets, {amount} are needed"
    ),
    ErrorCode.SPPRIME_INVALID_RECIPIENT: "the recipient cannot be the zero address",
    ErrorCode.SPPRIME_BELOW_MINIMUM: "the request is below the minimum {minimum}",
    ErrorCode.SPPRIME_NO_REQUEST: "request {request_id} is empty (filled or cancelled)",
    ErrorCode.SPPRIME_NOT_AUTHORIZED: "only the request's owner or a guardian may cancel it",
    ErrorCode.SPPRIME_INVALID_ADDRESS: "spPRIME shares cannot go to the zero address",
    ErrorCode.SPPRIME_INSUFFICIENT_BALANCE: "the spPRIME balance is too small",
    ErrorCode.SPPRIME_INSUFFICIENT_ALLOWANCE: "the spPRIME allowance is too small",
    ErrorCode.SPPRIME_QUEUED_SHARES_LOCKED: (
        "the withdrawal would spend spUSDC that backs queued deposits"
    ),
    ErrorCode.SPPRIME_ASSET_MISMATCH: "the savings vault's asset is not spPRIME's asset",
    ErrorCode.RATE_LIMITS_ZERO_ADMIN: "the rate limits admin cannot be the zero address",
    ErrorCode.RATE_LIMITS_INVALID_LAST_AMOUNT: (
        "lastAmount {last_amount} is above maxAmount {max_amount}"
    ),
    ErrorCode.RATE_LIMITS_INVALID_LAST_UPDATED: (
        "lastUpdated {last_updated} is after the current time {now}"
    ),
    ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT: "rate limit {key} has a zero maxAmount",
    ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED: (
        "rate limit {key}: {amount} exceeds the current limit {current}"
    ),
    ErrorCode.MC_POOL_ZERO_ADDRESS: "the pool cannot be the zero address",
    ErrorCode.MC_TOKEN_ZERO_ADDRESS: "the token cannot be the zero address",
    ErrorCode.MC_MIN_SHARES_OUT_NOT_MET: "{shares} shares is below minSharesOut {min_shares_out}",
    ErrorCode.MC_MAX_SHARES_IN_NOT_MET: "{shares} shares burned is above {max_shares_in}",
    ErrorCode.MC_MIN_ASSETS_OUT_NOT_MET: (
        "{assets} assets out is below minAssetsOut {min_assets_out}"
    ),
    ErrorCode.MC_EXCHANGE_RATE_TOO_HIGH: (
        "exchange rate {exchange_rate} is above the maximum {max_exchange_rate} for {token}"
    ),
    ErrorCode.MC_ZERO_SHARES: "{assets} assets for zero shares",
    ErrorCode.MC_MAX_SLIPPAGE_NOT_SET: "no maxSlippage is set for {pool}",
    ErrorCode.MC_SLIPPAGE_TOO_HIGH: "{received} received is below the minimum {minimum}",
    ErrorCode.MC_DOMAIN_NOT_CONFIGURED: "no mint recipient is set for CCTP domain {domain}",
    ErrorCode.FC_POOL_ZERO_ADDRESS: "the pool cannot be the zero address",
    ErrorCode.FC_INIT_CHECK_FAILED: "a ForeignControllerInit check failed: {reason}",
    ErrorCode.ALLOCATOR_NOT_AUTHORIZED: (
        "the caller is not a ward (or an allowed role) of the allocator contract"
    ),
    ErrorCode.ALLOCATOR_FILE_UNRECOGNIZED_PARAM: "the allocator vault has no parameter {what!r}",
    ErrorCode.ALLOCATOR_OVERFLOW: (
        "the allocator vault's normalized debt {dart} does not fit an int256"
    ),
    ErrorCode.ALLOCATOR_JUG_NOT_SET: 'the allocator vault has no jug: file("jug", ...) first',
    ErrorCode.VAT_CEILING_EXCEEDED: "ilk {ilk}: the debt ceiling is exceeded",
    ErrorCode.VAT_NOT_SAFE: "ilk {ilk}: the urn would be unsafe",
    ErrorCode.VAT_ILK_NOT_INIT: "ilk {ilk} is not initialised",
    ErrorCode.VAT_ILK_ALREADY_INIT: "ilk {ilk} is already initialised",
    ErrorCode.LITE_PSM_RATE_NOT_RAY: "the lite PSM's ilk rate {rate} is not RAY",
    ErrorCode.LITE_PSM_NOT_AUTHORIZED: "the caller is not a ward of the lite PSM",
    ErrorCode.LITE_PSM_NOT_WHITELISTED: "the caller is not whitelisted (bud) for no-fee swaps",
    ErrorCode.LITE_PSM_FEE_OUT_OF_RANGE: "{what} {value} is neither HALTED nor at most 1 WAD",
    ErrorCode.LITE_PSM_FILE_UNRECOGNIZED_PARAM: "the lite PSM has no parameter {what!r}",
    ErrorCode.LITE_PSM_SELL_GEM_HALTED: "selling gem is halted (tin == HALTED)",
    ErrorCode.LITE_PSM_BUY_GEM_HALTED: "buying gem is halted (tout == HALTED)",
    ErrorCode.LITE_PSM_NOTHING_TO_FILL: "the lite PSM has nothing to fill",
    ErrorCode.LITE_PSM_NOTHING_TO_TRIM: "the lite PSM has nothing to trim",
    ErrorCode.LITE_PSM_NOTHING_TO_CHUG: "the lite PSM has no fees to chug",
    ErrorCode.LITE_PSM_CHUG_MISSING_VOW: "the lite PSM has no vow to chug fees to",
    ErrorCode.PSM3_INVALID_AMOUNT: "the PSM3 amount must be non-zero",
    ErrorCode.PSM3_INVALID_RECEIVER: "the PSM3 receiver cannot be the zero address",
    ErrorCode.PSM3_INVALID_ASSET: "{asset} is not one of the PSM3's assets",
    ErrorCode.PSM3_INVALID_AMOUNT_IN: "the PSM3 swap amountIn must be non-zero",
    ErrorCode.PSM3_INVALID_AMOUNT_OUT: "the PSM3 swap amountOut must be non-zero",
    ErrorCode.PSM3_AMOUNT_OUT_TOO_LOW: (
        "amountOut {amount_out} is below minAmountOut {min_amount_out}"
    ),
    ErrorCode.PSM3_AMOUNT_IN_TOO_HIGH: "amountIn {amount_in} is above maxAmountIn {max_amount_in}",
    ErrorCode.PSM3_INVALID_POCKET: "the PSM3 pocket cannot be the zero address",
    ErrorCode.PSM3_SAME_POCKET: "the new PSM3 pocket is the current one",
    ErrorCode.PSM3_NOT_OWNER: "{account} is not the PSM3 owner",
    ErrorCode.PSM3_RATE_PROVIDER_RETURNS_ZERO: "the PSM3 rate provider returns zero",
    ErrorCode.PSM3_INVALID_CONFIG: "invalid PSM3 construction: {reason}",
    ErrorCode.CCTP_AMOUNT_ZERO: "the CCTP burn amount must be non-zero",
    ErrorCode.CCTP_MINT_RECIPIENT_ZERO: "the CCTP mint recipient must be non-zero",
    ErrorCode.CCTP_NO_TOKEN_MESSENGER_FOR_DOMAIN: (
        "no remote TokenMessenger for CCTP domain {domain}"
    ),
    ErrorCode.CCTP_BURN_TOKEN_NOT_SUPPORTED: "{token} is not a supported CCTP burn token",
    ErrorCode.CCTP_BURN_AMOUNT_EXCEEDS_LIMIT: (
        "burn of {amount} exceeds the per-message limit {limit}"
    ),
    ErrorCode.BRIDGE_UNKNOWN_ROUTE: "no bridge route for {token} from {source} to {destination}",
    ErrorCode.BRIDGE_AMOUNT_ZERO: "the bridged amount must be non-zero",
    ErrorCode.BRIDGE_INVALID_RECIPIENT: "the bridge recipient cannot be the zero address",
    ErrorCode.DOMAIN_UNKNOWN_CHAIN: "no chain named {name!r} in the network",
    ErrorCode.DOMAIN_UNKNOWN_TOKEN: "chain {chain} has no token {symbol!r}",
    ErrorCode.DOMAIN_DUPLICATE: "{what} {name!r} is already registered",
    ErrorCode.MORPHO_NOT_OWNER: "the caller is not Morpho's owner",
    ErrorCode.MORPHO_MAX_LLTV_EXCEEDED: "the LLTV {lltv} is not below 1 (WAD)",
    ErrorCode.MORPHO_MAX_FEE_EXCEEDED: "the fee {fee} exceeds the maximum {max_fee}",
    ErrorCode.MORPHO_ALREADY_SET: "{what} is already set to that value",
    ErrorCode.MORPHO_IRM_NOT_ENABLED: "the IRM {irm} is not enabled",
    ErrorCode.MORPHO_LLTV_NOT_ENABLED: "the LLTV {lltv} is not enabled",
    ErrorCode.MORPHO_MARKET_ALREADY_CREATED: "market {id} is already created",
    ErrorCode.MORPHO_MARKET_NOT_CREATED: "market {id} is not created",
    ErrorCode.MORPHO_INCONSISTENT_INPUT: "exactly one of {a_name} and {b_name} must be zero",
    ErrorCode.MORPHO_ZERO_ASSETS: "the amount of assets is zero",
    ErrorCode.MORPHO_ZERO_ADDRESS: "{field} cannot be the zero address",
    ErrorCode.MORPHO_UNAUTHORIZED: "{sender} may not manage {on_behalf}'s position",
    ErrorCode.MORPHO_INSUFFICIENT_COLLATERAL: "{borrower}'s collateral does not cover the borrow",
    ErrorCode.MORPHO_INSUFFICIENT_LIQUIDITY: (
        "total borrow {total_borrow} would exceed total supply {total_supply}"
    ),
    ErrorCode.MORPHO_HEALTHY_POSITION: "{borrower}'s position is healthy and cannot be liquidated",
    ErrorCode.MORPHO_MAX_UINT128_EXCEEDED: "{value} does not fit in a uint128",
    ErrorCode.MORPHO_IRM_NOT_MORPHO: (
        "only Morpho may update the IRM's stored rate (caller {sender})"
    ),
    ErrorCode.METAMORPHO_ZERO_ADDRESS: "{field} cannot be the zero address",
    ErrorCode.METAMORPHO_NOT_CURATOR_ROLE: "{sender} has neither the curator nor the owner role",
    ErrorCode.METAMORPHO_NOT_ALLOCATOR_ROLE: "{sender} has no allocator, curator or owner role",
    ErrorCode.METAMORPHO_UNAUTHORIZED_MARKET: (
        "market {id} has a zero cap and cannot be in the supply queue"
    ),
    ErrorCode.METAMORPHO_INCONSISTENT_ASSET: "market {id}'s loan token is not the vault's asset",
    ErrorCode.METAMORPHO_SUPPLY_CAP_EXCEEDED: "the supply cap of market {id} would be exceeded",
    ErrorCode.METAMORPHO_MAX_FEE_EXCEEDED: "the fee {fee} exceeds the maximum {max_fee}",
    ErrorCode.METAMORPHO_ALREADY_SET: "{what} is already set to that value",
    ErrorCode.METAMORPHO_ALREADY_PENDING: "a value for {what} is already pending",
    ErrorCode.METAMORPHO_NO_PENDING_VALUE: "there is no pending value to accept",
    ErrorCode.METAMORPHO_TIMELOCK_NOT_ELAPSED: (
        "the timelock has not elapsed (valid at {valid_at}, now {now})"
    ),
    ErrorCode.METAMORPHO_NOT_ENOUGH_LIQUIDITY: (
        "{missing} assets could not be withdrawn from the markets"
    ),
    ErrorCode.METAMORPHO_MARKET_NOT_CREATED: "the market is not created on Morpho",
    ErrorCode.METAMORPHO_MARKET_NOT_ENABLED: "market {id} is not enabled in the vault",
    ErrorCode.METAMORPHO_MAX_QUEUE_LENGTH_EXCEEDED: (
        "a queue would be longer than {max_length} markets"
    ),
    ErrorCode.METAMORPHO_ZERO_FEE_RECIPIENT: "a non-zero fee needs a fee recipient",
    ErrorCode.METAMORPHO_INCONSISTENT_REALLOCATION: (
        "the reallocation withdrew {withdrawn} but supplied {supplied}"
    ),
    ErrorCode.METAMORPHO_ALL_CAPS_REACHED: "{remaining} assets exceed every market's cap",
    ErrorCode.METAMORPHO_ABOVE_MAX_TIMELOCK: (
        "the timelock {timelock} is above the maximum {max_timelock}"
    ),
    ErrorCode.D3M_NOT_AUTHORIZED: "{contract}: not authorized ({reason})",
    ErrorCode.D3M_FILE_UNRECOGNIZED_PARAM: "{contract}: unrecognized file parameter {what!r}",
    ErrorCode.D3M_RATE_NOT_ONE: "D3MHub: the ilk rate is {rate}, not RAY",
    ErrorCode.D3M_SPOT_NOT_ONE: "D3MHub: the ilk spot is {spot}, not RAY",
    ErrorCode.D3M_MORE_THAN_ONE_URN: "D3MHub: the pool urn holds {art} of the ilk's {Art} debt",
    ErrorCode.D3M_POOL_NOT_LIVE: "D3MHub: ilk {ilk!r} is caged",
    ErrorCode.D3M_POOL_ALREADY_CAGED: "D3MHub: ilk {ilk!r} is already caged",
    ErrorCode.D3M_POOL_LIVE: "D3MHub: ilk {ilk!r} is not caged",
    ErrorCode.D3M_UNAUTHORIZED_CULL: "D3MHub: ilk {ilk!r} cannot be culled before {tic}",
    ErrorCode.D3M_ALREADY_CULLED: "D3MHub: ilk {ilk!r} is already culled",
    ErrorCode.D3M_SHUTDOWN: "D3MHub: not allowed during shutdown ({reason})",
    ErrorCode.D3M_OVERFLOW: "D3MHub: overflow ({reason})",
    ErrorCode.D3M_ONLY_HUB: "{contract}: only the hub may call {fn}",
    ErrorCode.D3M_INVALID_VALUE: "{contract}: invalid value {value} for {what!r}",
    ErrorCode.D3M_INCORRECT_BALANCE: "{contract}: incorrect balance received ({reason})",
    ErrorCode.D3M_INVALID_RESERVE: "{contract}: no valid reserve for the asset ({reason})",
    ErrorCode.PLANNER_INVALID_POLICY: "planner policy: {field} {reason}",
    ErrorCode.PLANNER_INVALID_VIEW: "planner input {field}: {reason}",
    ErrorCode.RELAYER_UNKNOWN_ACTION: "the relayer cannot run action {action!r} ({reason})",
    ErrorCode.RELAYER_UNKNOWN_CHAIN: "the deployment has no controller on chain {chain!r}",
    ErrorCode.RELAYER_UNREADABLE_VENUE: "the relayer cannot read venue {venue!r} ({reason})",
    ErrorCode.PRIME_POLICY_INVALID: "policy {field}: {reason}",
    ErrorCode.PRIME_UNKNOWN_VENUE: "policy {version}: {name!r} is not an approved venue",
    ErrorCode.PRIME_UNKNOWN_POOL: "policy {version}: no lending pool {pool_id!r}",
    ErrorCode.PRIME_NO_POLICY_IN_FORCE: "no policy version in force on {at} (first: {first})",
    ErrorCode.PRIME_NO_RATE_FLOOR_IN_FORCE: (
        "policy {version}: no borrow-rate floor in force on {at} (first: {first})"
    ),
    ErrorCode.OCL_UNKNOWN_ASSET: "OCL policy {version}: {symbol!r} is not an eligible collateral",
    ErrorCode.OCL_TERM_TOO_LONG: "OCL: a fixed term of {term_s} s exceeds the maximum {max_s} s",
    ErrorCode.PRIME_INVALID_RECORD: "{record} {id!r}: {field} {reason}",
    ErrorCode.PRIME_INVALID_POSITION: (
        "position {position_id!r} ({kind} {symbol}): {field} {reason}"
    ),
    ErrorCode.PRIME_POSITION_EXPIRED: (
        "position {position_id!r} ({kind} {symbol}): {reason}"
        " (expiry {expiry_ts_s}, now {now_ts_s})"
    ),
    ErrorCode.PRIME_UNKNOWN_ASSET: "{symbol!r} is not in the asset registry ({reason})",
    ErrorCode.PRIME_INVALID_SCENARIO: "scenario {name!r}: {reason}",
    ErrorCode.PRIME_INVALID_MARGIN_INPUT: "margin input {field}: {reason}",
    ErrorCode.PRIME_INVALID_WHAT_IF: "what-if {field}: {reason}",
    ErrorCode.PRIME_LIMIT_ASSET_EXPOSURE: (
        "limit {limit}: gross exposure {value} USD-wad would exceed the cap {cap} (now {curr})"
    ),
    ErrorCode.PRIME_LIMIT_VENUE_EXPOSURE: (
        "limit {limit}: account value {value} USD-wad would exceed the cap {cap} (now {curr})"
    ),
    ErrorCode.PRIME_LIMIT_SUPPLY_SHARE: (
        "limit {limit}: exposure {value} USD-wad would exceed {cap} (20% of circulating "
        "supply; now {curr})"
    ),
    ErrorCode.PRIME_LIMIT_PT_LIQUIDITY: (
        "limit {limit}: PT exposure {value} USD-wad would exceed {cap} (10x its AMM "
        "liquidity; now {curr})"
    ),
    ErrorCode.PRIME_LIMIT_TOTAL_FUNDING: (
        "limit {limit}: total funding {value} USD-wad would exceed the SLL instance "
        "maximum {cap} (now {curr})"
    ),
    ErrorCode.PRIME_LIMIT_MISSING_DATA: "limit {limit}: {reason}",
    ErrorCode.PRIME_LIMIT_INVALID_CHANGE: "limit check {field}: {reason}",
    ErrorCode.PRIME_LOAN_KYC_NOT_APPROVED: (
        "borrower {borrower_id!r}: KYC is {kyc}, not approved (needed at {stage})"
    ),
    ErrorCode.PRIME_LOAN_BORROWER_SANCTIONED: (
        "borrower {borrower_id!r} is sanctioned: no loan at {stage}"
    ),
    ErrorCode.PRIME_LOAN_SOLVENCY_NOT_ATTESTED: (
        "borrower {borrower_id!r}: no solvency attestation valid at {stage} ({reason})"
    ),
    ErrorCode.PRIME_LOAN_BORROWER_INSOLVENT: (
        "borrower {borrower_id!r} is {state}: no loan at {stage}"
    ),
    ErrorCode.PRIME_LOAN_RATE_BELOW_FLOOR: (
        "loan {loan_id!r}: rate {rate_bps} bps is below the floor {floor_bps} bps on "
        "{at} (SSR {ssr_bps}, SOFR {sofr_bps}; at {stage})"
    ),
    ErrorCode.PRIME_LOAN_INVALID_TERM: "loan {loan_id!r}: {reason}",
    ErrorCode.PRIME_LOAN_NOT_AT_TERM_END: (
        "loan {loan_id!r}: a fixed term can be rolled over only at its end "
        "{term_end_ts_s} (now {now_ts_s})"
    ),
    ErrorCode.PRIME_LOAN_INVALID_AMOUNT: "loan {loan_id!r}: {what} of {amount} {reason}",
    ErrorCode.PRIME_LOAN_REPAY_EXCEEDS_DEBT: (
        "loan {loan_id!r}: repaying {amount} exceeds the debt {debt} (principal "
        "{principal} + interest {interest})"
    ),
    ErrorCode.PRIME_LOAN_TERM_ENDED: (
        "loan {loan_id!r}: the fixed term ended at {term_end_ts_s} (now {now_ts_s}): "
        "repay or roll over"
    ),
    ErrorCode.PRIME_LOAN_DRAWS_BLOCKED: "loan {loan_id!r}: draws are blocked ({reason})",
    ErrorCode.PRIME_RECALL_INVALID_INPUT: "recall check {field}: {reason}",
    ErrorCode.PRIME_EMERGENCY_INVALID_ACTION: "emergency action {kind}: {reason}",
    ErrorCode.PRIME_CRITICAL_UNKNOWN_SIGNER: "{signer!r} is not a signer",
    ErrorCode.PRIME_CRITICAL_DUPLICATE_APPROVAL: (
        "{signer!r} already approved proposal {proposal_id!r}"
    ),
    ErrorCode.PRIME_CRITICAL_QUORUM_NOT_MET: (
        "proposal {proposal_id!r}: {signers} distinct signer(s) approved, the quorum "
        "needs {min_signers}"
    ),
    ErrorCode.PRIME_CRITICAL_SINGLE_ENTITY: (
        "proposal {proposal_id!r}: approvals come from {entities} entity(ies), at least "
        "{min_entities} independent entities must approve"
    ),
    ErrorCode.PRIME_CRITICAL_INVALID_QUORUM: (
        "quorum of {min_signers} signers from {min_entities} entities: {reason}"
    ),
    ErrorCode.PRIME_CRITICAL_QUORUM_UNREACHABLE: (
        "{reason}: the quorum ({min_signers} signers from {min_entities} entities) "
        "would be unreachable"
    ),
    ErrorCode.PRIME_CRITICAL_SIGNER_EXISTS: "{signer!r} is already a signer (for {entity})",
    ErrorCode.PRIME_CRITICAL_NOT_WHITELISTED: (
        "withdrawal to {to!r}: not whitelisted (only approved collateral agents and the SLL)"
    ),
    ErrorCode.PRIME_CRITICAL_ORIGINATION_INCOMPLETE: (
        "transfer to collateral agent {to!r} for loan {loan_id!r}: origination "
        "incomplete ({missing})"
    ),
    ErrorCode.PRIME_CRITICAL_ALREADY_WHITELISTED: "{address!r} is already whitelisted as {kind}",
    ErrorCode.PRIME_CRITICAL_PROPOSAL_EXECUTED: "proposal {proposal_id!r} was already executed",
    ErrorCode.PRIME_CRITICAL_INVALID_ACTION: "critical action {action}: {reason}",
    ErrorCode.PRIME_LIQUIDATION_INVALID_INPUT: "liquidation input {field}: {reason}",
    ErrorCode.PRIME_LIQUIDATION_NO_DEPTH: "no market depth for {symbol} ({side}): {reason}",
    ErrorCode.PRIME_LIQUIDATION_BAD_FILL: "liquidation step {index} ({action} {symbol}): {reason}",
    ErrorCode.PRIME_LIQUIDATION_POSITION_MISSING: (
        "liquidation step {index}: position {position_id!r} {reason}"
    ),
    ErrorCode.PRIME_ENGINE_UNKNOWN_ID: "prime book: no {what} {id!r}",
    ErrorCode.PRIME_ENGINE_DUPLICATE_ID: "prime book: {what} {id!r} already exists",
    ErrorCode.PRIME_ENGINE_INVALID_COMMAND: "prime command {field}: {reason}",
    ErrorCode.PRIME_ENGINE_INVALID_PRICE: (
        "price of {symbol} must be a positive price_usd_e8, got {price_usd_e8}"
    ),
    ErrorCode.PRIME_ENGINE_RF_TOO_LOW: (
        "{action} on account {account_id!r} would leave RF {rf_wad} at or below the "
        "margin-call RF {threshold_wad}"
    ),
    ErrorCode.PRIME_ENGINE_REDUCE_ONLY: "account {account_id!r} is {status}: {reason}",
    ErrorCode.PRIME_ENGINE_MISSING_DATA: "prime book: {what} is not set ({reason})",
    ErrorCode.PRIME_ENGINE_NOT_A_MARGIN_ACCOUNT: (
        "prime book: account {account_id!r} has {count} MARGIN_VALUE positions at venue "
        "{venue_id!r} (a margin value report needs exactly one)"
    ),
    ErrorCode.PRIME_ENGINE_NOT_WITHDRAWABLE: (
        "prime book: position {position_id!r} is {kind}, not on the withdraw list ({allowed})"
    ),
    ErrorCode.PRIME_ENGINE_WITHDRAW_EXCEEDS_HELD: (
        "prime book: withdrawing {qty} from position {position_id!r}, which holds {held}"
    ),
    ErrorCode.PRIME_ENGINE_WITHDRAW_HAIRCUT: (
        "withdrawal rule: account {account_id!r} after withdrawing {qty} from {position_id!r} "
        "has STPV {stpv_usd_wad} x (1 - {withdrawal_haircut_bps} bps) <= borrowed "
        "{borrowed_usd_wad}"
    ),
    ErrorCode.RISK_INVALID_INPUT: "risk arrays, {field}: {reason}",
    ErrorCode.RISK_WHAT_IF_UNSUPPORTED: "fast what-if cannot {change}: {reason}",
    ErrorCode.PRICE_SCENARIO_INVALID: "price scenario {name}, {field}: {reason}",
    ErrorCode.PRICE_SCENARIO_UNKNOWN: "no price scenario {name!r}; known: {known}",
    ErrorCode.PRICE_PATH_INVALID: "price path, {field}: {reason}",
    ErrorCode.PRICE_FILE_INVALID: "{file}, {where}, {field}: {reason}",
    ErrorCode.BOOK_FILE_MALFORMED: _BOOK_FILE_MESSAGE,
    ErrorCode.BOOK_FILE_INVALID_TYPE: _BOOK_FILE_MESSAGE,
    ErrorCode.BOOK_FILE_UNKNOWN_FIELD: _BOOK_FILE_MESSAGE,
    ErrorCode.BOOK_FILE_MISSING_FIELD: _BOOK_FILE_MESSAGE,
    ErrorCode.BOOK_FILE_UNKNOWN_VENUE: _BOOK_FILE_MESSAGE,
    ErrorCode.BOOK_FILE_UNKNOWN_REFERENCE: _BOOK_FILE_MESSAGE,
    ErrorCode.BOOK_FILE_NEGATIVE_VALUE: _BOOK_FILE_MESSAGE,
    ErrorCode.BOOK_FILE_DUPLICATE_ID: _BOOK_FILE_MESSAGE,
    ErrorCode.BOOK_FILE_INVALID_VALUE: _BOOK_FILE_MESSAGE,
    ErrorCode.BOOK_FILE_UNREADABLE: _BOOK_FILE_MESSAGE,
    ErrorCode.RESULT_INVALID: "replay result, {field}: {reason}",
    ErrorCode.RESULT_SCHEMA_VERSION: "replay result schema version {got} (this reads {expected})",
    ErrorCode.REPORT_WRITE_FAILED: "cannot write {path}: {reason}",
    ErrorCode.REPLAY_BAD_SCENARIO: "scenario {spec!r}: {reason}",
    ErrorCode.REPLAY_SETUP_REFUSED: "replay setup: {what} refused: {reason}",
    ErrorCode.REPLAY_INVALID_OPTION: "replay option {field}: {reason}",
    ErrorCode.REPLAY_SLL_DRAW_SHORT: (
        "the SLL drew {drawn} of the {wanted} USDC the prime book uses at Arkis: {reason}"
    ),
    ErrorCode.CLI_BAD_OPTION: "{option}: {reason}",
    ErrorCode.CLI_UNKNOWN_ACCOUNT: "{file}: account: no account {account_id!r} in the book",
    ErrorCode.CLI_FILE_NOT_FOUND: "{file}: no such file",
    ErrorCode.JOURNAL_UNKNOWN_MACHINE: (
        "{file}: a journal of {found!r}, not one this reads ({known})"
    ),
}


def _render(code: ErrorCode, context: dict[str, Any]) -> str:
    template = _MESSAGES.get(code)
    if template is None:
        return code.name.lower().replace("_", " ")
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        # A caller that gave less context than the template names still gets a message.
        extra = ", ".join(f"{k}={v!r}" for k, v in sorted(context.items()))
        return f"{code.name.lower().replace('_', ' ')} ({extra})" if extra else code.name


class ProtocolError(Exception):
    """A rejected input or action. Carries a stable `code` and the `context` that explains it.

    Raising it promises that nothing changed: validation happens before any mutation.
    """

    code: ErrorCode
    context: dict[str, Any]

    def __init__(self, code: ErrorCode, /, **context: Any) -> None:
        if not isinstance(code, ErrorCode):
            raise TypeError(f"ProtocolError needs an ErrorCode, got {code!r}")
        self.code = code
        self.context = dict(context)
        super().__init__(f"{code.name} [{int(code)}]: {_render(code, self.context)}")

    @property
    def message(self) -> str:
        """The human message, without the code prefix."""
        return _render(self.code, self.context)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_protocol_error, (self.code, self.context))


def _rebuild_protocol_error(code: ErrorCode, context: dict[str, Any]) -> ProtocolError:
    return ProtocolError(code, **context)


class InvariantViolation(Exception):  # noqa: N818 - the name states what happened
    """An internal rule broke: a bug, never an input problem. Never caught to continue."""

    def __init__(self, rule: str, /, **context: Any) -> None:
        self.rule = rule
        self.context = dict(context)
        detail = ", ".join(f"{k}={v!r}" for k, v in sorted(context.items()))
        super().__init__(f"invariant {rule!r} violated" + (f": {detail}" if detail else ""))
