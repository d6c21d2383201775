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
