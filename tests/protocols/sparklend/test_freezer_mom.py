"""Port of marsfoundation/sparklend-freezer `test/SparkLendFreezerMom.t.sol` (unit tests of the
final version, where `deny` is `auth`), against the real Pool and PoolConfigurator, plus the
flows of `test/IntegrationTests.t.sol`: a spell lifted to the Chief's hat, the emergency
multisig as the ward, and the RemoveMultisig spell.

Upstream's ConfiguratorMock / PoolMock record calls (`vm.expectCall`); here the real
configurator runs them and the tests read the reserves' flags. `AuthorityMock.__setCanCall`
is `MockAuthority.set_can_call`."""

from __future__ import annotations

from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from sparkprime.protocols.sparklend.errors import revert_string
from sparkprime.protocols.sparklend.events import Event
from sparkprime.protocols.sparklend.freezer_mom import (
    DENY,
    FREEZE_ALL_MARKETS,
    FREEZE_MARKET,
    NOT_AUTHORIZED,
    ONLY_OWNER,
    PAUSE_ALL_MARKETS,
    PAUSE_MARKET,
    HatAuthority,
    SparkLendFreezerMom,
)
from sparkprime.protocols.sparklend.pool_configurator import PoolConfigurator

from .configurator_market import Market, assert_rejected


class MockAuthority:
    """test/Mocks.sol `AuthorityMock`: canCall answers from a table set by the test."""

    def __init__(self, address: Address) -> None:
        self.address = address
        self._can: dict[tuple[Address, Address, str], bool] = {}
        self.calls: list[tuple[Address, Address, str]] = []

    def set_can_call(self, src: Address, dst: Address, sig: str, allowed: bool) -> None:
        self._can[(src, dst, sig)] = allowed

    def can_call(self, src: Address, dst: Address, sig: str) -> bool:
        self.calls.append((src, dst, sig))
        return self._can.get((src, dst, sig), False)


class Env:
    """`SparkLendFreezerMomUnitTestBase`: authority set, owner handed to `owner`."""

    def __init__(self) -> None:
        self.m = Market()
        self.owner = make_addr("owner")
        self.caller = make_addr("caller")
        self.authority = MockAuthority(make_addr("authority"))
        self.freezer = self.deploy()
        self.freezer.set_authority(self.authority, sender=self.m.deployer)
        self.freezer.set_owner(self.owner, sender=self.m.deployer)

    def deploy(self, label: str = "freezerMom") -> SparkLendFreezerMom:
        freezer = SparkLendFreezerMom(
            pool_configurator=self.m.configurator,
            pool=self.m.pool,
            owner=self.m.deployer,
            address=make_addr(label),
        )
        self.m.acl.add_risk_admin(freezer.address, sender=self.m.deployer)
        self.m.acl.add_emergency_admin(freezer.address, sender=self.m.deployer)
        return freezer

    def assets(self) -> tuple[Address, Address]:
        return self.m.list_reserve("asset1"), self.m.list_reserve("asset2")

    def allow(self, sig: str) -> None:
        self.authority.set_can_call(self.caller, self.freezer.address, sig, True)

    def rejected(self, code: ErrorCode, fn: Any, *args: Any, **kwargs: Any) -> ProtocolError:
        return assert_rejected(self.m, code, fn, *args, extra=self.freezer.snapshot, **kwargs)


@pytest.fixture
def env() -> Env:
    return Env()


def test_constructor(env: Env) -> None:
    freezer = env.deploy("another")
    assert freezer.pool_configurator is env.m.configurator
    assert freezer.pool is env.m.pool
    assert freezer.owner == env.m.deployer
    assert list(freezer.events) == [Event("SetOwner", (ZERO_ADDRESS, env.m.deployer))]


# --- owner functions ---


def test_set_owner_no_auth(env: Env) -> None:
    err = env.rejected(
        ErrorCode.FREEZER_ONLY_OWNER, env.freezer.set_owner, make_addr("1"), sender=env.caller
    )
    assert (err.context["role"], revert_string(err.code)) == ("owner", ONLY_OWNER)


def test_set_owner(env: Env) -> None:
    new_owner = make_addr("newOwner")
    assert env.freezer.owner == env.owner
    env.freezer.set_owner(new_owner, sender=env.owner)
    assert env.freezer.owner == new_owner
    assert env.freezer.events.last()[0] == Event("SetOwner", (env.owner, new_owner))


