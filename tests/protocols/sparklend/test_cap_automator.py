"""Port of sparkdotfi/sparklend-cap-automator `test/CapAutomator.t.sol`, v1.0 (Ownable,
permissionless exec) and v1.1 (AccessControlEnumerable, UPDATE_ROLE), with their mocks:
`MockPool` / `MockPoolConfigurator` / `MockToken` become `StubPool` / `StubConfigurator` /
`StubToken`, and foundry's `vm.roll` / `vm.warp` a manual block number and the clock.

Every test that exists in both versions runs against both (`version`); v1.0-only
(ownership) and v1.1-only (roles, updaters) tests are marked by their names. The
integration tests at the end drive the real Pool and PoolConfigurator."""

from __future__ import annotations

from typing import Any

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, ray_mul
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from sparkprime.protocols.sparklend.cap_automator import (
    DEFAULT_ADMIN_ROLE,
    INVALID_ADMIN_ADDRESS,
    INVALID_CAP,
    INVALID_GAP,
    INVALID_UPDATER_ADDRESS,
    NONEXISTENT_CONFIG,
    UINT48_CAST,
    UINT48_MAX,
    UPDATE_ROLE,
    ZERO_CAP,
    ZERO_GAP,
    BlockClock,
    CapAutomator,
    CapAutomatorVersion,
    CapConfig,
)
from sparkprime.protocols.sparklend.configuration import (
    MAX_VALID_BORROW_CAP,
    MAX_VALID_SUPPLY_CAP,
    ReserveConfigurationMap,
)
from sparkprime.protocols.sparklend.errors import revert_string
from sparkprime.protocols.sparklend.events import Event
from sparkprime.protocols.sparklend.types import ReserveData

from .configurator_market import MAX_UINT256, Market, ReserveParams, assert_rejected

V1_0, V1_1 = CapAutomatorVersion.V1_0, CapAutomatorVersion.V1_1
HOURS = 3600


# --- the upstream mocks ---


class StubToken:
    """MockToken: settable decimals and supplies. Setting the decimals also sets the
    reserve's (v1.1 reads them from the configuration)."""

    def __init__(self, pool: StubPool) -> None:
        self._pool = pool
        self.decimals = 18
        self.scaled = 0
        self.total = 0

    def set_decimals(self, decimals: int) -> None:
        self.decimals = decimals
        self._pool.configuration = self._pool.configuration.set_decimals(decimals)

    def scaled_total_supply(self) -> int:
        return self.scaled

    def total_supply(self) -> int:
        return self.total


class StubPool:
    """MockPool: one reserve whose stored data the test sets directly."""

    def __init__(self) -> None:
        self.configuration = ReserveConfigurationMap().set_decimals(18)
        self.accrued_to_treasury = 0
        self.liquidity_index = RAY
        self.a = StubToken(self)
        self.debt = StubToken(self)

    def get_reserve_data(self, asset: Address) -> ReserveData:
        return ReserveData(
            configuration=self.configuration,
            liquidity_index=self.liquidity_index,
            current_liquidity_rate=0,
            variable_borrow_index=RAY,
            current_variable_borrow_rate=0,
            current_stable_borrow_rate=0,
            last_update_timestamp=0,
            id=0,
            a_token_address=make_addr("aToken"),
            stable_debt_token_address=make_addr("stableDebtToken"),
            variable_debt_token_address=make_addr("debtToken"),
            interest_rate_strategy=None,  # type: ignore[arg-type]
            accrued_to_treasury=self.accrued_to_treasury,
            unbacked=0,
            isolation_mode_total_debt=0,
        )

    def a_token(self, asset: Address) -> StubToken:
        return self.a

    def variable_debt_token(self, asset: Address) -> StubToken:
        return self.debt


class StubConfigurator:
    """MockPoolConfigurator: writes the caps into the stub pool and records the calls."""

    def __init__(self, pool: StubPool) -> None:
        self.pool = pool
        self.atomic = Atomic()
        self.calls: list[tuple[str, Address, int]] = []

    def set_supply_cap(self, asset: Address, new_supply_cap: int, *, sender: Address) -> None:
        self.calls.append(("setSupplyCap", asset, new_supply_cap))
        self.pool.configuration = self.pool.configuration.set_supply_cap(new_supply_cap)

    def set_borrow_cap(self, asset: Address, new_borrow_cap: int, *, sender: Address) -> None:
        self.calls.append(("setBorrowCap", asset, new_borrow_cap))
        self.pool.configuration = self.pool.configuration.set_borrow_cap(new_borrow_cap)


class Blocks:
    """`block.number`, moved by `roll` only (foundry: `vm.warp` leaves it alone)."""

    def __init__(self) -> None:
        self.number = 1

    def __call__(self) -> int:
        return self.number

    def roll(self, number: int) -> None:
        self.number = number


