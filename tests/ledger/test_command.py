"""Commands: validated on construction and on decoding, one canonical form."""

from __future__ import annotations

import dataclasses
import json
from enum import Enum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address, AssetId
from sparkprime.ledger.command import (
    CommandCodec,
    Uint128,
    Uint256,
    canonical_json,
    command,
    record,
)


class Side(Enum):
    LONG = "long"
    SHORT = "short"


@record
class Leg:
    asset: AssetId
    side: Side
    size_wad: Uint256


@command("test.open_position")
class OpenPosition:
    account: str
    legs: tuple[Leg, ...]
    leverage_bps: Uint128
    note: str | None
    reduce_only: bool
    pnl_wad: int


def _open(**overrides: object) -> OpenPosition:
    fields: dict[str, object] = {
        "account": "fund-1",
        "legs": (Leg(asset=AssetId("ETH"), side=Side.LONG, size_wad=10**18),),
        "leverage_bps": 30_000,
        "note": None,
        "reduce_only": False,
        "pnl_wad": -5,
    }
    fields.update(overrides)
    return OpenPosition(**fields)  # type: ignore[arg-type]


CODEC = CommandCodec([OpenPosition])


def test_command_is_frozen_and_kw_only():
    cmd = _open()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cmd.account = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        OpenPosition("fund-1")  # type: ignore[call-arg]
    assert OpenPosition.KIND == "test.open_position"  # type: ignore[attr-defined]


def test_encode_is_canonical_and_round_trips():
    cmd = _open(note="hedge")
    kind, payload = CODEC.encode(cmd)
    assert kind == "test.open_position"
    assert payload == canonical_json(json.loads(payload))
    assert " " not in payload
    assert '"side":"LONG"' in payload
    assert CODEC.decode(kind, payload) == cmd
    assert CODEC.decode_envelope({"kind": kind, "payload": json.loads(payload)}) == cmd


def test_lists_are_normalised_to_tuples_and_enum_names_to_members():
    cmd = _open(legs=[{"asset": "BTC", "side": "SHORT", "size_wad": 3}])
    assert cmd.legs == (Leg(asset=AssetId("BTC"), side=Side.SHORT, size_wad=3),)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"leverage_bps": -1}, ErrorCode.VALUE_OUT_OF_RANGE, "leverage_bps"),
        ({"leverage_bps": 2**128}, ErrorCode.VALUE_OUT_OF_RANGE, "leverage_bps"),
        ({"leverage_bps": 1.5}, ErrorCode.INVALID_TYPE, "leverage_bps"),
        ({"leverage_bps": True}, ErrorCode.INVALID_TYPE, "leverage_bps"),
        ({"leverage_bps": "7"}, ErrorCode.INVALID_TYPE, "leverage_bps"),
        ({"pnl_wad": 2**255}, ErrorCode.VALUE_OUT_OF_RANGE, "pnl_wad"),
        ({"pnl_wad": -(2**255) - 1}, ErrorCode.VALUE_OUT_OF_RANGE, "pnl_wad"),
        ({"account": 5}, ErrorCode.INVALID_TYPE, "account"),
        ({"reduce_only": 1}, ErrorCode.INVALID_TYPE, "reduce_only"),
        ({"note": 3}, ErrorCode.INVALID_TYPE, "note"),
        ({"legs": "ETH"}, ErrorCode.INVALID_TYPE, "legs"),
    ],
)
def test_bad_field_is_rejected_with_its_name(overrides, code, field):
    with pytest.raises(ProtocolError) as info:
        _open(**overrides)
    assert info.value.code is code
    assert info.value.context["field"] == field
    assert field in str(info.value)


def test_nested_bad_field_names_its_path():
    with pytest.raises(ProtocolError) as info:
        _open(legs=[{"asset": "ETH", "side": "LONG", "size_wad": 2**256}])
    assert info.value.code is ErrorCode.VALUE_OUT_OF_RANGE
    assert info.value.context["field"] == "legs[0].size_wad"
    with pytest.raises(ProtocolError) as info:
        _open(legs=[{"asset": "ETH", "side": "SIDEWAYS", "size_wad": 1}])
    assert info.value.code is ErrorCode.INVALID_TYPE
    assert "LONG|SHORT" in str(info.value)