def test_set_authority_no_auth(env: Env) -> None:
    err = env.rejected(
        ErrorCode.FREEZER_ONLY_OWNER, env.freezer.set_authority, None, sender=env.caller
    )
    assert revert_string(err.code) == ONLY_OWNER


def test_set_authority(env: Env) -> None:
    new_authority = HatAuthority(address=make_addr("newAuthority"))
    before: object = env.freezer.authority
    assert before is env.authority
    env.freezer.set_authority(new_authority, sender=env.owner)
    after: object = env.freezer.authority
    assert after is new_authority
    assert env.freezer.events.last()[0] == Event(
        "SetAuthority", (env.authority.address, new_authority.address)
    )


def test_rely_no_auth(env: Env) -> None:
    err = env.rejected(
        ErrorCode.FREEZER_ONLY_OWNER,
        env.freezer.rely,
        make_addr("authedContract"),
        sender=env.caller,
    )
    assert revert_string(err.code) == ONLY_OWNER


def test_rely(env: Env) -> None:
    authed = make_addr("authedContract")
    assert env.freezer.wards(authed) == 0
    env.freezer.rely(authed, sender=env.owner)
    assert env.freezer.wards(authed) == 1
    assert env.freezer.events.last()[0] == Event("Rely", (authed,))


# --- deny is auth ---


def test_deny_no_auth(env: Env) -> None:
    authed = make_addr("authedContract")
    env.freezer.rely(authed, sender=env.owner)
    err = env.rejected(
        ErrorCode.FREEZER_NOT_AUTHORIZED, env.freezer.deny, authed, sender=env.caller
    )
    assert (err.context["role"], revert_string(err.code)) == ("auth", NOT_AUTHORIZED)


@pytest.mark.parametrize("who", ["owner", "ward itself", "hat"])
def test_deny(env: Env, who: str) -> None:
    authed = make_addr("authedContract")
    env.freezer.rely(authed, sender=env.owner)
    assert env.freezer.wards(authed) == 1
    sender = {"owner": env.owner, "ward itself": authed, "hat": env.caller}[who]
    if who == "hat":
        env.allow(DENY)
    env.freezer.deny(authed, sender=sender)
    assert env.freezer.wards(authed) == 0
    assert env.freezer.events.last()[0] == Event("Deny", (authed,))


# --- auth functions ---


@pytest.mark.parametrize(
    ("method", "per_market"),
    [
        ("freeze_all_markets", False),
        ("freeze_market", True),
        ("pause_all_markets", False),
        ("pause_market", True),
    ],
)
def test_no_auth(env: Env, method: str, per_market: bool) -> None:
    reserve = env.m.list_reserve("reserve")
    args = (reserve,) if per_market else ()
    for flag in (False, True):
        err = env.rejected(
            ErrorCode.FREEZER_NOT_AUTHORIZED,
            getattr(env.freezer, method),
            *args,
            flag,
            sender=env.caller,
        )
        assert revert_string(err.code) == NOT_AUTHORIZED


def test_freeze_all_markets(env: Env) -> None:
    env.allow(FREEZE_ALL_MARKETS)
    asset1, asset2 = env.assets()
    env.freezer.freeze_all_markets(True, sender=env.caller)
    assert env.m.config(asset1).get_frozen()
    assert env.m.config(asset2).get_frozen()
    assert env.freezer.events.last(2) == [
        Event("FreezeMarket", (asset1, True)),
        Event("FreezeMarket", (asset2, True)),
    ]
    assert [e.name for e in env.m.configurator.events.last(2)] == ["ReserveFrozen"] * 2
    env.freezer.freeze_all_markets(False, sender=env.caller)
    assert not env.m.config(asset1).get_frozen()
    assert not env.m.config(asset2).get_frozen()
    assert env.freezer.events.last(2) == [
        Event("FreezeMarket", (asset1, False)),
        Event("FreezeMarket", (asset2, False)),
    ]


def test_freeze_market(env: Env) -> None:
    env.allow(FREEZE_MARKET)
    reserve = env.m.list_reserve("reserve")
    env.freezer.freeze_market(reserve, True, sender=env.caller)
    assert env.m.config(reserve).get_frozen()
    assert env.freezer.events.last()[0] == Event("FreezeMarket", (reserve, True))
    env.freezer.freeze_market(reserve, False, sender=env.caller)
    assert not env.m.config(reserve).get_frozen()


