"""ReserveConfiguration and UserConfiguration bitmaps against the contracts.

Sources (SparkLend v1.0.0 = Aave v3.0.2):
- sparkdotfi/sparklend-v1-core `contracts/protocol/libraries/configuration/
  ReserveConfiguration.sol` and `UserConfiguration.sol` at
  16ab8f56970f8947ffa32249edadf415b7b96fec: the masks and limits below are its literals.

Ported upstream tests:
- aave/aave-v3-core `test-suites/reserve-configuration.spec.ts` (at
  1a62e2dd9d0f2c20259043712ebd64282188249b): every numeric case, through `get_params`,
  `get_flags`, `get_caps` and the single getters;
- aave/aave-v3-core `src/test/ReserveConfiguration.t.sol` and `src/test/UserConfiguration.t.sol`
  (at 19a20a80aa909c703305cbadd5d21721b2d875db): the fuzz tests as Hypothesis properties;
- Certora's set-then-get integrity rules (`setLtvIntegrity`, ...): one field set never moves
  another field's bits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.sparklend import configuration as rc
from sparkprime.protocols.sparklend.configuration import (
    COLLATERAL_MASK,
    MAX_RESERVES_COUNT,
    USER_BORROWING_MASK,
    ReserveConfigurationMap,
    UserConfigurationMap,
)
from tests.core.test_fixed_support import BAD_UINT256S, MAX, fuzz, uint256s

# --- the contract's literals ----------------------------------------------------------------

CONTRACT_MASKS = {
    "LTV_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0000,
    "LIQUIDATION_THRESHOLD_MASK": (
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0000FFFF
    ),
    "LIQUIDATION_BONUS_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0000FFFFFFFF,
    "DECIMALS_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00FFFFFFFFFFFF,
    "ACTIVE_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFF,
    "FROZEN_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDFFFFFFFFFFFFFF,
    "BORROWING_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFBFFFFFFFFFFFFFF,
    "STABLE_BORROWING_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7FFFFFFFFFFFFFF,
    "PAUSED_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFF,
    "BORROWABLE_IN_ISOLATION_MASK": (
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDFFFFFFFFFFFFFFF
    ),
    "SILOED_BORROWING_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFBFFFFFFFFFFFFFFF,
    "FLASHLOAN_ENABLED_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7FFFFFFFFFFFFFFF,
    "RESERVE_FACTOR_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0000FFFFFFFFFFFFFFFF,
    "BORROW_CAP_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000FFFFFFFFFFFFFFFFFFFF,
    "SUPPLY_CAP_MASK": 0xFFFFFFFFFFFFFFFFFFFFFFFFFF000000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
    "LIQUIDATION_PROTOCOL_FEE_MASK": (
        0xFFFFFFFFFFFFFFFFFFFFFF0000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF
    ),
    "EMODE_CATEGORY_MASK": 0xFFFFFFFFFFFFFFFFFFFF00FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
    "UNBACKED_MINT_CAP_MASK": 0xFFFFFFFFFFF000000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
    "DEBT_CEILING_MASK": 0xF0000000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
}
CONTRACT_LIMITS = {
    "MAX_VALID_LTV": 65535,
    "MAX_VALID_LIQUIDATION_THRESHOLD": 65535,
    "MAX_VALID_LIQUIDATION_BONUS": 65535,
    "MAX_VALID_DECIMALS": 255,
    "MAX_VALID_RESERVE_FACTOR": 65535,
    "MAX_VALID_BORROW_CAP": 68719476735,
    "MAX_VALID_SUPPLY_CAP": 68719476735,
    "MAX_VALID_LIQUIDATION_PROTOCOL_FEE": 65535,
    "MAX_VALID_EMODE_CATEGORY": 255,
    "MAX_VALID_UNBACKED_MINT_CAP": 68719476735,
    "MAX_VALID_DEBT_CEILING": 1099511627775,
    "DEBT_CEILING_DECIMALS": 2,
    "MAX_RESERVES_COUNT": 128,
}


@pytest.mark.parametrize(("name", "value"), sorted(CONTRACT_MASKS.items()))
def test_masks_are_the_contracts(name: str, value: int):
    assert getattr(rc, name) == value


@pytest.mark.parametrize(("name", "value"), sorted(CONTRACT_LIMITS.items()))
def test_limits_are_the_contracts(name: str, value: int):
    assert getattr(rc, name) == value


def test_user_masks_are_the_contracts():
    assert int("55" * 32, 16) == USER_BORROWING_MASK
    assert int("AA" * 32, 16) == COLLATERAL_MASK


# --- the fields, as a table -----------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    mask_name: str
    start: int
    bits: int
    max_valid: int | None  # None: a one-bit flag
    code: ErrorCode | None

    @property
    def getter(self) -> Callable[[ReserveConfigurationMap], Any]:
        return getattr(ReserveConfigurationMap, f"get_{self.name}")  # type: ignore[no-any-return]

    def set(self, config: ReserveConfigurationMap, value: Any) -> ReserveConfigurationMap:
        result: ReserveConfigurationMap = getattr(config, f"set_{self.name}")(value)
        return result

    @property
    def bits_mask(self) -> int:
        return ((1 << self.bits) - 1) << self.start


E = ErrorCode
VALUE_FIELDS = [
    Field("ltv", "LTV_MASK", 0, 16, 65535, E.INVALID_LTV),
    Field(
        "liquidation_threshold",
        "LIQUIDATION_THRESHOLD_MASK",
        16,
        16,
        65535,
        E.INVALID_LIQ_THRESHOLD,
    ),
    Field("liquidation_bonus", "LIQUIDATION_BONUS_MASK", 32, 16, 65535, E.INVALID_LIQ_BONUS),
    Field("decimals", "DECIMALS_MASK", 48, 8, 255, E.INVALID_DECIMALS),
    Field("reserve_factor", "RESERVE_FACTOR_MASK", 64, 16, 65535, E.INVALID_RESERVE_FACTOR),
    Field("borrow_cap", "BORROW_CAP_MASK", 80, 36, 2**36 - 1, E.INVALID_BORROW_CAP),
    Field("supply_cap", "SUPPLY_CAP_MASK", 116, 36, 2**36 - 1, E.INVALID_SUPPLY_CAP),
    Field(
        "liquidation_protocol_fee",
        "LIQUIDATION_PROTOCOL_FEE_MASK",
        152,
        16,
        65535,
        E.INVALID_LIQUIDATION_PROTOCOL_FEE,
    ),
    Field("emode_category", "EMODE_CATEGORY_MASK", 168, 8, 255, E.INVALID_EMODE_CATEGORY),
    Field(
        "unbacked_mint_cap",
        "UNBACKED_MINT_CAP_MASK",
        176,
        36,
        2**36 - 1,
        E.INVALID_UNBACKED_MINT_CAP,
    ),
    Field("debt_ceiling", "DEBT_CEILING_MASK", 212, 40, 2**40 - 1, E.INVALID_DEBT_CEILING),
]
FLAG_FIELDS = [
    Field("active", "ACTIVE_MASK", 56, 1, None, None),
    Field("frozen", "FROZEN_MASK", 57, 1, None, None),
    Field("borrowing_enabled", "BORROWING_MASK", 58, 1, None, None),
    Field("stable_rate_borrowing_enabled", "STABLE_BORROWING_MASK", 59, 1, None, None),
    Field("paused", "PAUSED_MASK", 60, 1, None, None),
    Field("borrowable_in_isolation", "BORROWABLE_IN_ISOLATION_MASK", 61, 1, None, None),
    Field("siloed_borrowing", "SILOED_BORROWING_MASK", 62, 1, None, None),
    Field("flash_loan_enabled", "FLASHLOAN_ENABLED_MASK", 63, 1, None, None),
]
FIELDS = VALUE_FIELDS + FLAG_FIELDS
_ids = [f.name for f in VALUE_FIELDS]
_flag_ids = [f.name for f in FLAG_FIELDS]
_all_ids = [f.name for f in FIELDS]


def test_the_fields_tile_bits_0_to_251():
    covered = 0
    for f in FIELDS:
        assert covered & f.bits_mask == 0, f.name
        covered |= f.bits_mask
    assert covered == (1 << 252) - 1


@pytest.mark.parametrize("field", FIELDS, ids=_all_ids)
def test_each_fields_mask_clears_exactly_its_bits(field: Field):
    assert CONTRACT_MASKS[field.mask_name] == MAX ^ field.bits_mask


def test_every_contract_mask_belongs_to_one_field():
    assert sorted(f.mask_name for f in FIELDS) == sorted(CONTRACT_MASKS)


# --- round trips at 0, 1, MAX_VALID and MAX_VALID + 1 (Certora's set*Integrity) ---------------


@pytest.mark.parametrize("field", VALUE_FIELDS, ids=_ids)
@pytest.mark.parametrize("background", [0, MAX], ids=["zeros", "ones"])
def test_value_round_trip_at_the_edges(field: Field, background: int):
    config = ReserveConfigurationMap(data=background)
    assert field.max_valid is not None
    for value in (0, 1, field.max_valid):
        updated = field.set(config, value)
        assert field.getter(updated) == value
        assert updated.data & ~field.bits_mask == background & ~field.bits_mask
    with pytest.raises(ProtocolError) as info:
        field.set(config, field.max_valid + 1)
    assert info.value.code is field.code
    assert info.value.context["value"] == field.max_valid + 1
    assert config.data == background  # the map is a value: a refused set leaves it as it was


@pytest.mark.parametrize("field", VALUE_FIELDS, ids=_ids)
@pytest.mark.parametrize("too_big", [2**255, MAX])
def test_any_uint256_above_max_valid_gets_the_contract_code(field: Field, too_big: int):
    with pytest.raises(ProtocolError) as info:
        field.set(ReserveConfigurationMap(), too_big)
    assert info.value.code is field.code


@pytest.mark.parametrize("field", VALUE_FIELDS, ids=_ids)
@pytest.mark.parametrize(("bad", "code"), BAD_UINT256S)
def test_values_that_are_not_uint256_are_refused(field: Field, bad: object, code: ErrorCode):
    with pytest.raises(ProtocolError) as info:
        field.set(ReserveConfigurationMap(), bad)
    assert info.value.code is code


@pytest.mark.parametrize("field", FLAG_FIELDS, ids=_flag_ids)
@pytest.mark.parametrize("background", [0, MAX], ids=["zeros", "ones"])
def test_flag_round_trip(field: Field, background: int):
    config = ReserveConfigurationMap(data=background)
    for value in (True, False, True):
        config = field.set(config, value)
        assert field.getter(config) is value
        assert config.data & ~field.bits_mask == background & ~field.bits_mask


@pytest.mark.parametrize("field", FLAG_FIELDS, ids=_flag_ids)
@pytest.mark.parametrize("bad", [1, 0, None, "true", 1.0])
def test_flags_take_only_bools(field: Field, bad: object):
    with pytest.raises(ProtocolError) as info:
        field.set(ReserveConfigurationMap(), bad)
    assert info.value.code is ErrorCode.INVALID_TYPE


@pytest.mark.parametrize(("bad", "code"), BAD_UINT256S)
def test_data_must_be_a_uint256(bad: object, code: ErrorCode):
    for cls in (ReserveConfigurationMap, UserConfigurationMap):
        with pytest.raises(ProtocolError) as info:
            cls(data=bad)  # type: ignore[arg-type]
        assert info.value.code is code


def test_maps_are_immutable_hashable_values():
    a = ReserveConfigurationMap().set_ltv(8000)
    assert a == ReserveConfigurationMap(data=8000)
    assert hash(a) == hash(ReserveConfigurationMap(data=8000))
    with pytest.raises(FrozenInstanceError):
        a.data = 1  # type: ignore[misc]
    assert UserConfigurationMap() == UserConfigurationMap(data=0)


# --- Hypothesis: one field set never moves another field's bits ------------------------------

field_values = st.sampled_from(VALUE_FIELDS).flatmap(
    lambda f: st.tuples(
        st.just(f),
        st.one_of(st.integers(0, f.max_valid or 0), st.sampled_from([0, 1, f.max_valid])),
    )
)


@fuzz(300)
@given(uint256s(), field_values)
def test_setting_a_value_moves_only_its_bits(data: int, field_value: tuple[Field, int]):
    field, value = field_value
    before = ReserveConfigurationMap(data=data)
    after = field.set(before, value)
    assert field.getter(after) == value
    assert after.data & ~field.bits_mask == data & ~field.bits_mask
    for other in FIELDS:
        if other is not field:
            assert other.getter(after) == other.getter(before)


@fuzz(200)
@given(uint256s(), st.sampled_from(FLAG_FIELDS), st.booleans())
def test_setting_a_flag_moves_only_its_bit(data: int, field: Field, value: bool):
    before = ReserveConfigurationMap(data=data)
    after = field.set(before, value)
    assert field.getter(after) is value
    assert after.data ^ data in (0, field.bits_mask)


@fuzz(200)
@given(uint256s(), st.sampled_from(FIELDS), st.data())
def test_getters_read_the_full_width_of_their_bits(data: int, field: Field, draw: st.DataObject):
    # ReserveConfiguration.t.sol testGet*: (data & MASK) | (x << start) reads back x for any x
    # that fits the field's bits, even above MAX_VALID.
    x = draw.draw(st.integers(0, (1 << field.bits) - 1))
    config = ReserveConfigurationMap(data=(data & ~field.bits_mask) | (x << field.start))
    got = field.getter(config)
    assert got == (bool(x) if field.max_valid is None else x)


@fuzz(100)
@given(uint256s())
def test_get_params_flags_caps_agree_with_the_single_getters(data: int):
    c = ReserveConfigurationMap(data=data)
    assert c.get_params() == (
        c.get_ltv(),
        c.get_liquidation_threshold(),
        c.get_liquidation_bonus(),
        c.get_decimals(),
        c.get_reserve_factor(),
        c.get_emode_category(),
    )
    assert c.get_flags() == (
        c.get_active(),
        c.get_frozen(),
        c.get_borrowing_enabled(),
        c.get_stable_rate_borrowing_enabled(),
        c.get_paused(),
    )
    assert c.get_caps() == (c.get_borrow_cap(), c.get_supply_cap())


# --- aave-v3-core test-suites/reserve-configuration.spec.ts, case by case --------------------

ZERO6 = (0, 0, 0, 0, 0, 0)
NO_FLAGS = (False, False, False, False, False)


@pytest.mark.parametrize(
    ("setter", "value", "params"),
    [
        ("set_ltv", 8000, (8000, 0, 0, 0, 0, 0)),  # getLtv()
        ("set_liquidation_bonus", 500, (0, 0, 500, 0, 0, 0)),  # getLiquidationBonus()
        ("set_decimals", 18, (0, 0, 0, 18, 0, 0)),  # getDecimals()
        ("set_emode_category", 1, (0, 0, 0, 0, 0, 1)),  # getEModeCategory()
        ("set_reserve_factor", 1000, (0, 0, 0, 0, 1000, 0)),  # getReserveFactor()
        ("set_ltv", 65535, (65535, 0, 0, 0, 0, 0)),  # setLtv() with MAX_VALID_LTV
        ("set_liquidation_threshold", 65535, (0, 65535, 0, 0, 0, 0)),
        ("set_decimals", 255, (0, 0, 0, 255, 0, 0)),  # setDecimals() with MAX_VALID_DECIMALS
        ("set_reserve_factor", 65535, (0, 0, 0, 0, 65535, 0)),
    ],
)
def test_spec_params(setter: str, value: int, params: tuple[int, ...]):
    config = ReserveConfigurationMap()
    assert config.get_params() == ZERO6
    config = getattr(config, setter)(value)
    assert config.get_params() == params
    assert getattr(config, setter.replace("set_", "get_"))() == value
    config = getattr(config, setter)(0)
    assert config.get_params() == ZERO6


@pytest.mark.parametrize(
    ("setter", "flags"),
    [
        ("set_frozen", (False, True, False, False, False)),  # frozen is the 2nd flag
        ("set_borrowing_enabled", (False, False, True, False, False)),  # borrowing the 3rd
        ("set_stable_rate_borrowing_enabled", (False, False, False, True, False)),  # stable 4th
    ],
)
def test_spec_flags(setter: str, flags: tuple[bool, ...]):
    config = ReserveConfigurationMap()
    assert config.get_flags() == NO_FLAGS
    config = getattr(config, setter)(True)
    assert config.get_flags() == flags
    config = getattr(config, setter)(False)
    assert config.get_flags() == NO_FLAGS


@pytest.mark.parametrize(
    ("setter", "value", "caps"),
    [("set_borrow_cap", 100, (100, 0)), ("set_supply_cap", 200, (0, 200))],
)
def test_spec_caps(setter: str, value: int, caps: tuple[int, int]):
    config = ReserveConfigurationMap()
    assert config.get_caps() == (0, 0)
    config = getattr(config, setter)(value)
    assert config.get_caps() == caps
    assert getattr(config, setter)(0).get_caps() == (0, 0)


def test_spec_unbacked_mint_cap_emode_and_protocol_fee():
    config = ReserveConfigurationMap()
    assert config.set_unbacked_mint_cap(300).get_unbacked_mint_cap() == 300
    assert config.set_unbacked_mint_cap(300).set_unbacked_mint_cap(0).get_unbacked_mint_cap() == 0
    assert config.set_emode_category(255).get_emode_category() == 255
    assert config.set_liquidation_protocol_fee(65535).get_liquidation_protocol_fee() == 65535


@pytest.mark.parametrize(
    ("setter", "value", "code"),
    [
        ("set_ltv", 65536, ErrorCode.INVALID_LTV),
        ("set_liquidation_threshold", 65536, ErrorCode.INVALID_LIQ_THRESHOLD),
        ("set_decimals", 256, ErrorCode.INVALID_DECIMALS),
        ("set_emode_category", 256, ErrorCode.INVALID_EMODE_CATEGORY),
        ("set_reserve_factor", 65536, ErrorCode.INVALID_RESERVE_FACTOR),
        ("set_liquidation_protocol_fee", 65536, ErrorCode.INVALID_LIQUIDATION_PROTOCOL_FEE),
    ],
)
def test_spec_reverts(setter: str, value: int, code: ErrorCode):
    config = ReserveConfigurationMap()
    with pytest.raises(ProtocolError) as info:
        getattr(config, setter)(value)
    assert info.value.code is code
    assert config.get_params() == ZERO6
    assert config.get_liquidation_protocol_fee() == 0


# --- UserConfiguration ----------------------------------------------------------------------

indexes = st.integers(0, 255).map(lambda i: i % MAX_RESERVES_COUNT)  # the .t.sol's uint8 % 128
INDEX_METHODS = [
    ("set_borrowing", (True,)),
    ("set_using_as_collateral", (True,)),
    ("is_using_as_collateral_or_borrowing", ()),
    ("is_borrowing", ()),
    ("is_using_as_collateral", ()),
]


@fuzz(200)
@given(uint256s(), indexes, st.booleans())
def test_set_borrowing(data: int, index: int, borrowing: bool):
    before = UserConfigurationMap(data=data)
    after = before.set_borrowing(index, borrowing)
    bit = 1 << (index * 2)
    assert (after.data & USER_BORROWING_MASK & bit > 0) is borrowing
    assert after.data & ~bit == data & ~bit
    assert after.is_borrowing(index) is borrowing


@fuzz(200)
@given(uint256s(), indexes, st.booleans())
def test_set_as_collateral(data: int, index: int, using_as_collateral: bool):
    before = UserConfigurationMap(data=data)
    after = before.set_using_as_collateral(index, using_as_collateral)
    bit = 1 << (index * 2 + 1)
    assert (after.data & COLLATERAL_MASK & bit > 0) is using_as_collateral
    assert after.data & ~bit == data & ~bit
    assert after.is_using_as_collateral(index) is using_as_collateral


@fuzz(200)
@given(uint256s(), indexes)
def test_is_using_as_collateral_or_borrowing(data: int, index: int):
    config = UserConfigurationMap(data=data)
    borrowing = data & USER_BORROWING_MASK & (1 << (index * 2)) > 0
    collateral = data & COLLATERAL_MASK & (1 << (index * 2 + 1)) > 0
    assert config.is_borrowing(index) is borrowing
    assert config.is_using_as_collateral(index) is collateral
    assert config.is_using_as_collateral_or_borrowing(index) is (borrowing or collateral)


@pytest.mark.parametrize(("method", "extra"), INDEX_METHODS, ids=[m for m, _ in INDEX_METHODS])
@pytest.mark.parametrize("index", [MAX_RESERVES_COUNT, 255, 2**255, MAX])
def test_reserve_index_128_and_above_is_refused(method: str, extra: tuple[bool, ...], index: int):
    config = UserConfigurationMap(data=MAX)
    with pytest.raises(ProtocolError) as info:
        getattr(config, method)(index, *extra)
    assert info.value.code is ErrorCode.INVALID_RESERVE_INDEX


@pytest.mark.parametrize(("method", "extra"), INDEX_METHODS, ids=[m for m, _ in INDEX_METHODS])
@pytest.mark.parametrize(("bad", "code"), BAD_UINT256S)
def test_reserve_index_must_be_a_uint256(
    method: str, extra: tuple[bool, ...], bad: object, code: ErrorCode
):
    with pytest.raises(ProtocolError) as info:
        getattr(UserConfigurationMap(), method)(bad, *extra)
    assert info.value.code is code


@pytest.mark.parametrize("bad", [1, 0, None, "yes"])
def test_user_setters_take_only_bools(bad: object):
    for method in ("set_borrowing", "set_using_as_collateral"):
        with pytest.raises(ProtocolError) as info:
            getattr(UserConfigurationMap(), method)(0, bad)
        assert info.value.code is ErrorCode.INVALID_TYPE


def _bits_on(x: int) -> int:
    return bin(x).count("1")


@fuzz(300)
@given(
    st.one_of(
        uint256s(),
        st.integers(0, 127).map(lambda i: 1 << i),  # exactly one bit set somewhere
        st.lists(st.integers(0, 255), max_size=3).map(lambda bs: sum({1 << b for b in bs})),
    )
)
def test_one_any_and_empty(data: int):
    config = UserConfigurationMap(data=data)
    assert config.is_using_as_collateral_one() is (_bits_on(data & COLLATERAL_MASK) == 1)
    assert config.is_using_as_collateral_any() is (_bits_on(data & COLLATERAL_MASK) > 0)
    assert config.is_borrowing_one() is (_bits_on(data & USER_BORROWING_MASK) == 1)
    assert config.is_borrowing_any() is (_bits_on(data & USER_BORROWING_MASK) > 0)
    assert config.is_empty() is (data == 0)


def _contract_first_asset_id(data: int, mask: int) -> int:
    """`_getFirstAssetIdByMask` line by line, with the EVM's wrapping subtraction."""
    bitmap = data & mask
    first = bitmap & (~((bitmap - 1) % 2**256) % 2**256)
    asset_id = 0
    first >>= 2
    while first != 0:
        asset_id += 1
        first >>= 2
    return asset_id


