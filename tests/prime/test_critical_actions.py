"""Critical actions (Atlas A.6.1.1.1.3.7 P7/2/6, P7/2/7/1..4; spark-prime.md §1.7), rule by rule.

No upstream test suite exists for these rules (they are Atlas text, run by a multisig and the
Arkis back office), so each test restates one sentence of the rule: >= 3 signers, no entity
able to meet quorum alone (>= 2 entities), the whitelist (collateral agents and the SLL only),
and transfers to a collateral agent only after the MLA and the loan configuration file.
"""

from __future__ import annotations

import doctest
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime import critical_actions
from sparkprime.prime.critical_actions import (
    AccountControls,
    AddSigner,
    AddWhitelistAddress,
    ChangeQuorum,
    CriticalAction,
    DestinationKind,
    Entity,
    ExternalTransfer,
    OriginationSteps,
    Proposal,
    Recipient,
    RemoveSigner,
    SignerSet,
    approve,
    check_withdrawal,
    execute,
    propose,
    transfer_needs_quorum,
)

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
SAF, PL, SOF = Entity.SAF, Entity.PHOENIX_LABS, Entity.SPARK_OPERATIONAL_FACILITATOR
SLL_ADDR = "0x" + "51" * 20
AGENT = "0x" + "a9" * 20
OTHER = "0x" + "0e" * 20

# Three signers from SAF (incl. legal counsel), two from Phoenix Labs, one from the SOF.
SIGNERS = SignerSet.of(
    {"saf1": SAF, "saf2": SAF, "counsel": SAF, "pl1": PL, "pl2": PL, "sof1": SOF}
)


def _controls(signers: SignerSet = SIGNERS) -> AccountControls:
    return AccountControls.with_sll(signers, sll_address=SLL_ADDR)


def _approved(
    action: CriticalAction, who: tuple[str, ...], controls: AccountControls, pid: str = "p"
) -> Proposal:
    p = propose(pid, action, controls=controls)
    for s in who:
        p = approve(p, s, controls=controls)
    return p


def _code(exc: pytest.ExceptionInfo[ProtocolError]) -> ErrorCode:
    return exc.value.code


ADD_AGENT = AddWhitelistAddress(address=AGENT, kind=DestinationKind.COLLATERAL_AGENT, name="CA")


def test_doctests() -> None:
    assert doctest.testmod(critical_actions).failed == 0


# --- quorum rules, one by one -------------------------------------------------------------


def test_three_signers_from_one_entity_refused() -> None:
    controls = _controls()
    p = _approved(ADD_AGENT, ("saf1", "saf2", "counsel"), controls)
    with pytest.raises(ProtocolError) as exc:
        execute(p, controls=controls)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_SINGLE_ENTITY
    assert exc.value.context["entities"] == 1
    assert exc.value.context["min_entities"] == 2


def test_two_signers_from_two_entities_refused() -> None:
    controls = _controls()
    p = _approved(ADD_AGENT, ("saf1", "pl1"), controls)
    with pytest.raises(ProtocolError) as exc:
        execute(p, controls=controls)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_QUORUM_NOT_MET
    assert exc.value.context["signers"] == 2
    assert exc.value.context["min_signers"] == 3


@pytest.mark.parametrize(
    "who",
    [
        ("saf1", "saf2", "pl1"),
        ("saf1", "pl1", "sof1"),
        ("counsel", "pl1", "pl2"),
        ("pl1", "pl2", "sof1"),
    ],
)
def test_three_signers_from_two_or_more_entities_accepted(who: tuple[str, ...]) -> None:
    controls = _controls()
    after = execute(_approved(ADD_AGENT, who, controls), controls=controls)
    entry = after.whitelisted(AGENT)
    assert entry is not None
    assert entry.kind is DestinationKind.COLLATERAL_AGENT
    assert "p" in after.executed
    assert controls.whitelisted(AGENT) is None  # the input is untouched


def test_unknown_signer_cannot_approve() -> None:
    controls = _controls()
    p = propose("p", ADD_AGENT, controls=controls)
    with pytest.raises(ProtocolError) as exc:
        approve(p, "mallory", controls=controls)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_UNKNOWN_SIGNER
    assert exc.value.context["signer"] == "mallory"