def test_pause_all_markets(env: Env) -> None:
    env.allow(PAUSE_ALL_MARKETS)
    asset1, asset2 = env.assets()
    env.freezer.pause_all_markets(True, sender=env.caller)
    assert env.m.config(asset1).get_paused()
    assert env.m.config(asset2).get_paused()
    assert env.freezer.events.last(2) == [
        Event("PauseMarket", (asset1, True)),
        Event("PauseMarket", (asset2, True)),
    ]
    env.freezer.pause_all_markets(False, sender=env.caller)
    assert not env.m.config(asset1).get_paused()
    assert not env.m.config(asset2).get_paused()


def test_pause_market(env: Env) -> None:
    env.allow(PAUSE_MARKET)
    reserve = env.m.list_reserve("reserve")
    env.freezer.pause_market(reserve, True, sender=env.caller)
    assert env.m.config(reserve).get_paused()
    assert env.freezer.events.last()[0] == Event("PauseMarket", (reserve, True))
    env.freezer.pause_market(reserve, False, sender=env.caller)
    assert not env.m.config(reserve).get_paused()


def test_a_permission_is_per_function(env: Env) -> None:
    env.allow(FREEZE_MARKET)
    reserve = env.m.list_reserve("reserve")
    env.rejected(
        ErrorCode.FREEZER_NOT_AUTHORIZED, env.freezer.pause_market, reserve, True, sender=env.caller
    )


# --- SparkLendFreezerMomIsAuthorizedTest ---


@pytest.fixture
def auth_env() -> Env:
    env = Env.__new__(Env)
    env.m = Market()
    env.owner = make_addr("owner")
    env.caller = make_addr("caller")
    env.authority = MockAuthority(make_addr("authority"))
    env.freezer = env.deploy()
    env.freezer.rely(make_addr("authedContract"), sender=env.m.deployer)
    env.freezer.set_authority(env.authority, sender=env.m.deployer)
    env.freezer.set_owner(env.owner, sender=env.m.deployer)
    return env


def test_is_authorized_internal_call(auth_env: Env) -> None:
    assert auth_env.freezer.is_authorized(auth_env.freezer.address, "0") is True


def test_is_authorized_src_is_owner(auth_env: Env) -> None:
    assert auth_env.freezer.is_authorized(auth_env.owner, "0") is True


def test_is_authorized_src_is_ward(auth_env: Env) -> None:
    assert auth_env.freezer.is_authorized(make_addr("authedContract"), "0") is True


def test_is_authorized_authority_is_zero(auth_env: Env) -> None:
    auth_env.freezer.set_authority(None, sender=auth_env.owner)
    assert auth_env.freezer.is_authorized(auth_env.caller, "0") is False


def test_is_authorized_can_call(auth_env: Env) -> None:
    env = auth_env
    env.authority.set_can_call(env.caller, env.freezer.address, "0", True)
    assert env.freezer.is_authorized(env.caller, "0") is True
    assert env.authority.calls[-1] == (env.caller, env.freezer.address, "0")


# --- the Chief, spells and the multisig (IntegrationTests.t.sol) ---


def test_hat_authority_is_the_chiefs_can_call() -> None:
    chief = HatAuthority(address=make_addr("chief"))
    spell, other = make_addr("spell"), make_addr("other")
    assert chief.can_call(spell, make_addr("any"), "anything()") is False
    chief.lift(spell)
    assert chief.hat == spell
    assert chief.can_call(spell, make_addr("any"), "anything()") is True
    assert chief.can_call(other, make_addr("any"), "anything()") is False


def test_a_spell_lifted_to_the_hat_freezes_and_pauses_markets() -> None:
    env = Env()
    m = env.m
    chief = HatAuthority(address=make_addr("chief"))
    env.freezer.set_authority(chief, sender=env.owner)
    dai = m.list_reserve("DAI")
    weth = m.list_reserve("WETH")
    spell = make_addr("EmergencySpell_SparkLend_FreezeAllAssets")
    # Cannot call the FreezerMom unless you have the hat
    env.rejected(
        ErrorCode.FREEZER_NOT_AUTHORIZED, env.freezer.freeze_market, dai, True, sender=spell
    )
    chief.lift(spell)
    env.freezer.freeze_all_markets(True, sender=spell)  # the spell's execute()
    assert m.config(dai).get_frozen()
    assert m.config(weth).get_frozen()
    with pytest.raises(ProtocolError, match="RESERVE_FROZEN"):
        m.supply(m.users[0], dai, 10**18)
    pause_spell = make_addr("EmergencySpell_SparkLend_PauseSingleAsset")
    chief.lift(pause_spell)
    env.rejected(
        ErrorCode.FREEZER_NOT_AUTHORIZED, env.freezer.freeze_all_markets, False, sender=spell
    )
    env.freezer.pause_market(weth, True, sender=pause_spell)
    assert m.config(weth).get_paused()
    with pytest.raises(ProtocolError, match="RESERVE_PAUSED"):
        m.supply(m.users[0], weth, 10**18)