class Env:
    """`CapAutomatorUnitTestBase`: supply cap 7000 with (5700 + 50) x 1.2 = 6900 supplied,
    borrow cap 4000 with 3900 borrowed, all 18 decimals."""

    def __init__(self, version: CapAutomatorVersion) -> None:
        self.version = version
        self.asset = make_addr("asset")
        self.owner = make_addr("owner")
        self.admin = make_addr("admin")
        self.updater1, self.updater2 = make_addr("updater-1"), make_addr("updater-2")
        self.stranger = make_addr("notOwner")
        self.pool = StubPool()
        self.configurator = StubConfigurator(self.pool)
        self.clock = Clock(1)
        self.blocks = Blocks()

        self.pool.configuration = self.pool.configuration.set_supply_cap(7_000)
        self.pool.a.set_decimals(18)
        self.pool.a.scaled = 5_700 * 10**18
        self.pool.accrued_to_treasury = 50 * 10**18
        self.pool.liquidity_index = 12 * RAY // 10
        # (aToken.scaledTotalSupply + accruedToTreasury) x liquidityIndex = 6_900e18
        self.pool.configuration = self.pool.configuration.set_borrow_cap(4_000)
        self.pool.debt.set_decimals(18)
        self.pool.debt.total = 3_900 * 10**18

        self.ca = self.deploy()
        if version is V1_0:
            self.ca.transfer_ownership(self.owner, sender=make_addr("deployer"))
            self.ca.events.clear()
        else:
            self.ca.grant_role(UPDATE_ROLE, self.updater2, sender=self.admin)

    def deploy(self, **kwargs: Any) -> CapAutomator:
        if self.version is V1_0:
            kwargs.setdefault("owner", make_addr("deployer"))
        else:
            kwargs.setdefault("admin", self.admin)
            kwargs.setdefault("updater", self.updater1)
        return CapAutomator(
            pool=self.pool,
            configurator=self.configurator,
            clock=self.clock,
            block_number=self.blocks,
            address=make_addr("capAutomator"),
            version=self.version,
            **kwargs,
        )

    @property
    def authority(self) -> Address:
        """Who may configure: the owner (v1.0) or the admin (v1.1)."""
        return self.owner if self.version is V1_0 else self.admin

    @property
    def unauthorized(self) -> ErrorCode:
        return ErrorCode.MISSING_ROLE

    def exec_kw(self, updater: Address | None = None) -> dict[str, Any]:
        if self.version is V1_0:
            return {}
        return {"sender": updater or self.updater1}

    def warp(self, ts: int) -> None:
        self.clock.warp(ts)

    def supply_cap(self) -> int:
        return self.pool.configuration.get_supply_cap()

    def borrow_cap(self) -> int:
        return self.pool.configuration.get_borrow_cap()

    def rejected(
        self, code: ErrorCode, fn: Any, *args: Any, reason: str | None = None, **kwargs: Any
    ) -> ProtocolError:
        before = (self.ca.snapshot(), self.pool.configuration, len(self.configurator.calls))
        with pytest.raises(ProtocolError) as info:
            fn(*args, **kwargs)
        assert info.value.code is code, info.value
        if reason is not None:
            assert info.value.context.get("reason") == reason, info.value.context
        after = (self.ca.snapshot(), self.pool.configuration, len(self.configurator.calls))
        assert after == before, "a rejected call changed something"
        return info.value


@pytest.fixture(params=[V1_0, V1_1], ids=["v1.0", "v1.1"])
def env(request: pytest.FixtureRequest) -> Env:
    return Env(request.param)


@pytest.fixture
def env10() -> Env:
    return Env(V1_0)


@pytest.fixture
def env11() -> Env:
    return Env(V1_1)


SIDES = ["supply", "borrow"]


def _set(env: Env, side: str) -> Any:
    return getattr(env.ca, f"set_{side}_cap_config")


def _config(env: Env, side: str) -> CapConfig:
    config: CapConfig = getattr(env.ca, f"{side}_cap_configs")(env.asset)
    return config


# --- constructor and access control ---


def test_constructor_v1_0(env10: Env) -> None:
    ca = env10.deploy()
    assert ca.pool is env10.pool
    assert ca.pool_configurator is env10.configurator
    assert ca.owner == make_addr("deployer")


def test_transfer_ownership_v1_0(env10: Env) -> None:
    e = env10
    err = e.rejected(
        ErrorCode.MISSING_ROLE, e.ca.transfer_ownership, make_addr("newOwner"), sender=e.stranger
    )
    assert err.context["reason"] == f"OwnableUnauthorizedAccount({e.stranger})"
    err = e.rejected(ErrorCode.INVALID_ID, e.ca.transfer_ownership, ZERO_ADDRESS, sender=e.owner)
    assert err.context["reason"] == "OwnableInvalidOwner(address(0))"
    assert e.ca.owner == e.owner
    e.ca.transfer_ownership(make_addr("newOwner"), sender=e.owner)
    assert e.ca.owner == make_addr("newOwner")
    assert e.ca.events.last()[0] == Event("OwnershipTransferred", (e.owner, make_addr("newOwner")))


def test_renounce_ownership_v1_0(env10: Env) -> None:
    e = env10
    e.rejected(ErrorCode.MISSING_ROLE, e.ca.renounce_ownership, sender=e.stranger)
    e.ca.renounce_ownership(sender=e.owner)
    assert e.ca.owner == ZERO_ADDRESS
    e.rejected(ErrorCode.OPERATION_NOT_SUPPORTED, e.ca.has_role, UPDATE_ROLE, e.owner)