def test_duplicate_approval_refused_and_does_not_count_twice() -> None:
    controls = _controls()
    p = _approved(ADD_AGENT, ("saf1", "pl1"), controls)
    with pytest.raises(ProtocolError) as exc:
        approve(p, "saf1", controls=controls)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_DUPLICATE_APPROVAL
    assert p.approvals == frozenset({"saf1", "pl1"})


def test_proposal_cannot_execute_twice() -> None:
    controls = _controls()
    p = _approved(ADD_AGENT, ("saf1", "pl1", "sof1"), controls)
    after = execute(p, controls=controls)
    with pytest.raises(ProtocolError) as exc:
        execute(p, controls=after)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_PROPOSAL_EXECUTED
    with pytest.raises(ProtocolError) as exc2:
        approve(p, "pl2", controls=after)
    assert _code(exc2) is ErrorCode.PRIME_CRITICAL_PROPOSAL_EXECUTED


def test_approval_of_a_removed_signer_no_longer_counts() -> None:
    controls = _controls()
    add = _approved(ADD_AGENT, ("saf1", "pl1", "sof1"), controls)
    remove = propose("rm", RemoveSigner(signer="sof1"), controls=controls)
    for s in ("saf1", "saf2", "pl2"):
        remove = approve(remove, s, controls=controls)
    controls2 = execute(remove, controls=controls)
    with pytest.raises(ProtocolError) as exc:
        execute(add, controls=controls2)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_QUORUM_NOT_MET
    assert exc.value.context["signers"] == 2


@pytest.mark.parametrize(
    ("min_signers", "min_entities", "code"),
    [
        (2, 2, ErrorCode.PRIME_CRITICAL_INVALID_QUORUM),  # fewer than 3 signers
        (3, 1, ErrorCode.PRIME_CRITICAL_INVALID_QUORUM),  # one entity could meet quorum alone
        (4, 1, ErrorCode.PRIME_CRITICAL_INVALID_QUORUM),
        (3, 4, ErrorCode.PRIME_CRITICAL_INVALID_QUORUM),  # more entities than signers
        (7, 2, ErrorCode.PRIME_CRITICAL_QUORUM_UNREACHABLE),  # only 6 signers
        (3, 3, None),  # one from each entity
        (6, 3, None),  # everyone
        (4, 2, None),
    ],
)
def test_quorum_change(min_signers: int, min_entities: int, code: ErrorCode | None) -> None:
    controls = _controls()
    action = ChangeQuorum(min_signers=min_signers, min_entities=min_entities)
    if code is not None:
        with pytest.raises(ProtocolError) as exc:
            propose("q", action, controls=controls)
        assert _code(exc) is code
        # Even a proposal built by hand (skipping propose) cannot execute it.
        p = Proposal(proposal_id="q", action=action, approvals=frozenset({"saf1", "pl1", "sof1"}))
        with pytest.raises(ProtocolError) as exc2:
            execute(p, controls=controls)
        assert _code(exc2) is code
        return
    after = execute(_approved(action, ("saf1", "pl1", "sof1"), controls), controls=controls)
    assert (after.signers.min_signers, after.signers.min_entities) == (min_signers, min_entities)
    assert after.signers.signers == controls.signers.signers


def test_raised_quorum_then_binds() -> None:
    controls = _controls()
    change = ChangeQuorum(min_signers=4, min_entities=3)
    after = execute(_approved(change, ("saf1", "pl1", "sof1"), controls, "q"), controls=controls)
    # 4 signers from SAF and Phoenix Labs only: 2 entities < 3.
    p = _approved(ADD_AGENT, ("saf1", "saf2", "pl1", "pl2"), after)
    with pytest.raises(ProtocolError) as exc:
        execute(p, controls=after)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_SINGLE_ENTITY
    p2 = approve(p, "sof1", controls=after)
    assert execute(p2, controls=after).whitelisted(AGENT) is not None