def test_the_multisig_ward_and_the_remove_multisig_spell() -> None:
    env = Env()
    m = env.m
    chief = HatAuthority(address=make_addr("chief"))
    env.freezer.set_authority(chief, sender=env.owner)
    multisig = make_addr("multisig")
    dai = m.list_reserve("DAI")
    env.rejected(
        ErrorCode.FREEZER_NOT_AUTHORIZED, env.freezer.freeze_market, dai, True, sender=multisig
    )
    env.freezer.rely(multisig, sender=env.owner)
    env.freezer.freeze_market(dai, True, sender=multisig)
    assert m.config(dai).get_frozen()
    # The RemoveMultisig spell as the hat denies the multisig without the governance delay
    remove = make_addr("EmergencySpell_SparkLend_RemoveMultisig")
    chief.lift(remove)
    env.freezer.deny(multisig, sender=remove)
    assert env.freezer.wards(multisig) == 0
    env.rejected(
        ErrorCode.FREEZER_NOT_AUTHORIZED, env.freezer.freeze_market, dai, False, sender=multisig
    )


def test_freezing_all_markets_is_all_or_nothing(env: Env) -> None:
    """A configurator call that reverts on the second reserve leaves the first unfrozen."""
    asset1, asset2 = env.assets()
    real = env.m.configurator

    class FailsOnSecond:
        @property
        def atomic(self) -> Atomic:
            return real.atomic

        def set_reserve_freeze(self, asset: Address, freeze: bool, *, sender: Address) -> None:
            real.set_reserve_freeze(asset, freeze, sender=sender)
            if asset == asset2:
                raise ProtocolError(ErrorCode.RESERVE_PAUSED, asset=asset)

        def set_reserve_pause(self, asset: Address, paused: bool, *, sender: Address) -> None:
            real.set_reserve_pause(asset, paused, sender=sender)

    freezer = SparkLendFreezerMom(
        pool_configurator=FailsOnSecond(),
        pool=env.m.pool,
        owner=env.owner,
        address=env.freezer.address,
    )
    events = len(real.events)
    with pytest.raises(ProtocolError, match="RESERVE_PAUSED"):
        freezer.freeze_all_markets(True, sender=env.owner)
    assert not env.m.config(asset1).get_frozen()
    assert not env.m.config(asset2).get_frozen()
    assert len(real.events) == events
    assert [e.name for e in freezer.events] == ["SetOwner"]


def test_snapshot_and_load(env: Env) -> None:
    env.freezer.rely(make_addr("multisig"), sender=env.owner)
    data = env.freezer.snapshot()
    assert data == {
        "owner": env.owner,
        "authority": env.authority.address,
        "wards": [make_addr("multisig")],
    }
    fresh = env.deploy("fresh")
    fresh.load(data, authority=env.authority)
    assert fresh.snapshot() == data
    assert fresh.wards(make_addr("multisig")) == 1
    with pytest.raises(ProtocolError, match="MALFORMED_PAYLOAD"):
        fresh.load(data, authority=None)


def test_the_configurator_refuses_a_freezer_without_its_roles() -> None:
    m = Market()
    freezer = SparkLendFreezerMom(
        pool_configurator=m.configurator, pool=m.pool, owner=m.deployer, address=make_addr("f")
    )
    dai = m.list_reserve("DAI")
    assert isinstance(m.configurator, PoolConfigurator)
    assert_rejected(
        m,
        ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN,
        freezer.freeze_market,
        dai,
        True,
        sender=m.deployer,
    )
    assert_rejected(
        m,
        ErrorCode.CALLER_NOT_POOL_OR_EMERGENCY_ADMIN,
        freezer.pause_market,
        dai,
        True,
        sender=m.deployer,
    )