def test_constructor_v1_1(env11: Env) -> None:
    e = env11
    assert e.ca.pool is e.pool
    assert e.ca.pool_configurator is e.configurator
    assert e.ca.has_role(DEFAULT_ADMIN_ROLE, e.admin)
    assert e.ca.has_role(UPDATE_ROLE, e.updater1)
    assert e.ca.has_role(UPDATE_ROLE, e.updater2)
    with pytest.raises(ProtocolError, match="OPERATION_NOT_SUPPORTED"):
        _ = e.ca.owner


def test_constructor_zero_address_v1_1(env11: Env) -> None:
    with pytest.raises(ProtocolError) as info:
        env11.deploy(admin=ZERO_ADDRESS)
    assert info.value.code is ErrorCode.CAP_AUTOMATOR_INVALID_ADMIN_ADDRESS
    assert revert_string(info.value.code) == INVALID_ADMIN_ADDRESS
    with pytest.raises(ProtocolError) as info:
        env11.deploy(updater=ZERO_ADDRESS)
    assert info.value.code is ErrorCode.CAP_AUTOMATOR_INVALID_UPDATER_ADDRESS
    assert revert_string(info.value.code) == INVALID_UPDATER_ADDRESS


def test_grant_revoke_renounce_roles_v1_1(env11: Env) -> None:
    e, ca = env11, env11.ca
    this = make_addr("this")
    new_admin, new_updater = make_addr("newAdmin"), make_addr("newUpdater")
    for role in (DEFAULT_ADMIN_ROLE, UPDATE_ROLE):
        err = e.rejected(ErrorCode.MISSING_ROLE, ca.grant_role, role, new_admin, sender=this)
        assert err.context["role"] == DEFAULT_ADMIN_ROLE
    ca.grant_role(DEFAULT_ADMIN_ROLE, new_admin, sender=e.admin)
    assert ca.events.last()[0] == Event("RoleGranted", (DEFAULT_ADMIN_ROLE, new_admin, e.admin))
    ca.grant_role(UPDATE_ROLE, new_updater, sender=e.admin)
    assert ca.has_role(DEFAULT_ADMIN_ROLE, new_admin)
    assert ca.has_role(UPDATE_ROLE, new_updater)
    # renounce needs the caller's own address
    err = e.rejected(
        ErrorCode.MISSING_ROLE, ca.renounce_role, DEFAULT_ADMIN_ROLE, e.admin, sender=this
    )
    assert err.context["reason"] == "AccessControlBadConfirmation()"
    e.rejected(ErrorCode.MISSING_ROLE, ca.renounce_role, UPDATE_ROLE, e.updater1, sender=this)
    ca.renounce_role(UPDATE_ROLE, e.updater1, sender=e.updater1)
    assert ca.events.last()[0] == Event("RoleRevoked", (UPDATE_ROLE, e.updater1, e.updater1))
    assert not ca.has_role(UPDATE_ROLE, e.updater1)
    # revoking needs the admin role, even for one's own role
    err = e.rejected(
        ErrorCode.MISSING_ROLE, ca.revoke_role, UPDATE_ROLE, e.updater2, sender=e.updater2
    )
    assert err.context["account"] == e.updater2
    ca.revoke_role(UPDATE_ROLE, e.updater2, sender=e.admin)
    ca.revoke_role(DEFAULT_ADMIN_ROLE, new_admin, sender=e.admin)
    ca.revoke_role(DEFAULT_ADMIN_ROLE, e.admin, sender=e.admin)
    assert not ca.has_role(DEFAULT_ADMIN_ROLE, e.admin)
    assert ca.get_role_member_count(DEFAULT_ADMIN_ROLE) == 0


def test_role_admins_and_enumeration_v1_1(env11: Env) -> None:
    e, ca = env11, env11.ca
    assert ca.get_role_admin(DEFAULT_ADMIN_ROLE) == DEFAULT_ADMIN_ROLE
    assert ca.get_role_admin(UPDATE_ROLE) == DEFAULT_ADMIN_ROLE
    assert ca.get_role_member_count(DEFAULT_ADMIN_ROLE) == 1
    assert ca.get_role_member_count(UPDATE_ROLE) == 2
    assert ca.get_role_member(DEFAULT_ADMIN_ROLE, 0) == e.admin
    assert (ca.get_role_member(UPDATE_ROLE, 0), ca.get_role_member(UPDATE_ROLE, 1)) == (
        e.updater1,
        e.updater2,
    )
    # after grant
    new_admin, new_updater = make_addr("newAdmin"), make_addr("newUpdater")
    ca.grant_role(DEFAULT_ADMIN_ROLE, new_admin, sender=e.admin)
    assert ca.get_role_member_count(DEFAULT_ADMIN_ROLE) == 2
    assert ca.get_role_member(DEFAULT_ADMIN_ROLE, 1) == new_admin
    ca.grant_role(UPDATE_ROLE, new_updater, sender=e.admin)
    assert ca.get_role_member_count(UPDATE_ROLE) == 3
    assert ca.get_role_member(UPDATE_ROLE, 2) == new_updater
    # after revoke: the last member fills the gap
    ca.revoke_role(UPDATE_ROLE, e.updater1, sender=e.admin)
    assert ca.get_role_member_count(UPDATE_ROLE) == 2
    assert ca.get_role_member(UPDATE_ROLE, 0) == new_updater
    with pytest.raises(ProtocolError, match="VALUE_OUT_OF_RANGE"):
        ca.get_role_member(UPDATE_ROLE, 2)


