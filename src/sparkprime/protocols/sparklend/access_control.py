"""OpenZeppelin v5 `Ownable` and `AccessControlEnumerable`, for the periphery contracts.

KillSwitchOracle and CapAutomator v1.0 are `Ownable`; CapAutomator v1.1 is
`AccessControlEnumerable`. OpenZeppelin reverts with custom errors; this catalogue has no
codes of its own for them, so they are raised as:

- `OwnableUnauthorizedAccount(account)`: `MISSING_ROLE`, `role="owner"`;
- `OwnableInvalidOwner(address(0))`: `INVALID_ID`, `field="new_owner"`;
- `AccessControlUnauthorizedAccount(account, role)`: `MISSING_ROLE` with that role;
- `AccessControlBadConfirmation()`: `MISSING_ROLE`, the role being renounced;

each with `reason=` naming the Solidity error. Roles are names (`"DEFAULT_ADMIN_ROLE"`,
`"UPDATE_ROLE"`) where the contract uses their keccak256. Role members are kept like
`EnumerableSet`: in insertion order, and a removal moves the last member into the gap.

Writes go through the owning contract's `Atomic`; events go to its `EventLog`.

Example:
    >>> from sparkprime.protocols.atomic import Atomic
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> from sparkprime.protocols.sparklend.events import EventLog
    >>> owned = Ownable(make_addr("owner"), atomic=Atomic(), events=EventLog())
    >>> owned.renounce_ownership(sender=make_addr("owner"))
    >>> owned.owner == ZERO_ADDRESS
    True
"""

from __future__ import annotations

from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["DEFAULT_ADMIN_ROLE", "AccessControlEnumerable", "Ownable", "is_zero_address"]

DEFAULT_ADMIN_ROLE: Final = "DEFAULT_ADMIN_ROLE"


def is_zero_address(address: Address | None) -> bool:
    """`address == address(0)` (None stands for address(0) too)."""
    return address is None or int(address, 16) == 0


class Ownable:
    """A single owner who may hand the contract over or renounce it."""

    __slots__ = ("_atomic", "_owner", "events")

    def __init__(self, owner: Address, *, atomic: Atomic, events: EventLog) -> None:
        if is_zero_address(owner):
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="new_owner",
                value=owner,
                reason="OwnableInvalidOwner(address(0))",
            )
        self._atomic = atomic
        self._owner = owner
        self.events = events

    @property
    def owner(self) -> Address:
        """The current owner (`ZERO_ADDRESS` once renounced)."""
        return self._owner

    def check_owner(self, sender: Address) -> None:
        """`onlyOwner`."""
        if sender != self._owner:
            raise ProtocolError(
                ErrorCode.MISSING_ROLE,
                role="owner",
                account=sender,
                reason=f"OwnableUnauthorizedAccount({sender})",
            )

    def transfer_ownership(self, new_owner: Address, *, sender: Address) -> None:
        """Hand the contract to `new_owner` (not address(0))."""
        self.check_owner(sender)
        if is_zero_address(new_owner):
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="new_owner",
                value=new_owner,
                reason="OwnableInvalidOwner(address(0))",
            )
        transact(self._atomic, self._transfer, new_owner)

    def renounce_ownership(self, *, sender: Address) -> None:
        """Leave the contract without an owner, for good."""
        self.check_owner(sender)
        transact(self._atomic, self._transfer, ZERO_ADDRESS)

    def _transfer(self, new_owner: Address) -> None:
        self._atomic.save(self)
        old = self._owner
        self._owner = new_owner
        self.events.emit(self._atomic, "OwnershipTransferred", old, new_owner)

    def save_fields(self) -> tuple[Any, ...]:
        """(owner,)."""
        return (self._owner,)

    def restore_fields(self, fields: tuple[Any, ...]) -> None:
        """Put the owner back."""
        (self._owner,) = fields


