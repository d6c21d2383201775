"""ALMProxy (spark-alm-controller v1.x, AccessControl): only a CONTROLLER makes it call
out; anyone else gets AccessControlUnauthorizedAccount(sender, CONTROLLER); the admin grants
and revokes the role. The calls go through Ethereum's deployed proxy on the real network
(`test_controller_helpers.Env`), whose only CONTROLLER after init is the MainnetController."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.alm_proxy import CONTROLLER, DEFAULT_ADMIN_ROLE, ALMProxy
from sparkprime.protocols.sparklend.addresses import make_addr
from tests.protocols.liquidity_layer.test_controller_helpers import Env


def _setup() -> tuple[ALMProxy, Erc20, Address]:
    """The deployed Ethereum proxy holding 100 USDC wei, and its admin."""
    env = Env()
    env.usdc.mint(env.proxy.address, 100)
    return env.proxy, env.usdc, env.admin


def test_roles_after_construction() -> None:
    reg = TokenRegistry()
    proxy = ALMProxy(make_addr("admin"), address=make_addr("almProxy"), atomic=reg.atomic)
    assert proxy.has_role(DEFAULT_ADMIN_ROLE, make_addr("admin"))
    assert proxy.get_role_member_count(CONTROLLER) == 0


def test_roles_after_init() -> None:
    env = Env()
    assert env.proxy.has_role(DEFAULT_ADMIN_ROLE, env.admin)
    assert env.proxy.get_role_member_count(CONTROLLER) == 1
    assert env.proxy.has_role(CONTROLLER, env.controller.address)


def test_do_call_only_controller() -> None:
    proxy, usdc, admin = _setup()
    controller = make_addr("controller")
    for who in (controller, admin):
        with pytest.raises(ProtocolError) as info:
            proxy.do_call(usdc.transfer, make_addr("bob"), 1, sender=who)
        assert info.value.code is ErrorCode.MISSING_ROLE
        assert info.value.context["role"] == CONTROLLER
    assert usdc.balance_of(proxy.address) == 100
    with pytest.raises(ProtocolError):
        proxy.grant_role(CONTROLLER, controller, sender=controller)
    proxy.grant_role(CONTROLLER, controller, sender=admin)
    assert proxy.do_call(usdc.transfer, make_addr("bob"), 40, sender=controller) is True
    assert usdc.balance_of(proxy.address) == 60
    proxy.revoke_role(CONTROLLER, controller, sender=admin)
    with pytest.raises(ProtocolError):
        proxy.do_call(usdc.transfer, make_addr("bob"), 1, sender=controller)
    assert usdc.balance_of(make_addr("bob")) == 40


def test_do_call_is_all_or_nothing() -> None:
    """A call that fails part-way leaves the proxy's balances as they were."""
    proxy, usdc, admin = _setup()
    controller = make_addr("controller")
    proxy.grant_role(CONTROLLER, controller, sender=admin)

    def two_transfers(*, sender: str) -> None:
        usdc.transfer(make_addr("bob"), 60, sender=sender)  # type: ignore[arg-type]
        usdc.transfer(make_addr("bob"), 60, sender=sender)  # type: ignore[arg-type]

    with pytest.raises(ProtocolError) as info:
        proxy.do_call(two_transfers, sender=controller)
    assert info.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert usdc.balance_of(proxy.address) == 100
    assert usdc.balance_of(make_addr("bob")) == 0