# --- set / remove configs (both sides) ---


@pytest.mark.parametrize("side", SIDES)
def test_set_cap_config_no_auth(env: Env, side: str) -> None:
    err = env.rejected(
        ErrorCode.MISSING_ROLE,
        _set(env, side),
        env.asset,
        10_000,
        1_000,
        12 * HOURS,
        sender=env.stranger,
    )
    if env.version is V1_1:
        assert err.context["role"] == DEFAULT_ADMIN_ROLE
    _set(env, side)(env.asset, 10_000, 1_000, 12 * HOURS, sender=env.authority)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize(
    ("bad", "good", "code", "reason"),
    [
        ((0, 0, 12 * HOURS), (2, 1, 12 * HOURS), ErrorCode.CAP_AUTOMATOR_ZERO_CAP, ZERO_CAP),
        ((2, 0, 12 * HOURS), (2, 1, 12 * HOURS), ErrorCode.CAP_AUTOMATOR_ZERO_GAP, ZERO_GAP),
        (
            (68_719_476_735 + 1, 1_000, 12 * HOURS),
            (68_719_476_735, 1_000, 12 * HOURS),
            ErrorCode.CAP_AUTOMATOR_INVALID_CAP,
            INVALID_CAP,
        ),
        (
            (10_000, 10_001, 12 * HOURS),
            (10_000, 10_000, 12 * HOURS),
            ErrorCode.CAP_AUTOMATOR_INVALID_GAP,
            INVALID_GAP,
        ),
        (
            (10_000, 1_000, UINT48_MAX + 1),
            (10_000, 1_000, UINT48_MAX),
            ErrorCode.CAP_AUTOMATOR_UINT48_CAST,
            UINT48_CAST,
        ),
    ],
    ids=["zeroCap", "zeroGap", "invalidCap", "invalidGap", "invalidCooldown"],
)
def test_set_cap_config_invalid(  # noqa: PLR0917 - the parametrized cases
    env: Env, side: str, bad: Any, good: Any, code: ErrorCode, reason: str
) -> None:
    assert MAX_VALID_SUPPLY_CAP == MAX_VALID_BORROW_CAP == 68_719_476_735
    err = env.rejected(code, _set(env, side), env.asset, *bad, sender=env.authority)
    assert revert_string(err.code) == reason
    _set(env, side)(env.asset, *good, sender=env.authority)


@pytest.mark.parametrize("side", SIDES)
def test_set_cap_config(env: Env, side: str) -> None:
    assert _config(env, side) == CapConfig()
    _set(env, side)(env.asset, 10_000, 1_000, 12 * HOURS, sender=env.authority)
    event = "SetSupplyCapConfig" if side == "supply" else "SetBorrowCapConfig"
    assert env.ca.events.last()[0] == Event(event, (env.asset, 10_000, 1_000, 12 * HOURS))
    assert _config(env, side) == CapConfig(max=10_000, gap=1_000, increase_cooldown=12 * HOURS)
    # reconfigure
    _set(env, side)(env.asset, 13_000, 1_300, 24 * HOURS, sender=env.authority)
    assert _config(env, side) == CapConfig(max=13_000, gap=1_300, increase_cooldown=24 * HOURS)


@pytest.mark.parametrize(("side", "block"), [("supply", 120_000), ("borrow", 600)])
def test_set_cap_config_preserves_update_trackers(env: Env, side: str, block: int) -> None:
    _set(env, side)(env.asset, 10_000, 1_000, 12 * HOURS, sender=env.authority)
    config = _config(env, side)
    assert (config.last_update_block, config.last_increase_time) == (0, 0)
    env.blocks.roll(block)
    env.warp(12 * HOURS)
    env.ca.exec(env.asset, **env.exec_kw())
    config = _config(env, side)
    assert (config.last_update_block, config.last_increase_time) == (block, 12 * HOURS)
    _set(env, side)(env.asset, 20_000, 2_000, 24 * HOURS, sender=env.authority)
    assert _config(env, side) == CapConfig(
        max=20_000,
        gap=2_000,
        increase_cooldown=24 * HOURS,
        last_update_block=block,
        last_increase_time=12 * HOURS,
    )


@pytest.mark.parametrize("side", SIDES)
def test_remove_cap_config(env: Env, side: str) -> None:
    remove = getattr(env.ca, f"remove_{side}_cap_config")
    env.rejected(ErrorCode.MISSING_ROLE, remove, env.asset, sender=env.stranger)
    err = env.rejected(
        ErrorCode.CAP_AUTOMATOR_NONEXISTENT_CONFIG, remove, env.asset, sender=env.authority
    )
    assert revert_string(err.code) == NONEXISTENT_CONFIG
    _set(env, side)(env.asset, 10_000, 1_000, 12 * HOURS, sender=env.authority)
    block, ts = (24, 24 * HOURS) if side == "supply" else (36, 36 * HOURS)
    env.blocks.roll(block)
    env.warp(ts)
    getattr(env.ca, f"exec_{side}")(env.asset, **env.exec_kw())
    assert _config(env, side) == CapConfig(
        max=10_000,
        gap=1_000,
        increase_cooldown=12 * HOURS,
        last_update_block=block,
        last_increase_time=ts,
    )
    remove(env.asset, sender=env.authority)
    event = "RemoveSupplyCapConfig" if side == "supply" else "RemoveBorrowCapConfig"
    assert env.ca.events.last()[0] == Event(event, (env.asset,))
    assert _config(env, side) == CapConfig()