@fuzz(300)
@given(
    st.one_of(uint256s(), st.integers(0, 255).map(lambda b: 1 << b)),
    st.sampled_from([COLLATERAL_MASK, USER_BORROWING_MASK]),
)
def test_get_first_asset_id_by_mask(data: int, mask: int):
    # UserConfiguration.t.sol test_getFirstAssetIdByMask: the lowest flagged bit i gives i / 2.
    masked = data & mask
    expected = next((i // 2 for i in range(256) if masked >> i & 1), 0)
    config = UserConfigurationMap(data=data)
    assert config._get_first_asset_id_by_mask(mask) == expected
    assert _contract_first_asset_id(data, mask) == expected


@dataclass(frozen=True)
class Reserve:
    configuration: ReserveConfigurationMap


_assets = st.lists(st.text("0123456789abcdef", min_size=40, max_size=40), min_size=6, max_size=6)


@fuzz(200)
@given(
    _assets,
    st.lists(uint256s(), min_size=6, max_size=6),
    st.integers(0, 2**40 - 1),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_get_isolation_mode_state(
    assets: list[str], config_data: list[int], ceiling: int, collaterals: int, borrows: int
):
    # UserConfiguration.t.sol testGetIsolationModeState, with assets 0..n-1 at reserve ids 0..n-1.
    assume(len(set(assets)) == len(assets))
    if collaterals == 0:
        borrows = 0
    expected_isolated = collaterals == 1 and ceiling > 0
    reserves_list: dict[int, str] = {}
    reserves_data: dict[str, Reserve] = {}
    user = UserConfigurationMap()
    for i in range(collaterals + borrows):
        reserves_list[i] = assets[i]
        asset_config = ReserveConfigurationMap(data=config_data[i] & rc.DEBT_CEILING_MASK)
        if i < collaterals:
            if expected_isolated:
                asset_config = asset_config.set_debt_ceiling(ceiling)
            user = user.set_using_as_collateral(i, True)
        else:
            user = user.set_borrowing(i, True)
        reserves_data[assets[i]] = Reserve(asset_config)
    got = user.get_isolation_mode_state(reserves_data, reserves_list)
    expected = (True, assets[0], ceiling) if expected_isolated else (False, None, 0)
    assert got == expected
    # A list works as the reserves list as well as a mapping.
    as_list = [reserves_list[i] for i in range(len(reserves_list))]
    assert user.get_isolation_mode_state(reserves_data, as_list) == expected


@fuzz(200)
@given(
    _assets,
    st.lists(uint256s(), min_size=6, max_size=6),
    st.integers(0, 3),
    st.integers(0, 3),
    st.booleans(),
)
def test_get_siloed_borrowing_state(
    assets: list[str], config_data: list[int], collaterals: int, borrows: int, siloed: bool
):
    # UserConfiguration.t.sol testGetSiloedBorrowingState.
    assume(len(set(assets)) == len(assets))
    if collaterals == 0:
        borrows = 0
    if siloed:
        borrows = 1
    reserves_list: dict[int, str] = {}
    reserves_data: dict[str, Reserve] = {}
    user = UserConfigurationMap()
    for i in range(collaterals + borrows):
        reserves_list[i] = assets[i]
        asset_config = ReserveConfigurationMap(data=config_data[i] & rc.SILOED_BORROWING_MASK)
        if i < collaterals:
            user = user.set_using_as_collateral(i, True)
        else:
            user = user.set_borrowing(i, True)
            if siloed:
                asset_config = asset_config.set_siloed_borrowing(True)
        reserves_data[assets[i]] = Reserve(asset_config)
    got = user.get_siloed_borrowing_state(reserves_data, reserves_list)
    assert got == ((True, assets[collaterals]) if siloed else (False, None))


def test_unlisted_reserves_read_as_an_empty_configuration():
    # The contract reads reservesList[id] == address(0) and an empty configuration for it.
    isolated = ReserveConfigurationMap().set_debt_ceiling(1_000_00)
    siloed = ReserveConfigurationMap().set_siloed_borrowing(True)
    user = UserConfigurationMap().set_using_as_collateral(5, True).set_borrowing(7, True)
    data = {"A": Reserve(isolated), "B": Reserve(siloed)}
    assert user.get_isolation_mode_state(data, {5: "A"}) == (True, "A", 1_000_00)
    assert user.get_isolation_mode_state(data, {}) == (False, None, 0)
    assert user.get_isolation_mode_state(data, ["A"]) == (False, None, 0)  # id 5 is past the end
    assert user.get_isolation_mode_state({}, {5: "A"}) == (False, None, 0)
    assert user.get_siloed_borrowing_state(data, {7: "B"}) == (True, "B")
    assert user.get_siloed_borrowing_state(data, {}) == (False, None)
    assert user.get_siloed_borrowing_state({}, {7: "B"}) == (False, None)


def test_two_collaterals_are_never_isolated():
    ceiling = ReserveConfigurationMap().set_debt_ceiling(1)
    data = {"A": Reserve(ceiling), "B": Reserve(ceiling)}
    user = UserConfigurationMap().set_using_as_collateral(0, True)
    assert user.get_isolation_mode_state(data, ["A", "B"]) == (True, "A", 1)
    user = user.set_using_as_collateral(1, True)
    assert user.get_isolation_mode_state(data, ["A", "B"]) == (False, None, 0)
    # Borrowing does not count as collateral.
    user = UserConfigurationMap().set_borrowing(0, True).set_using_as_collateral(1, True)
    assert user.get_isolation_mode_state(data, ["A", "B"]) == (True, "B", 1)
