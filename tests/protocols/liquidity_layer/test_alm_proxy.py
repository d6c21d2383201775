"""ALMProxy (spark-alm-controller v1.x, AccessControl): only a CONTROLLER makes it call
out; anyone else gets AccessControlUnauthorizedAccount(sender, CONTROLLER); the admin grants
and revokes the role."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.alm_proxy import CONTROLLER, DEFAULT_ADMIN_ROLE, ALMProxy
from sparkprime.protocols.sparklend.addresses import make_addr


def _setup() -> tuple[ALMProxy, Erc20]:
    reg = TokenRegistry()
    usdc = reg.register(Erc20(make_addr("USDC"), "USDC", 6))
    proxy = ALMProxy(make_addr("admin"), address=make_addr("almProxy"), atomic=reg.atomic)
    usdc.mint(proxy.address, 100)
    return proxy, usdc


def test_roles_after_construction() -> None:
    proxy, _ = _setup()
    assert proxy.has_role(DEFAULT_ADMIN_ROLE, make_addr("admin"))
    assert proxy.get_role_member_count(CONTROLLER) == 0


def test_do_call_only_controller() -> None:
    proxy, usdc = _setup()
    controller = make_addr("controller")
    for who in (controller, make_addr("admin")):
        with pytest.raises(ProtocolError) as info:
            proxy.do_call(usdc.transfer, make_addr("bob"), 1, sender=who)
        assert info.value.code is ErrorCode.MISSING_ROLE
        assert info.value.context["role"] == CONTROLLER
    assert usdc.balance_of(proxy.address) == 100
    with pytest.raises(ProtocolError):
        proxy.grant_role(CONTROLLER, controller, sender=controller)
    proxy.grant_role(CONTROLLER, controller, sender=make_addr("admin"))
    assert proxy.do_call(usdc.transfer, make_addr("bob"), 40, sender=controller) is True
    assert usdc.balance_of(proxy.address) == 60
    proxy.revoke_role(CONTROLLER, controller, sender=make_addr("admin"))
    with pytest.raises(ProtocolError):
        proxy.do_call(usdc.transfer, make_addr("bob"), 1, sender=controller)
    assert usdc.balance_of(make_addr("bob")) == 40


def test_do_call_is_all_or_nothing() -> None:
    """A call that fails part-way leaves the proxy's balances as they were."""
    proxy, usdc = _setup()
    controller = make_addr("controller")
    proxy.grant_role(CONTROLLER, controller, sender=make_addr("admin"))

    def two_transfers(*, sender: str) -> None:
        usdc.transfer(make_addr("bob"), 60, sender=sender)  # type: ignore[arg-type]
        usdc.transfer(make_addr("bob"), 60, sender=sender)  # type: ignore[arg-type]

    with pytest.raises(ProtocolError) as info:
        proxy.do_call(two_transfers, sender=controller)
    assert info.value.code is ErrorCode.INSUFFICIENT_BALANCE
    assert usdc.balance_of(proxy.address) == 100
    assert usdc.balance_of(make_addr("bob")) == 0