# --- CalculateNewCapTests ---


def _calc(env: Env, current: int, cap: int, **config: int) -> int:
    base = {"max": 5_000, "gap": 500, "increase_cooldown": 0}
    return env.ca.calculate_new_cap(CapConfig(**{**base, **config}), current, cap)


def test_calculate_new_cap(env: Env) -> None:
    assert _calc(env, 1_900, 2_000) == 2_400  # raiseCap
    assert _calc(env, 1_900, 2_000, max=0, gap=0) == 2_000  # notConfigured
    assert _calc(env, 1_500, 2_000) == 2_000  # sameCap
    assert _calc(env, 4_800, 4_900) == 5_000  # closeToMax
    assert _calc(env, 4_800, 5_200) == 5_000  # aboveMax
    assert _calc(env, 4_800, 5_200, max=4_500) == 4_500  # belowState


def test_calculate_new_cap_same_block(env: Env) -> None:
    env.blocks.roll(250)
    assert _calc(env, 1_900, 2_000, last_update_block=99) == 2_400
    assert _calc(env, 1_900, 2_000, last_update_block=250) == 2_000


def test_calculate_new_cap_cooldown(env: Env) -> None:
    cooldown = {"increase_cooldown": 12 * HOURS, "last_increase_time": 12 * HOURS}
    if env.version is V1_0:
        env.warp(12 * HOURS)  # v1.0's test warps first; v1.1's runs at timestamp 1
    assert _calc(env, 1_900, 2_000, **cooldown) == 2_000  # an increase waits
    assert _calc(env, 1_200, 2_000, **cooldown) == 1_700  # a decrease does not
    env.warp(24 * HOURS)
    assert _calc(env, 1_900, 2_000, **cooldown) == 2_400


# --- ExecSupplyTests / ExecBorrowTests / ExecTests ---


def test_exec_supply(env: Env) -> None:
    env.blocks.roll(900)
    env.warp(900_000)
    _set(env, "supply")(env.asset, 10_000, 500, 0, sender=env.authority)
    assert env.supply_cap() == 7_000
    assert (
        _config(env, "supply").last_update_block,
        _config(env, "supply").last_increase_time,
    ) == (0, 0)
    # (scaledTotalSupply + accruedToTreasury) x liquidityIndex + gap = 6900 + 500 = 7400
    assert env.ca.exec_supply(env.asset, **env.exec_kw()) == 7_400
    assert env.configurator.calls == [("setSupplyCap", env.asset, 7_400)]
    assert env.supply_cap() == 7_400
    config = _config(env, "supply")
    assert (config.last_update_block, config.last_increase_time) == (900, 900_000)
    assert env.ca.events.last()[0] == Event("UpdateSupplyCap", (env.asset, 7_000, 7_400))


def test_exec_supply_different_decimals(env: Env) -> None:
    env.blocks.roll(300)
    env.warp(300_000)
    env.pool.a.set_decimals(6)
    env.pool.a.scaled = 4_500 * 10**6
    env.pool.accrued_to_treasury = 100 * 10**6
    env.pool.liquidity_index = 15 * RAY // 10  # (4500 + 100) x 1.5 = 6900e6
    _set(env, "supply")(env.asset, 10_000, 500, 0, sender=env.authority)
    assert env.ca.exec_supply(env.asset, **env.exec_kw()) == 7_400
    assert env.configurator.calls == [("setSupplyCap", env.asset, 7_400)]
    config = _config(env, "supply")
    assert (config.last_update_block, config.last_increase_time) == (300, 300_000)


def test_exec_supply_same_cap(env: Env) -> None:
    _set(env, "supply")(env.asset, 10_000, 100, 0, sender=env.authority)
    assert env.ca.exec_supply(env.asset, **env.exec_kw()) == 7_000  # 6900 + 100
    assert env.configurator.calls == []
    assert env.supply_cap() == 7_000
    assert _config(env, "supply").last_update_block == 0


def test_exec_supply_below_state(env: Env) -> None:
    _set(env, "supply")(env.asset, 2_000, 100, 0, sender=env.authority)
    assert env.ca.exec_supply(env.asset, **env.exec_kw()) == 2_000
    assert env.configurator.calls == [("setSupplyCap", env.asset, 2_000)]
    assert env.supply_cap() == 2_000
    config = _config(env, "supply")
    assert (config.last_update_block, config.last_increase_time) == (1, 0)  # a decrease