def test_signer_set_cannot_be_built_unreachable() -> None:
    with pytest.raises(ProtocolError) as exc:
        SignerSet.of({"a": SAF, "b": SAF, "c": SAF})  # 3 signers, 1 entity
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_QUORUM_UNREACHABLE
    with pytest.raises(ProtocolError) as exc2:
        SignerSet.of({"a": SAF, "b": PL})  # 2 signers
    assert _code(exc2) is ErrorCode.PRIME_CRITICAL_QUORUM_UNREACHABLE
    with pytest.raises(ProtocolError) as exc3:
        SignerSet.of({"a": SAF, "b": PL, "c": SOF}, min_signers=2)
    assert _code(exc3) is ErrorCode.PRIME_CRITICAL_INVALID_QUORUM
    with pytest.raises(ProtocolError) as exc4:
        SignerSet(signers=(("a", SAF), ("a", PL), ("b", SOF)))
    assert _code(exc4) is ErrorCode.PRIME_CRITICAL_SIGNER_EXISTS
    assert SignerSet.of({"a": SAF, "b": SAF, "c": PL}).entity_of("c") is PL


def test_add_signer() -> None:
    controls = _controls()
    action = AddSigner(signer="sof2", entity=SOF)
    after = execute(_approved(action, ("saf1", "pl1", "sof1"), controls), controls=controls)
    assert after.signers.entity_of("sof2") is SOF
    with pytest.raises(ProtocolError) as exc:
        propose("again", AddSigner(signer="pl1", entity=SAF), controls=after)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_SIGNER_EXISTS
    assert exc.value.context["entity"] is PL


def test_removal_that_makes_quorum_unreachable_refused() -> None:
    # Minimal set: 3 signers from 2 entities. Removing either PL signer leaves one entity;
    # removing any signer leaves 2 < 3 signers.
    small = _controls(SignerSet.of({"saf1": SAF, "saf2": SAF, "pl1": PL}))
    action = RemoveSigner(signer="pl1")
    with pytest.raises(ProtocolError) as exc:
        propose("rm", action, controls=small)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_QUORUM_UNREACHABLE
    # Four signers, only one outside SAF: removing it leaves signers from one entity.
    four = _controls(SignerSet.of({"saf1": SAF, "saf2": SAF, "counsel": SAF, "pl1": PL}))
    p = Proposal(proposal_id="rm", action=action, approvals=frozenset({"saf1", "saf2", "pl1"}))
    with pytest.raises(ProtocolError) as exc2:
        execute(p, controls=four)
    assert _code(exc2) is ErrorCode.PRIME_CRITICAL_QUORUM_UNREACHABLE
    assert "1 entity" in exc2.value.message
    # Removing a SAF signer instead is fine.
    ok = Proposal(proposal_id="rm2", action=RemoveSigner(signer="counsel"),
                  approvals=frozenset({"saf1", "saf2", "pl1"}))  # fmt: skip
    after = execute(ok, controls=four)
    assert dict(after.signers.signers) == {"saf1": SAF, "saf2": SAF, "pl1": PL}


def test_remove_unknown_signer_refused() -> None:
    with pytest.raises(ProtocolError) as exc:
        propose("rm", RemoveSigner(signer="nobody"), controls=_controls())
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_UNKNOWN_SIGNER


# --- external transfers ------------------------------------------------------------------


def test_transfers_to_saf_foundation_sll_are_not_critical() -> None:
    assert [transfer_needs_quorum(r) for r in Recipient] == [False, False, False, True]
    for r in (Recipient.SAF, Recipient.SPARK_FOUNDATION, Recipient.SLL):
        with pytest.raises(ProtocolError) as exc:
            ExternalTransfer(to=OTHER, recipient=r, asset="USDC", amount=1)
        assert _code(exc) is ErrorCode.PRIME_CRITICAL_INVALID_ACTION


def test_external_transfer_needs_quorum() -> None:
    controls = _controls()
    t = ExternalTransfer(to=OTHER, recipient=Recipient.EXTERNAL, asset="USDC", amount=5_000_000)
    with pytest.raises(ProtocolError) as exc:
        execute(_approved(t, ("saf1", "saf2", "counsel"), controls), controls=controls)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_SINGLE_ENTITY
    after = execute(_approved(t, ("saf1", "saf2", "sof1"), controls), controls=controls)
    assert after.transfers == (t,)
    with pytest.raises(ProtocolError) as exc2:
        ExternalTransfer(to=OTHER, recipient=Recipient.EXTERNAL, asset="USDC", amount=0)
    assert _code(exc2) is ErrorCode.PRIME_CRITICAL_INVALID_ACTION


# --- the whitelist -----------------------------------------------------------------------


