"""Spark Liquidity Layer `ALMProxy` (spark-alm-controller `src/ALMProxy.sol`, the
AccessControl version the Mainnet and Foreign controllers of v1.x call; see
`mainnet_controller` for the commit read).

The proxy holds every fund of an ALM deployment: its address owns the ERC-20 balances, the
ERC-4626 shares and the aTokens. It has no logic beyond its roles: `DEFAULT_ADMIN_ROLE`
(governance) grants `CONTROLLER`, and only a `CONTROLLER` may make the proxy call out
(`doCall`). A call from anyone else reverts with OpenZeppelin's
`AccessControlUnauthorizedAccount(account, CONTROLLER)`, raised here as `MISSING_ROLE`.

In Python a venue is called "through" the proxy by calling its method with
`sender=proxy.address`; `do_call(fn, ..., sender=controller)` does exactly that after the
role check, so a controller that lost its role can move nothing.

Example:
    >>> from sparkprime.protocols.atomic import Atomic
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg = TokenRegistry()
    >>> usdc = reg.register(Erc20(make_addr("USDC"), "USDC", 6))
    >>> admin, controller = make_addr("admin"), make_addr("controller")
    >>> proxy = ALMProxy(admin, address=make_addr("almProxy"), atomic=reg.atomic)
    >>> proxy.grant_role(CONTROLLER, controller, sender=admin)
    >>> usdc.mint(proxy.address, 10)
    >>> proxy.do_call(usdc.transfer, make_addr("bob"), 4, sender=controller)
    True
    >>> usdc.balance_of(proxy.address)
    6
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.liquidity_layer.rate_limits import CONTROLLER
from sparkprime.protocols.sparklend.access_control import (
    DEFAULT_ADMIN_ROLE,
    AccessControlEnumerable,
)
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["ALM_PROXY_ROLES", "CONTROLLER", "DEFAULT_ADMIN_ROLE", "ALMProxy"]

_R = TypeVar("_R")

ALM_PROXY_ROLES: Final = (DEFAULT_ADMIN_ROLE, CONTROLLER)


class ALMProxy(AccessControlEnumerable):
    """The account that holds an ALM deployment's funds; controllers act through it."""

    __slots__ = ("address",)

    def __init__(
        self,
        admin: Address,
        *,
        address: Address,
        atomic: Atomic,
        events: EventLog | None = None,
    ) -> None:
        super().__init__(atomic=atomic, events=events if events is not None else EventLog())
        self.address = address
        self.grant(DEFAULT_ADMIN_ROLE, admin, admin)  # constructor: _grantRole, no check

    @property
    def atomic(self) -> Atomic:
        """The chain's undo log (shared with its tokens and venues)."""
        return self._atomic

    def check_controller(self, sender: Address) -> Address:
        """`onlyRole(CONTROLLER)`; return the proxy's address (the `msg.sender` venues see)."""
        self.check_role(CONTROLLER, sender)
        return self.address

    def do_call(self, fn: Callable[..., _R], /, *args: Any, sender: Address, **kwargs: Any) -> _R:
        """`doCall(target, data)`: call `fn(*args, **kwargs, sender=proxy)` for a controller.

        The call is one action of the chain's `Atomic`: a venue that reverts part-way leaves
        nothing behind.
        """
        self.check_controller(sender)
        return transact(self._atomic, fn, *args, sender=self.address, **kwargs)