def test_exec_borrow(env: Env) -> None:
    env.blocks.roll(100)
    env.warp(100_000)
    _set(env, "borrow")(env.asset, 10_000, 500, 0, sender=env.authority)
    assert env.borrow_cap() == 4_000
    assert env.ca.exec_borrow(env.asset, **env.exec_kw()) == 4_400  # 3900 + 500
    assert env.configurator.calls == [("setBorrowCap", env.asset, 4_400)]
    assert env.borrow_cap() == 4_400
    config = _config(env, "borrow")
    assert (config.last_update_block, config.last_increase_time) == (100, 100_000)
    assert env.ca.events.last()[0] == Event("UpdateBorrowCap", (env.asset, 4_000, 4_400))


def test_exec_borrow_different_decimals(env: Env) -> None:
    env.blocks.roll(200)
    env.warp(200_000)
    env.pool.debt.set_decimals(6)
    env.pool.debt.total = 3_900 * 10**6
    _set(env, "borrow")(env.asset, 10_000, 500, 0, sender=env.authority)
    assert env.ca.exec_borrow(env.asset, **env.exec_kw()) == 4_400
    config = _config(env, "borrow")
    assert (config.last_update_block, config.last_increase_time) == (200, 200_000)


def test_exec_borrow_same_cap(env: Env) -> None:
    _set(env, "borrow")(env.asset, 10_000, 100, 0, sender=env.authority)
    assert env.ca.exec_borrow(env.asset, **env.exec_kw()) == 4_000  # 3900 + 100
    assert env.configurator.calls == []


def test_exec_borrow_below_state(env: Env) -> None:
    _set(env, "borrow")(env.asset, 1_000, 100, 0, sender=env.authority)
    assert env.ca.exec_borrow(env.asset, **env.exec_kw()) == 1_000
    assert env.configurator.calls == [("setBorrowCap", env.asset, 1_000)]
    assert env.borrow_cap() == 1_000


def test_exec(env: Env) -> None:
    env.blocks.roll(500)
    env.warp(500_000)
    _set(env, "supply")(env.asset, 10_000, 400, 0, sender=env.authority)
    _set(env, "borrow")(env.asset, 8_000, 300, 0, sender=env.authority)
    assert (env.supply_cap(), env.borrow_cap()) == (7_000, 4_000)
    # supply: 6900 + 400 = 7300; borrow: 3900 + 300 = 4200
    assert env.ca.exec(env.asset, **env.exec_kw()) == (7_300, 4_200)
    assert env.configurator.calls == [
        ("setSupplyCap", env.asset, 7_300),
        ("setBorrowCap", env.asset, 4_200),
    ]
    assert (env.supply_cap(), env.borrow_cap()) == (7_300, 4_200)
    assert [e.name for e in env.ca.events.last(2)] == ["UpdateSupplyCap", "UpdateBorrowCap"]


@pytest.mark.parametrize("method", ["exec", "exec_supply", "exec_borrow"])
def test_exec_no_auth_v1_1(env11: Env, method: str) -> None:
    e = env11
    _set(e, "supply")(e.asset, 10_000, 400, 0, sender=e.admin)
    _set(e, "borrow")(e.asset, 8_000, 300, 0, sender=e.admin)
    for sender in (make_addr("this"), e.admin):  # not even the role admin
        err = e.rejected(ErrorCode.MISSING_ROLE, getattr(e.ca, method), e.asset, sender=sender)
        assert (err.context["role"], err.context["account"]) == (UPDATE_ROLE, sender)
    e.rejected(ErrorCode.MISSING_ROLE, getattr(e.ca, method), e.asset)


@pytest.mark.parametrize("method", ["exec", "exec_supply", "exec_borrow"])
def test_exec_after_revoke_v1_1(env11: Env, method: str) -> None:
    e = env11
    _set(e, "supply")(e.asset, 10_000, 400, 0, sender=e.admin)
    _set(e, "borrow")(e.asset, 8_000, 300, 0, sender=e.admin)
    getattr(e.ca, method)(e.asset, sender=e.updater1)
    e.ca.revoke_role(UPDATE_ROLE, e.updater1, sender=e.admin)
    assert not e.ca.has_role(UPDATE_ROLE, e.updater1)
    _set(e, "supply")(e.asset, 10_000, 200, 0, sender=e.admin)
    _set(e, "borrow")(e.asset, 8_000, 100, 0, sender=e.admin)
    e.rejected(ErrorCode.MISSING_ROLE, getattr(e.ca, method), e.asset, sender=e.updater1)


def test_exec_multiple_updaters_v1_1(env11: Env) -> None:
    e = env11
    _set(e, "supply")(e.asset, 10_000, 400, 0, sender=e.admin)
    _set(e, "borrow")(e.asset, 8_000, 300, 0, sender=e.admin)
    assert e.ca.exec(e.asset, sender=e.updater1) == (7_300, 4_200)
    e.blocks.roll(1000)
    e.warp(1000_000)
    _set(e, "supply")(e.asset, 10_000, 200, 0, sender=e.admin)
    _set(e, "borrow")(e.asset, 8_000, 100, 0, sender=e.admin)
    assert (e.supply_cap(), e.borrow_cap()) == (7_300, 4_200)
    assert e.ca.exec(e.asset, sender=e.updater2) == (7_100, 4_000)  # 6900 + 200, 3900 + 100
    assert (e.supply_cap(), e.borrow_cap()) == (7_100, 4_000)