def test_withdrawal_to_sll_always_allowed() -> None:
    controls = _controls()
    entry = check_withdrawal(controls, SLL_ADDR)
    assert entry.kind is DestinationKind.SLL
    # Upper-case hex is the same address.
    assert check_withdrawal(controls, SLL_ADDR.upper().replace("0X", "0x")) == entry


def test_withdrawal_to_unlisted_address_refused() -> None:
    with pytest.raises(ProtocolError) as exc:
        check_withdrawal(_controls(), OTHER)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_NOT_WHITELISTED
    assert exc.value.context["to"] == OTHER


@pytest.mark.parametrize(
    ("steps", "missing"),
    [
        (None, "no loan origination given"),
        (OriginationSteps(loan_id="L1", mla_executed=False, config_file_sent=True), "MLA"),
        (
            OriginationSteps(loan_id="L1", mla_executed=True, config_file_sent=False),
            "configuration",
        ),
        (OriginationSteps(loan_id="L1", mla_executed=False, config_file_sent=False), "MLA"),
    ],
)
def test_collateral_agent_only_after_origination(
    steps: OriginationSteps | None, missing: str
) -> None:
    controls = _controls()
    listed = execute(_approved(ADD_AGENT, ("saf1", "pl1", "sof1"), controls), controls=controls)
    with pytest.raises(ProtocolError) as exc:
        check_withdrawal(listed, AGENT, origination=steps)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_ORIGINATION_INCOMPLETE
    assert missing in exc.value.context["missing"]


def test_collateral_agent_after_mla_and_config_file() -> None:
    controls = _controls()
    listed = execute(_approved(ADD_AGENT, ("saf1", "pl1", "sof1"), controls), controls=controls)
    done = OriginationSteps(loan_id="L1", mla_executed=True, config_file_sent=True)
    assert (
        check_withdrawal(listed, AGENT, origination=done).kind is DestinationKind.COLLATERAL_AGENT
    )


def test_whitelisting_twice_refused() -> None:
    controls = _controls()
    listed = execute(_approved(ADD_AGENT, ("saf1", "pl1", "sof1"), controls), controls=controls)
    with pytest.raises(ProtocolError) as exc:
        propose("again", ADD_AGENT, controls=listed)
    assert _code(exc) is ErrorCode.PRIME_CRITICAL_ALREADY_WHITELISTED
    sll_again = AddWhitelistAddress(address=SLL_ADDR, kind=DestinationKind.SLL, name="SLL")
    with pytest.raises(ProtocolError) as exc2:
        propose("sll", sll_again, controls=listed)
    assert _code(exc2) is ErrorCode.PRIME_CRITICAL_ALREADY_WHITELISTED


def test_bad_address_refused() -> None:
    bad = AddWhitelistAddress(address="0x1234", kind=DestinationKind.SLL, name="x")
    with pytest.raises(ProtocolError) as exc:
        propose("bad", bad, controls=_controls())
    assert _code(exc) is ErrorCode.INVALID_ID


# --- property: quorum = >= min_signers distinct current signers from >= min_entities ------

_NAMES = [n for n, _ in SIGNERS.signers]


@settings(max_examples=100 * FUZZ, deadline=None)
@given(st.lists(st.sampled_from([*_NAMES, "x1", "x2"]), max_size=10))
def test_execute_iff_quorum(who: list[str]) -> None:
    controls = _controls()
    p = propose("p", ADD_AGENT, controls=controls)
    members = dict(SIGNERS.signers)
    accepted: list[str] = []
    for s in who:
        if s not in members or s in accepted:
            with pytest.raises(ProtocolError) as exc:
                approve(p, s, controls=controls)
            assert _code(exc) in (
                ErrorCode.PRIME_CRITICAL_UNKNOWN_SIGNER,
                ErrorCode.PRIME_CRITICAL_DUPLICATE_APPROVAL,
            )
            continue
        p = approve(p, s, controls=controls)
        accepted.append(s)
    assert p.approvals == frozenset(accepted)
    assert len(accepted) == len(set(accepted))
    assert all(s in members for s in accepted)
    meets = len(accepted) >= 3 and len({members[s] for s in accepted}) >= 2
    snapshot = (controls, p)
    try:
        after = execute(p, controls=controls)
    except ProtocolError:
        assert not meets
        assert (controls, p) == snapshot
        assert controls.whitelisted(AGENT) is None
    else:
        assert meets
        assert after.whitelisted(AGENT) is not None
