"""Critical actions on the Spark Prime (Arkis) account: quorum, signers and the whitelist.

Atlas A.6.1.1.1.3.7 P7/2/6 and P7/2/7/1..4 (spark-prime.md §1.7; next-gen-atlas `4101dc75`,
`content/A/6/1/1/1/3/7/2/7/*/document.md`):

- the **critical actions** are: adding a withdrawal address to the whitelist, adding or
  removing signers, changing the quorum, and transferring funds to an external entity other
  than SAF, the Spark Foundation or the SLL;
- a critical action needs **at least 3 signers**, and no single entity may be able to meet
  quorum alone, so **at least 2 independent entities** must approve. Signers come from SAF
  (including its legal counsel), Phoenix Labs and the Spark Operational Facilitator;
- withdrawals go only to whitelisted addresses: an **approved collateral agent** (which
  forwards funds to the borrower at origination) or the **SLL**. A transfer to a collateral
  agent is allowed only once the loan's origination steps are complete (the final MLA is
  executed and the loan configuration file was sent); a transfer to the SLL is always allowed.

The quorum is modelled literally as two numbers, `min_signers` (>= 3) and `min_entities`
(>= 2), both checked when a proposal executes; a `SignerSet` whose quorum could not be met by
its own signers (too few signers, or signers from too few entities) is refused, and so is any
change (a removal, a quorum change) that would make it so. Everything is a pure function over
frozen records: `propose` -> `approve` (once per signer) -> `execute`, which returns the new
`AccountControls`; a refused call raises `ProtocolError` and its inputs are unchanged. Only
approvals by signers still in the set when the proposal executes count.

Example:
    >>> signers = SignerSet.of({"s1": Entity.SAF, "s2": Entity.SAF, "p1": Entity.PHOENIX_LABS})
    >>> controls = AccountControls(signers=signers)
    >>> p = propose("add-agent", AddWhitelistAddress(
    ...     address="0x" + "aa" * 20, kind=DestinationKind.COLLATERAL_AGENT, name="agent"),
    ...     controls=controls)
    >>> for s in ("s1", "s2", "p1"):
    ...     p = approve(p, s, controls=controls)
    >>> after = execute(p, controls=controls)
    >>> after.whitelisted("0x" + "aa" * 20).kind.value
    'collateral_agent'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final, TypeAlias

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import parse_address

__all__ = [
    "MIN_ENTITIES_FLOOR",
    "MIN_SIGNERS_FLOOR",
    "AccountControls",
    "AddSigner",
    "AddWhitelistAddress",
    "ChangeQuorum",
    "CriticalAction",
    "DestinationKind",
    "Entity",
    "ExternalTransfer",
    "OriginationSteps",
    "Proposal",
    "Recipient",
    "RemoveSigner",
    "SignerSet",
    "WhitelistEntry",
    "approve",
    "check_quorum",
    "check_withdrawal",
    "execute",
    "propose",
    "transfer_needs_quorum",
]

MIN_SIGNERS_FLOOR: Final = 3  # "at least 3 signers" (P7/2/7)
MIN_ENTITIES_FLOOR: Final = 2  # "no single entity may be able to meet quorum alone"


class Entity(StrEnum):
    """The entities signers may come from (P7/2/7)."""

    SAF = "saf"  # Spark Assets Foundation, including its legal counsel
    PHOENIX_LABS = "phoenix_labs"
    SPARK_OPERATIONAL_FACILITATOR = "spark_operational_facilitator"


class DestinationKind(StrEnum):
    """What a whitelisted withdrawal address is."""

    COLLATERAL_AGENT = "collateral_agent"
    SLL = "sll"


class Recipient(StrEnum):
    """Who receives a transfer; only EXTERNAL makes it a critical action."""

    SAF = "saf"
    SPARK_FOUNDATION = "spark_foundation"
    SLL = "sll"
    EXTERNAL = "external"


def transfer_needs_quorum(recipient: Recipient) -> bool:
    """A transfer is critical unless it goes to SAF, the Spark Foundation or the SLL.

    >>> transfer_needs_quorum(Recipient.SLL), transfer_needs_quorum(Recipient.EXTERNAL)
    (False, True)
    """
    return recipient is Recipient.EXTERNAL


def _quorum_reason(min_signers: int, min_entities: int) -> str | None:
    if min_signers < MIN_SIGNERS_FLOOR:
        return f"at least {MIN_SIGNERS_FLOOR} signers are required"
    if min_entities < MIN_ENTITIES_FLOOR:
        return "a single entity could meet quorum alone"
    if min_entities > min_signers:
        return "more entities than signers can never approve"
    return None


def _unreachable_reason(signers: Mapping[str, Entity], min_signers: int, min_entities: int) -> str:
    entities = len(set(signers.values()))
    if len(signers) < min_signers:
        return f"only {len(signers)} signer(s)"
    if entities < min_entities:
        return f"signers from only {entities} entity(ies)"
    return ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SignerSet:
    """Signers (id -> entity) and the quorum: `min_signers` distinct signers from at least
    `min_entities` distinct entities. Refused when the quorum breaks the Atlas floor or when
    these signers could not meet it."""

    signers: tuple[tuple[str, Entity], ...]
    min_signers: int = MIN_SIGNERS_FLOOR
    min_entities: int = MIN_ENTITIES_FLOOR

    @classmethod
    def of(
        cls,
        signers: Mapping[str, Entity],
        *,
        min_signers: int = MIN_SIGNERS_FLOOR,
        min_entities: int = MIN_ENTITIES_FLOOR,
    ) -> SignerSet:
        return cls(
            signers=tuple(sorted(signers.items())),
            min_signers=min_signers,
            min_entities=min_entities,
        )

    def __post_init__(self) -> None:
        for name in ("min_signers", "min_entities"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool):
                raise ProtocolError(
                    ErrorCode.INVALID_TYPE, field=name, expected="int", got=type(v).__name__
                )
        reason = _quorum_reason(self.min_signers, self.min_entities)
        if reason is not None:
            raise ProtocolError(
                ErrorCode.PRIME_CRITICAL_INVALID_QUORUM,
                min_signers=self.min_signers,
                min_entities=self.min_entities,
                reason=reason,
            )
        seen: dict[str, Entity] = {}
        for signer, entity in self.signers:
            if not isinstance(signer, str) or not signer:
                raise ProtocolError(
                    ErrorCode.PRIME_CRITICAL_INVALID_ACTION,
                    action="signer set",
                    reason=f"signer id {signer!r} must be a non-empty string",
                )
            if not isinstance(entity, Entity):
                raise ProtocolError(
                    ErrorCode.PRIME_CRITICAL_INVALID_ACTION,
                    action="signer set",
                    reason=f"{entity!r} is not one of {', '.join(e.value for e in Entity)}",
                )
            if signer in seen:
                raise ProtocolError(
                    ErrorCode.PRIME_CRITICAL_SIGNER_EXISTS, signer=signer, entity=seen[signer]
                )
            seen[signer] = entity
        unreachable = _unreachable_reason(seen, self.min_signers, self.min_entities)
        if unreachable:
            raise ProtocolError(
                ErrorCode.PRIME_CRITICAL_QUORUM_UNREACHABLE,
                reason=unreachable,
                min_signers=self.min_signers,
                min_entities=self.min_entities,
            )

    def as_dict(self) -> dict[str, Entity]:
        return dict(self.signers)

    def entity_of(self, signer: str) -> Entity:
        """The signer's entity; PRIME_CRITICAL_UNKNOWN_SIGNER if `signer` is not in the set."""
        for s, entity in self.signers:
            if s == signer:
                return entity
        raise ProtocolError(ErrorCode.PRIME_CRITICAL_UNKNOWN_SIGNER, signer=signer)