@pytest.mark.parametrize(
    ("side", "gap2", "cap2", "roll"),
    [("supply", 1000, 7_900, (900, 1800)), ("borrow", 1000, 4_900, (100, 200))],
)
def test_exec_side_multiple_updaters_v1_1(
    env11: Env, side: str, gap2: int, cap2: int, roll: tuple[int, int]
) -> None:
    e = env11
    first, second = roll
    e.blocks.roll(first)
    e.warp(first * 1000)
    _set(e, side)(e.asset, 10_000, 500, 0, sender=e.admin)
    assert getattr(e.ca, f"exec_{side}")(e.asset, sender=e.updater1) == (
        7_400 if side == "supply" else 4_400
    )
    e.blocks.roll(second)
    e.warp(second * 1000)
    _set(e, side)(e.asset, 10_000, gap2, 0, sender=e.admin)
    config = _config(e, side)
    assert (config.last_update_block, config.last_increase_time) == (first, first * 1000)
    assert getattr(e.ca, f"exec_{side}")(e.asset, sender=e.updater2) == cap2
    config = _config(e, side)
    assert (config.last_update_block, config.last_increase_time) == (second, second * 1000)


def test_exec_in_the_same_block_changes_nothing(env: Env) -> None:
    _set(env, "supply")(env.asset, 10_000, 400, 0, sender=env.authority)
    assert env.ca.exec_supply(env.asset, **env.exec_kw()) == 7_300
    env.pool.a.scaled += 1_000 * 10**18
    assert env.ca.exec_supply(env.asset, **env.exec_kw()) == 7_300  # same block
    env.blocks.roll(2)
    assert env.ca.exec_supply(env.asset, **env.exec_kw()) == 8_500  # (6700 + 50) x 1.2 + 400


def test_snapshot_and_load(env: Env) -> None:
    _set(env, "supply")(env.asset, 10_000, 400, 12 * HOURS, sender=env.authority)
    env.blocks.roll(7)
    env.ca.exec(env.asset, **env.exec_kw())
    data = env.ca.snapshot()
    fresh = env.deploy()
    fresh.load(data)
    assert fresh.snapshot() == data
    assert fresh.supply_cap_configs(env.asset) == env.ca.supply_cap_configs(env.asset)
    other = CapAutomatorVersion.V1_1 if env.version is V1_0 else V1_0
    with pytest.raises(ProtocolError, match="MALFORMED_PAYLOAD"):
        fresh.load({**data, "version": str(other)})


# --- BlockClock ---


def test_block_clock_follows_the_clock_in_12_second_blocks() -> None:
    clock = Clock(1_700_000_000)
    blocks = BlockClock(clock, start_block=19_000_000)
    assert blocks() == 19_000_000
    clock.skip(11)
    assert blocks.number == 19_000_000
    clock.skip(1)
    assert blocks.number == 19_000_001
    clock.skip(12 * 100)
    assert blocks.number == 19_000_101
    blocks.roll(5)
    assert blocks() == 5
    with pytest.raises(ProtocolError, match="VALUE_OUT_OF_RANGE"):
        BlockClock(clock, block_time_s=0)


# --- integration: the real Pool and PoolConfigurator ---


class Live:
    """A market with WETH (supply cap 2000) and DAI; the automator holds RISK_ADMIN."""

    def __init__(self, version: CapAutomatorVersion) -> None:
        m = Market(start_ts=1_700_000_000)
        self.m = m
        self.blocks = BlockClock(m.clock, start_block=19_000_000)
        self.weth = m.list_reserve(
            "WETH",
            price=2_000 * 10**8,
            params=ReserveParams(
                ltv=8000,
                liquidation_threshold=8250,
                liquidation_bonus=10500,
                borrowing=True,
                reserve_factor=1000,
                supply_cap=2_000,
                borrow_cap=1_000,
            ),
        )
        self.dai = m.list_reserve(
            "DAI",
            params=ReserveParams(
                ltv=7500, liquidation_threshold=8000, liquidation_bonus=10500, borrowing=True
            ),
        )
        self.admin, self.updater = make_addr("sparkProxy"), make_addr("keeper")
        access = (
            {"owner": self.admin}
            if version is V1_0
            else {"admin": self.admin, "updater": self.updater}
        )
        self.ca = CapAutomator(
            pool=m.pool,
            configurator=m.configurator,
            clock=m.clock,
            block_number=self.blocks,
            address=make_addr("capAutomator"),
            version=version,
            **access,
        )
        self.exec_kw: dict[str, Any] = {} if version is V1_0 else {"sender": self.updater}
        m.acl.add_risk_admin(self.ca.address, sender=m.deployer)

    def caps(self) -> tuple[int, int]:
        borrow_cap, supply_cap = self.m.pool.get_configuration(self.weth).get_caps()
        return supply_cap, borrow_cap

    def next_block(self, seconds: int = 12) -> None:
        self.m.clock.skip(seconds)


@pytest.fixture(params=[V1_0, V1_1], ids=["v1.0", "v1.1"])
def live(request: pytest.FixtureRequest) -> Live:
    return Live(request.param)


