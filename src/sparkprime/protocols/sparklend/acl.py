"""Roles, as SparkLend's `ACLManager` (OpenZeppelin AccessControl) keeps them.

A role is a name here, where the contract uses its keccak256 (`POOL_ADMIN` for
`keccak256('POOL_ADMIN')`); `DEFAULT_ADMIN` is the contract's `0x00` role, the admin of every
role unless `set_role_admin` says otherwise. `ISOLATED_COLLATERAL_SUPPLIER` is not an
ACLManager constant but a role the Pool asks about (ValidationLogic), granted with
`grant_role`.

AccessControl reverts with "AccessControl: account ... is missing role ..." when a caller
lacks the admin role of the role it grants or revokes: `MISSING_ROLE`.

Example:
    >>> acl = Acl(admin=Address("0x" + "01" * 20))
    >>> acl.add_pool_admin(Address("0x" + "02" * 20), sender=Address("0x" + "01" * 20))
    >>> acl.is_pool_admin(Address("0x" + "02" * 20))
    True
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address

__all__ = [
    "ASSET_LISTING_ADMIN",
    "BRIDGE",
    "DEFAULT_ADMIN",
    "EMERGENCY_ADMIN",
    "FLASH_BORROWER",
    "ISOLATED_COLLATERAL_SUPPLIER",
    "POOL_ADMIN",
    "RISK_ADMIN",
    "Acl",
]

DEFAULT_ADMIN: Final = "DEFAULT_ADMIN"
POOL_ADMIN: Final = "POOL_ADMIN"
EMERGENCY_ADMIN: Final = "EMERGENCY_ADMIN"
RISK_ADMIN: Final = "RISK_ADMIN"
FLASH_BORROWER: Final = "FLASH_BORROWER"
BRIDGE: Final = "BRIDGE"
ASSET_LISTING_ADMIN: Final = "ASSET_LISTING_ADMIN"
ISOLATED_COLLATERAL_SUPPLIER: Final = "ISOLATED_COLLATERAL_SUPPLIER"


class Acl:
    """Role membership with per-role admin roles, like AccessControl + ACLManager."""

    __slots__ = ("_admin_of", "_members")

    def __init__(self, *, admin: Address) -> None:
        self._members: dict[str, set[Address]] = {DEFAULT_ADMIN: {admin}}
        self._admin_of: dict[str, str] = {}

    # --- AccessControl ---

    def has_role(self, role: str, account: Address) -> bool:
        """Whether `account` holds `role`."""
        members = self._members.get(role)
        return members is not None and account in members

    def get_role_admin(self, role: str) -> str:
        """The role whose holders may grant and revoke `role`."""
        return self._admin_of.get(role, DEFAULT_ADMIN)

    def grant_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Give `account` the role; `sender` must hold the role's admin role."""
        self._check_role(self.get_role_admin(role), sender)
        self._members.setdefault(role, set()).add(account)

    def revoke_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Take the role from `account`; `sender` must hold the role's admin role."""
        self._check_role(self.get_role_admin(role), sender)
        self._members.get(role, set()).discard(account)

    def renounce_role(self, role: str, account: Address, *, sender: Address) -> None:
        """`account` gives up its own role (AccessControl: only for itself)."""
        if account != sender:
            raise ProtocolError(
                ErrorCode.MISSING_ROLE,
                reason="AccessControl: can only renounce roles for self",
                role=role,
                account=sender,
            )
        self._members.get(role, set()).discard(account)

    def set_role_admin(self, role: str, admin_role: str, *, sender: Address) -> None:
        """ACLManager.setRoleAdmin: only DEFAULT_ADMIN holders."""
        self._check_role(DEFAULT_ADMIN, sender)
        self._admin_of[role] = admin_role

    # --- ACLManager helpers ---

    def add_pool_admin(self, account: Address, *, sender: Address) -> None:
        """Grant POOL_ADMIN."""
        self.grant_role(POOL_ADMIN, account, sender=sender)

    def add_emergency_admin(self, account: Address, *, sender: Address) -> None:
        """Grant EMERGENCY_ADMIN."""
        self.grant_role(EMERGENCY_ADMIN, account, sender=sender)

    def add_risk_admin(self, account: Address, *, sender: Address) -> None:
        """Grant RISK_ADMIN."""
        self.grant_role(RISK_ADMIN, account, sender=sender)

    def add_flash_borrower(self, account: Address, *, sender: Address) -> None:
        """Grant FLASH_BORROWER."""
        self.grant_role(FLASH_BORROWER, account, sender=sender)

    def is_pool_admin(self, account: Address) -> bool:
        """Holds POOL_ADMIN."""
        return self.has_role(POOL_ADMIN, account)

    def is_emergency_admin(self, account: Address) -> bool:
        """Holds EMERGENCY_ADMIN."""
        return self.has_role(EMERGENCY_ADMIN, account)

    def is_risk_admin(self, account: Address) -> bool:
        """Holds RISK_ADMIN."""
        return self.has_role(RISK_ADMIN, account)

    def is_flash_borrower(self, account: Address) -> bool:
        """Holds FLASH_BORROWER."""
        return self.has_role(FLASH_BORROWER, account)

    # --- state ---

    def snapshot(self) -> dict[str, object]:
        """JSON-able state: members per role (sorted) and the admin-role overrides."""
        return {
            "members": {r: sorted(m) for r, m in sorted(self._members.items()) if m},
            "admin_of": dict(sorted(self._admin_of.items())),
        }

    def load(self, data: dict[str, object]) -> None:
        """Replace the state with what `snapshot` returned."""
        members = data["members"]
        admin_of = data["admin_of"]
        if not isinstance(members, dict) or not isinstance(admin_of, dict):
            raise ProtocolError(ErrorCode.MALFORMED_PAYLOAD, reason="acl snapshot shape")
        self._members = {str(r): {Address(a) for a in m} for r, m in members.items()}
        self._admin_of = {str(r): str(a) for r, a in admin_of.items()}

    def _check_role(self, role: str, account: Address) -> None:
        if not self.has_role(role, account):
            raise ProtocolError(ErrorCode.MISSING_ROLE, role=role, account=account)