class AccessControlEnumerable:
    """Roles with admin roles, whose members can be listed."""

    __slots__ = ("_admin_of", "_atomic", "_members", "events")

    def __init__(self, *, atomic: Atomic, events: EventLog) -> None:
        self._atomic = atomic
        self._members: dict[str, tuple[Address, ...]] = {}
        self._admin_of: dict[str, str] = {}
        self.events = events

    # --- views ---

    def has_role(self, role: str, account: Address) -> bool:
        """Whether `account` holds `role`."""
        return account in self._members.get(role, ())

    def get_role_admin(self, role: str) -> str:
        """The role whose members grant and revoke `role` (DEFAULT_ADMIN_ROLE unless set)."""
        return self._admin_of.get(role, DEFAULT_ADMIN_ROLE)

    def get_role_member_count(self, role: str) -> int:
        """How many accounts hold `role`."""
        return len(self._members.get(role, ()))

    def get_role_member(self, role: str, index: int) -> Address:
        """The member at `index` (an index past the end is the EVM's out-of-bounds panic)."""
        members = self._members.get(role, ())
        if type(index) is not int or not 0 <= index < len(members):
            raise ProtocolError(
                ErrorCode.VALUE_OUT_OF_RANGE,
                field="index",
                value=index,
                min=0,
                max=len(members) - 1,
                reason="Panic(0x32): array index out of bounds",
            )
        return members[index]

    def get_role_members(self, role: str) -> list[Address]:
        """Every member of `role`, in `EnumerableSet` order."""
        return list(self._members.get(role, ()))

    # --- checks ---

    def check_role(self, role: str, account: Address) -> None:
        """`onlyRole(role)`."""
        if not self.has_role(role, account):
            raise ProtocolError(
                ErrorCode.MISSING_ROLE,
                role=role,
                account=account,
                reason=f"AccessControlUnauthorizedAccount({account}, {role})",
            )

    # --- external ---

    def grant_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Give `account` the role; `sender` must hold the role's admin role."""
        self.check_role(self.get_role_admin(role), sender)
        transact(self._atomic, self.grant, role, account, sender)

    def revoke_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Take the role from `account`; `sender` must hold the role's admin role."""
        self.check_role(self.get_role_admin(role), sender)
        transact(self._atomic, self.revoke, role, account, sender)

    def renounce_role(self, role: str, caller_confirmation: Address, *, sender: Address) -> None:
        """`sender` gives up its own role; `caller_confirmation` must be `sender`."""
        if caller_confirmation != sender:
            raise ProtocolError(
                ErrorCode.MISSING_ROLE,
                role=role,
                account=sender,
                reason="AccessControlBadConfirmation()",
            )
        transact(self._atomic, self.revoke, role, caller_confirmation, sender)

    # --- internal (`_grantRole` / `_revokeRole`), for constructors ---

    def grant(self, role: str, account: Address, sender: Address) -> bool:
        """Add `account` to `role` (no check); True if it was not a member."""
        members = self._members.get(role, ())
        if account in members:
            return False
        self._atomic.set_item(self._members, role, (*members, account))
        self.events.emit(self._atomic, "RoleGranted", role, account, sender)
        return True

    def revoke(self, role: str, account: Address, sender: Address) -> bool:
        """Remove `account` from `role` (no check); True if it was a member."""
        members = list(self._members.get(role, ()))
        if account not in members:
            return False
        index = members.index(account)
        last = members.pop()
        if index < len(members):
            members[index] = last  # EnumerableSet: the last member fills the gap
        self._atomic.set_item(self._members, role, tuple(members))
        self.events.emit(self._atomic, "RoleRevoked", role, account, sender)
        return True

    # --- state ---

    def snapshot(self) -> dict[str, Any]:
        """JSON-able state: members per role (in order) and admin-role overrides."""
        return {
            "members": {r: list(m) for r, m in sorted(self._members.items()) if m},
            "admin_of": dict(sorted(self._admin_of.items())),
        }

    def load(self, data: dict[str, Any]) -> None:
        """Replace the state with what `snapshot` returned (not logged)."""
        members = data.get("members")
        admin_of = data.get("admin_of")
        if not isinstance(members, dict) or not isinstance(admin_of, dict):
            raise ProtocolError(ErrorCode.MALFORMED_PAYLOAD, reason="access control snapshot")
        self._members = {str(r): tuple(Address(a) for a in m) for r, m in members.items()}
        self._admin_of = {str(r): str(a) for r, a in admin_of.items()}