def test_integration_supply_cap_follows_supply(live: Live) -> None:
    m, weth, ca = live.m, live.weth, live.ca
    ca.set_supply_cap_config(weth, 5_000, 500, 12 * HOURS, sender=live.admin)
    m.supply(m.users[0], weth, 1_500 * 10**18)
    with pytest.raises(ProtocolError, match="SUPPLY_CAP_EXCEEDED"):
        m.supply(m.users[1], weth, 501 * 10**18)
    assert ca.exec(weth, **live.exec_kw) == (2_000, 1_000)  # 1500 + 500: unchanged
    m.supply(m.users[1], weth, 400 * 10**18)
    assert ca.exec(weth, **live.exec_kw)[0] == 2_400  # 1900 + 500
    assert ca.supply_cap_configs(weth).last_update_block == live.blocks.number
    assert ca.supply_cap_configs(weth).last_increase_time == m.clock.now
    m.supply(m.users[1], weth, 499 * 10**18)  # 2399 <= 2400
    live.next_block()
    assert ca.exec(weth, **live.exec_kw)[0] == 2_400  # an increase waits 12 hours
    m.withdraw(m.users[0], weth, 1_000 * 10**18)
    live.next_block()
    assert ca.exec(weth, **live.exec_kw)[0] == 1_899  # 1399 + 500: a decrease does not wait
    m.clock.skip(12 * HOURS)
    m.supply(m.users[2], weth, 500 * 10**18)
    assert ca.exec(weth, **live.exec_kw)[0] == 2_399  # 1899 + 500
    assert live.caps()[0] == 2_399


def test_integration_borrow_cap_follows_borrows_and_reads_the_stored_index(live: Live) -> None:
    m, weth, dai, ca = live.m, live.weth, live.dai, live.ca
    ca.set_borrow_cap_config(weth, 5_000, 100, 0, sender=live.admin)
    ca.set_supply_cap_config(weth, 5_000, 500, 0, sender=live.admin)
    borrower, lender = m.users[0], m.users[1]
    m.supply(lender, weth, 1_500 * 10**18)
    m.supply(borrower, dai, 10_000_000 * 10**18)
    m.borrow(borrower, weth, 950 * 10**18)
    with pytest.raises(ProtocolError, match="BORROW_CAP_EXCEEDED"):
        m.borrow(borrower, weth, 51 * 10**18)
    assert ca.exec_borrow(weth, **live.exec_kw) == 1_050  # 950 + 100
    m.borrow(borrower, weth, 99 * 10**18)  # 1049 <= 1050
    m.clock.skip(365 * 86400)  # a year of interest, no action on the reserve
    reserve = m.pool.get_reserve_data(weth)
    a_token = m.pool.a_token(weth)
    stored = ray_mul(
        a_token.scaled_total_supply() + reserve.accrued_to_treasury, reserve.liquidity_index
    )
    assert stored // 10**18 == 1_500  # the stored index still says 1500
    assert a_token.total_supply() // 10**18 > 1_500  # the normalized one has grown
    debt = m.pool.variable_debt_token(weth).total_supply() // 10**18
    assert debt > 1_049
    assert ca.exec(weth, **live.exec_kw) == (2_000, debt + 100)
    assert live.caps() == (2_000, debt + 100)


def test_integration_once_per_block(live: Live) -> None:
    m, weth, ca = live.m, live.weth, live.ca
    ca.set_supply_cap_config(weth, 5_000, 500, 0, sender=live.admin)
    m.supply(m.users[0], weth, 1_600 * 10**18)
    assert ca.exec_supply(weth, **live.exec_kw) == 2_100
    m.supply(m.users[0], weth, 500 * 10**18)
    m.clock.skip(11)  # still the same 12-second block
    assert ca.exec_supply(weth, **live.exec_kw) == 2_100
    m.clock.skip(1)
    assert ca.exec_supply(weth, **live.exec_kw) == 2_600


def test_integration_without_the_risk_admin_role_nothing_changes(live: Live) -> None:
    m, weth, ca = live.m, live.weth, live.ca
    ca.set_supply_cap_config(weth, 5_000, 500, 0, sender=live.admin)
    ca.set_borrow_cap_config(weth, 5_000, 500, 0, sender=live.admin)
    m.acl.revoke_role("RISK_ADMIN", ca.address, sender=m.deployer)
    m.supply(m.users[0], weth, 1_600 * 10**18)
    assert_rejected(
        m,
        ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN,
        ca.exec,
        weth,
        extra=ca.snapshot,
        **live.exec_kw,
    )
    assert ca.supply_cap_configs(weth).last_update_block == 0


def test_integration_unlisted_asset(live: Live) -> None:
    live.ca.set_supply_cap_config(live.m.nobody, 5_000, 500, 0, sender=live.admin)
    assert_rejected(live.m, ErrorCode.ASSET_NOT_LISTED, live.ca.exec, live.m.nobody, **live.exec_kw)


def test_integration_cap_automator_and_max_uint(live: Live) -> None:
    """Withdrawing everything drops the supply cap to the gap."""
    m, weth, ca = live.m, live.weth, live.ca
    ca.set_supply_cap_config(weth, 5_000, 500, 0, sender=live.admin)
    m.supply(m.users[0], weth, 1_000 * 10**18)
    m.withdraw(m.users[0], weth, MAX_UINT256)
    assert ca.exec_supply(weth, **live.exec_kw) == 500