def test_decode_rejects_unknown_kind_fields_and_malformed_json():
    _, payload = CODEC.encode(_open())
    data = json.loads(payload)
    with pytest.raises(ProtocolError) as info:
        CODEC.decode("test.close_position", payload)
    assert info.value.code is ErrorCode.UNKNOWN_COMMAND_KIND
    with pytest.raises(ProtocolError) as info:
        CODEC.decode("test.open_position", {**data, "extra": 1})
    assert info.value.code is ErrorCode.UNKNOWN_FIELD
    assert info.value.context["fields"] == ["extra"]
    missing = dict(data)
    del missing["account"]
    with pytest.raises(ProtocolError) as info:
        CODEC.decode("test.open_position", missing)
    assert info.value.code is ErrorCode.MISSING_FIELD
    for bad in ("{not json", "[1, 2]", "NaN"):
        with pytest.raises(ProtocolError) as info:
            CODEC.decode("test.open_position", bad)
        assert info.value.code is ErrorCode.MALFORMED_PAYLOAD
    with pytest.raises(ProtocolError) as info:
        CODEC.decode_envelope({"kind": "test.open_position"})
    assert info.value.code is ErrorCode.MALFORMED_PAYLOAD


def test_json_float_is_not_an_amount():
    _, payload = CODEC.encode(_open())
    with pytest.raises(ProtocolError) as info:
        CODEC.decode(
            "test.open_position", payload.replace('"leverage_bps":30000', '"leverage_bps":3e4')
        )
    assert info.value.code is ErrorCode.INVALID_TYPE


def test_encode_refuses_a_command_the_codec_does_not_know():
    @command("test.other")
    class Other:
        value: int

    with pytest.raises(ProtocolError) as info:
        CODEC.encode(Other(value=1))
    assert info.value.code is ErrorCode.UNKNOWN_COMMAND_KIND


def test_declaration_errors_fail_at_set_up():
    with pytest.raises(TypeError):
        command("NotDotted")

    @command("test.float_field")
    class HasFloat:
        price: float

    with pytest.raises(TypeError, match="unsupported field type"):
        CommandCodec([HasFloat])
    with pytest.raises(TypeError, match="share the kind"):
        CommandCodec([OpenPosition, OpenPosition])


@given(
    amount=st.integers(min_value=0, max_value=2**256 - 1),
    pnl=st.integers(min_value=-(2**255), max_value=2**255 - 1),
    account=st.text(min_size=1, max_size=20),
)
def test_any_valid_command_round_trips(amount, pnl, account):
    cmd = _open(
        account=account, pnl_wad=pnl, legs=[{"asset": "A", "side": "LONG", "size_wad": amount}]
    )
    kind, payload = CODEC.encode(cmd)
    assert CODEC.decode(kind, payload) == cmd
    assert CODEC.encode(CODEC.decode(kind, payload)) == (kind, payload)


@given(amount=st.one_of(st.integers(max_value=-1), st.integers(min_value=2**256)))
def test_any_out_of_range_amount_is_rejected(amount):
    with pytest.raises(ProtocolError) as info:
        _open(legs=[{"asset": "A", "side": "LONG", "size_wad": amount}])
    assert info.value.code is ErrorCode.VALUE_OUT_OF_RANGE


@command("test.send")
class Send:
    to: Address
    amount: Uint256


def test_address_fields_are_checked_and_normalised():
    send = Send(to=Address("0x6B175474E89094C44Da98b954EedeAC495271d0F"), amount=1)
    assert send.to == "0x6b175474e89094c44da98b954eedeac495271d0f"
    with pytest.raises(ProtocolError) as info:
        Send(to=Address("alice"), amount=1)
    assert info.value.code is ErrorCode.INVALID_ID
    assert info.value.context["field"] == "to"