@dataclass(frozen=True, slots=True, kw_only=True)
class WhitelistEntry:
    """A withdrawal destination: an approved collateral agent or the SLL."""

    address: str
    kind: DestinationKind
    name: str


# --- the critical actions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AddWhitelistAddress:
    address: str
    kind: DestinationKind
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AddSigner:
    signer: str
    entity: Entity


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveSigner:
    signer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeQuorum:
    min_signers: int
    min_entities: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalTransfer:
    """Funds to an entity other than SAF, the Spark Foundation or the SLL (those need no
    quorum: see `transfer_needs_quorum`)."""

    to: str
    recipient: Recipient
    asset: str
    amount: int

    def __post_init__(self) -> None:
        if not transfer_needs_quorum(self.recipient):
            raise ProtocolError(
                ErrorCode.PRIME_CRITICAL_INVALID_ACTION,
                action="external transfer",
                reason=f"a transfer to {self.recipient.value} is not a critical action",
            )
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount <= 0:
            raise ProtocolError(
                ErrorCode.PRIME_CRITICAL_INVALID_ACTION,
                action="external transfer",
                reason=f"amount {self.amount!r} must be a positive int",
            )


CriticalAction: TypeAlias = (
    AddWhitelistAddress | AddSigner | RemoveSigner | ChangeQuorum | ExternalTransfer
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountControls:
    """The account's signers, quorum, whitelist and executed proposal ids.

    The SLL is whitelisted from the start (withdrawals to it are always allowed) when
    `sll_address` is given.
    """

    signers: SignerSet
    whitelist: tuple[WhitelistEntry, ...] = ()
    executed: frozenset[str] = field(default_factory=frozenset)
    transfers: tuple[ExternalTransfer, ...] = ()  # approved external transfers, in order

    @classmethod
    def with_sll(cls, signers: SignerSet, *, sll_address: str) -> AccountControls:
        addr = parse_address(sll_address, field="sll_address")
        return cls(
            signers=signers,
            whitelist=(WhitelistEntry(address=addr, kind=DestinationKind.SLL, name="SLL"),),
        )

    def whitelisted(self, address: str) -> WhitelistEntry | None:
        addr = parse_address(address, field="address")
        for entry in self.whitelist:
            if entry.address == addr:
                return entry
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposal:
    """A critical action awaiting approvals; `approvals` are signer ids."""

    proposal_id: str
    action: CriticalAction
    approvals: frozenset[str] = field(default_factory=frozenset)


def _validate_action(action: CriticalAction, controls: AccountControls) -> AccountControls:
    """The controls after `action`; raises (changing nothing) if the action is not allowed."""
    signers = controls.signers
    if isinstance(action, AddWhitelistAddress):
        addr = parse_address(action.address, field="address")
        if not isinstance(action.kind, DestinationKind):
            raise ProtocolError(
                ErrorCode.PRIME_CRITICAL_INVALID_ACTION,
                action="add whitelist address",
                reason=f"{action.kind!r} is not a destination kind",
            )
        found = controls.whitelisted(addr)
        if found is not None:
            raise ProtocolError(
                ErrorCode.PRIME_CRITICAL_ALREADY_WHITELISTED, address=addr, kind=found.kind
            )
        entry = WhitelistEntry(address=addr, kind=action.kind, name=action.name)
        return replace(controls, whitelist=(*controls.whitelist, entry))
    if isinstance(action, AddSigner):
        current = signers.as_dict()
        if action.signer in current:
            raise ProtocolError(
                ErrorCode.PRIME_CRITICAL_SIGNER_EXISTS,
                signer=action.signer,
                entity=current[action.signer],
            )
        current[action.signer] = action.entity
        return replace(controls, signers=SignerSet.of(
            current, min_signers=signers.min_signers, min_entities=signers.min_entities
        ))  # fmt: skip
    if isinstance(action, RemoveSigner):
        signers.entity_of(action.signer)  # unknown signer -> error
        current = signers.as_dict()
        del current[action.signer]
        reason = _unreachable_reason(current, signers.min_signers, signers.min_entities)
        if reason:
            raise ProtocolError(
                ErrorCode.PRIME_CRITICAL_QUORUM_UNREACHABLE,
                reason=f"removing {action.signer!r} leaves {reason.removeprefix('only ')}",
                min_signers=signers.min_signers,
                min_entities=signers.min_entities,
            )
        return replace(controls, signers=SignerSet.of(
            current, min_signers=signers.min_signers, min_entities=signers.min_entities
        ))  # fmt: skip
    if isinstance(action, ChangeQuorum):
        new = SignerSet(
            signers=signers.signers,
            min_signers=action.min_signers,
            min_entities=action.min_entities,
        )
        return replace(controls, signers=new)
    if isinstance(action, ExternalTransfer):
        return replace(controls, transfers=(*controls.transfers, action))
    raise ProtocolError(
        ErrorCode.PRIME_CRITICAL_INVALID_ACTION,
        action=type(action).__name__,
        reason="not a critical action",
    )


def _check_open(proposal: Proposal, controls: AccountControls) -> None:
    if proposal.proposal_id in controls.executed:
        raise ProtocolError(
            ErrorCode.PRIME_CRITICAL_PROPOSAL_EXECUTED, proposal_id=proposal.proposal_id
        )


def propose(proposal_id: str, action: CriticalAction, *, controls: AccountControls) -> Proposal:
    """A new proposal with no approvals; the action is checked against today's controls."""
    if not isinstance(proposal_id, str) or not proposal_id:
        raise ProtocolError(
            ErrorCode.PRIME_CRITICAL_INVALID_ACTION,
            action="propose",
            reason=f"proposal id {proposal_id!r} must be a non-empty string",
        )
    proposal = Proposal(proposal_id=proposal_id, action=action)
    _check_open(proposal, controls)
    _validate_action(action, controls)
    return proposal


def approve(proposal: Proposal, signer: str, *, controls: AccountControls) -> Proposal:
    """`proposal` with `signer`'s approval; unknown or repeated signers are refused."""
    _check_open(proposal, controls)
    controls.signers.entity_of(signer)
    if signer in proposal.approvals:
        raise ProtocolError(
            ErrorCode.PRIME_CRITICAL_DUPLICATE_APPROVAL,
            signer=signer,
            proposal_id=proposal.proposal_id,
        )
    return replace(proposal, approvals=proposal.approvals | {signer})


def check_quorum(proposal: Proposal, signers: SignerSet) -> None:
    """Raise unless the approvals by current signers reach `min_signers` distinct signers
    from `min_entities` distinct entities."""
    members = signers.as_dict()
    counted = [s for s in proposal.approvals if s in members]
    if len(counted) < signers.min_signers:
        raise ProtocolError(
            ErrorCode.PRIME_CRITICAL_QUORUM_NOT_MET,
            proposal_id=proposal.proposal_id,
            signers=len(counted),
            min_signers=signers.min_signers,
        )
    entities = {members[s] for s in counted}
    if len(entities) < signers.min_entities:
        raise ProtocolError(
            ErrorCode.PRIME_CRITICAL_SINGLE_ENTITY,
            proposal_id=proposal.proposal_id,
            entities=len(entities),
            min_entities=signers.min_entities,
        )


def execute(proposal: Proposal, *, controls: AccountControls) -> AccountControls:
    """The controls after the proposal's action, once quorum is met; the proposal id is
    recorded so it cannot run twice."""
    _check_open(proposal, controls)
    check_quorum(proposal, controls.signers)
    after = _validate_action(proposal.action, controls)
    return replace(after, executed=after.executed | {proposal.proposal_id})


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginationSteps:
    """Where a loan's origination stands (P7/2/7/4)."""

    loan_id: str
    mla_executed: bool
    config_file_sent: bool


def check_withdrawal(
    controls: AccountControls, to: str, *, origination: OriginationSteps | None = None
) -> WhitelistEntry:
    """The whitelist entry a withdrawal to `to` may use, or a ProtocolError.

    The SLL: always. A collateral agent: only for a loan whose MLA is executed and whose
    loan configuration file was sent. Anything else: not whitelisted.
    """
    entry = controls.whitelisted(to)
    if entry is None:
        raise ProtocolError(ErrorCode.PRIME_CRITICAL_NOT_WHITELISTED, to=to)
    if entry.kind is DestinationKind.SLL:
        return entry
    missing: list[str] = []
    if origination is None:
        missing.append("no loan origination given")
    else:
        if not origination.mla_executed:
            missing.append("the final MLA is not executed")
        if not origination.config_file_sent:
            missing.append("the loan configuration file was not sent")
    if missing:
        raise ProtocolError(
            ErrorCode.PRIME_CRITICAL_ORIGINATION_INCOMPLETE,
            to=entry.address,
            loan_id=origination.loan_id if origination is not None else None,
            missing="; ".join(missing),
        )
    return entry
