"""SparkLend's `CapAutomator` (sparkdotfi/sparklend-cap-automator), v1.0 and v1.1.

Per asset and side (supply, borrow) a config `{max, gap, increase_cooldown,
last_update_block, last_increase_time}` (whole tokens, seconds, blocks; uint48). `exec(asset)`
moves each cap to `min(current + gap, max)` (whole tokens): unchanged when the side has no
config (max 0) or was already updated in this block; an increase waits until
`last_increase_time + increase_cooldown`, a decrease never waits. On a change it records the
block (and the time, for an increase), then calls `PoolConfigurator.setSupplyCap` /
`setBorrowCap`, so the automator must hold RISK_ADMIN (or POOL_ADMIN).

- current supply = `rayMul(aToken.scaledTotalSupply() + accruedToTreasury, liquidityIndex) /
  10^decimals` with the *stored* liquidity index (interest since the last update is not
  counted);
- current borrow = `variableDebtToken.totalSupply() / 10^decimals` (stable debt is not used).

Versions (`version=`):

- `CapAutomatorVersion.V1_0` (the instance at 0x2276f52a...): `Ownable` (owner functions:
  the config setters and removers), `exec` / `exec_supply` / `exec_borrow` permissionless,
  decimals read from the aToken / variable debt token;
- `CapAutomatorVersion.V1_1` (2026): `AccessControlEnumerable` with DEFAULT_ADMIN_ROLE (the
  config functions) and UPDATE_ROLE (the exec functions), both set in the constructor
  (non-zero), decimals read from the reserve's configuration.

Both refuse `max == 0`, `gap == 0`, `max > 68,719,476,735` (the configuration's cap field),
`gap > max`, a cooldown past uint48, and removing a config that does not exist.

**Block numbers.** The model keeps time in seconds (`Clock`); `block.number` comes from an
injected provider: any `Callable[[], int]`, typically a `BlockClock`, which derives the
number from the clock (12-second blocks from an anchor) and can be `roll`ed like foundry's
`vm.roll`. The automator only compares block numbers for equality ("already updated in this
block"), so any provider that advances when the clock does gives the contract's behaviour.

Reverts: each revert string is its own code (`sparklend.errors.from_revert_string` maps the
string to it), with `field=` the argument refused; OpenZeppelin's custom errors are the generic
codes with the error in `reason=`:

| contract | raised as | `field` |
|---|---|---|
| `OwnableUnauthorizedAccount` (v1.0) | `MISSING_ROLE`, `role="owner"` | |
| `AccessControlUnauthorizedAccount` (v1.1) | `MISSING_ROLE`, the role | |
| "CapAutomator/invalid-admin-address" | `CAP_AUTOMATOR_INVALID_ADMIN_ADDRESS` | admin |
| "CapAutomator/invalid-updater-address" | `CAP_AUTOMATOR_INVALID_UPDATER_ADDRESS` | updater |
| "CapAutomator/zero-cap" | `CAP_AUTOMATOR_ZERO_CAP` | max |
| "CapAutomator/zero-gap" | `CAP_AUTOMATOR_ZERO_GAP` | gap |
| "CapAutomator/invalid-cap" | `CAP_AUTOMATOR_INVALID_CAP` | max |
| "CapAutomator/invalid-gap" | `CAP_AUTOMATOR_INVALID_GAP` | gap |
| "CapAutomator/uint48-cast" | `CAP_AUTOMATOR_UINT48_CAST` | the value cast |
| "CapAutomator/nonexistent-config" | `CAP_AUTOMATOR_NONEXISTENT_CONFIG` | asset |
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Final, Protocol

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import ray_mul
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.access_control import (
    DEFAULT_ADMIN_ROLE,
    AccessControlEnumerable,
    Ownable,
    is_zero_address,
)
from sparkprime.protocols.sparklend.configuration import (
    MAX_VALID_BORROW_CAP,
    MAX_VALID_SUPPLY_CAP,
)
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact
from sparkprime.protocols.sparklend.types import ReserveData

__all__ = [
    "DEFAULT_ADMIN_ROLE",
    "INVALID_ADMIN_ADDRESS",
    "INVALID_CAP",
    "INVALID_GAP",
    "INVALID_UPDATER_ADDRESS",
    "NONEXISTENT_CONFIG",
    "UINT48_CAST",
    "UINT48_MAX",
    "UPDATE_ROLE",
    "ZERO_CAP",
    "ZERO_GAP",
    "BlockClock",
    "CapAutomator",
    "CapAutomatorVersion",
    "CapConfig",
]

UPDATE_ROLE: Final = "UPDATE_ROLE"
UINT48_MAX: Final = 2**48 - 1

# The contract's revert strings (`sparklend.errors.revert_string` of the codes raised).
ZERO_CAP: Final = "CapAutomator/zero-cap"
ZERO_GAP: Final = "CapAutomator/zero-gap"
INVALID_CAP: Final = "CapAutomator/invalid-cap"
INVALID_GAP: Final = "CapAutomator/invalid-gap"
UINT48_CAST: Final = "CapAutomator/uint48-cast"
NONEXISTENT_CONFIG: Final = "CapAutomator/nonexistent-config"
INVALID_ADMIN_ADDRESS: Final = "CapAutomator/invalid-admin-address"
INVALID_UPDATER_ADDRESS: Final = "CapAutomator/invalid-updater-address"


class CapAutomatorVersion(StrEnum):
    """Which release's rules apply."""

    V1_0 = "1.0"
    V1_1 = "1.1"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CapConfig:
    """`CapAutomator.CapConfig` (all uint48): whole tokens, seconds, a block number."""

    max: int = 0
    gap: int = 0
    increase_cooldown: int = 0
    last_update_block: int = 0
    last_increase_time: int = 0


_EMPTY: Final = CapConfig()


class BlockClock:
    """`block.number` from the model's clock: `anchor_block` at `anchor_ts`, one more every
    `block_time_s` seconds (12 s, Ethereum's slot time, by default).

    Example:
        >>> clock = Clock(1_000)
        >>> blocks = BlockClock(clock, start_block=100)
        >>> _ = clock.skip(25)
        >>> blocks.number
        102
        >>> blocks.roll(500)
        >>> blocks()
        500
    """

    __slots__ = ("_anchor", "block_time_s", "clock")

    def __init__(self, clock: Clock, *, block_time_s: int = 12, start_block: int = 1) -> None:
        check_uint(block_time_s, field="block_time_s", bits=64)
        if block_time_s == 0:
            raise ProtocolError(
                ErrorCode.VALUE_OUT_OF_RANGE, field="block_time_s", value=0, min=1, max="2**64-1"
            )
        self.clock = clock
        self.block_time_s = block_time_s
        self._anchor = (check_uint(start_block, field="start_block", bits=64), clock.now)

    @property
    def number(self) -> int:
        """The current block number."""
        block, ts = self._anchor
        return block + max(self.clock.now - ts, 0) // self.block_time_s

    def __call__(self) -> int:
        return self.number

    def roll(self, number: int) -> None:
        """Set the current block number (foundry's `vm.roll`); it advances from here."""
        self._anchor = (check_uint(number, field="number", bits=64), self.clock.now)


class _ScaledToken(Protocol):
    @property
    def decimals(self) -> int: ...

    def scaled_total_supply(self) -> int: ...


class _DebtToken(Protocol):
    @property
    def decimals(self) -> int: ...

    def total_supply(self) -> int: ...


class _Pool(Protocol):
    def get_reserve_data(self, asset: Address) -> ReserveData: ...

    def a_token(self, asset: Address) -> _ScaledToken: ...

    def variable_debt_token(self, asset: Address) -> _DebtToken: ...


class _Configurator(Protocol):
    @property
    def atomic(self) -> Atomic: ...

    def set_supply_cap(self, asset: Address, new_supply_cap: int, *, sender: Address) -> None: ...

    def set_borrow_cap(self, asset: Address, new_borrow_cap: int, *, sender: Address) -> None: ...


def _out_of_range(
    code: ErrorCode, field: str, value: object, lo: object, hi: object
) -> ProtocolError:
    return ProtocolError(code, field=field, value=value, min=lo, max=hi)


def _uint48(value: int, field: str) -> int:
    """`_uint48`: "CapAutomator/uint48-cast" past 2**48 - 1."""
    if value > UINT48_MAX:
        raise _out_of_range(ErrorCode.CAP_AUTOMATOR_UINT48_CAST, field, value, 0, UINT48_MAX)
    return value


class CapAutomator:
    """Keeps each supply and borrow cap a fixed gap above current usage, up to a maximum."""

    __slots__ = (
        "_access",
        "_atomic",
        "_block_number",
        "_borrow",
        "_clock",
        "_configurator",
        "_ownable",
        "_pool",
        "_supply",
        "address",
        "events",
        "version",
    )

    def __init__(
        self,
        *,
        pool: _Pool,
        configurator: _Configurator,
        clock: Clock,
        block_number: Callable[[], int],
        address: Address,
        version: CapAutomatorVersion = CapAutomatorVersion.V1_1,
        owner: Address | None = None,
        admin: Address | None = None,
        updater: Address | None = None,
        deployer: Address | None = None,
    ) -> None:
        """v1.0 takes `owner` (the deployer, `msg.sender`); v1.1 takes `admin` and `updater`
        (`deployer` is the `msg.sender` its RoleGranted events name, default `admin`)."""
        self.version = CapAutomatorVersion(version)
        self._pool = pool
        self._configurator = configurator
        self._clock = clock
        self._block_number = block_number
        self.address = address
        self._atomic: Atomic = configurator.atomic
        self.events = EventLog()
        self._supply: dict[Address, CapConfig] = {}
        self._borrow: dict[Address, CapConfig] = {}
        self._ownable: Ownable | None = None
        self._access: AccessControlEnumerable | None = None
        if self.version is CapAutomatorVersion.V1_0:
            if owner is None:
                raise ProtocolError(
                    ErrorCode.MISSING_FIELD, kind="CapAutomator v1.0", fields="owner"
                )
            self._ownable = Ownable(owner, atomic=self._atomic, events=self.events)
            return
        if admin is None or is_zero_address(admin):
            raise ProtocolError(
                ErrorCode.CAP_AUTOMATOR_INVALID_ADMIN_ADDRESS, field="admin", value=admin
            )
        if updater is None or is_zero_address(updater):
            raise ProtocolError(
                ErrorCode.CAP_AUTOMATOR_INVALID_UPDATER_ADDRESS, field="updater", value=updater
            )
        access = AccessControlEnumerable(atomic=self._atomic, events=self.events)
        msg_sender = deployer if deployer is not None else admin
        access.grant(DEFAULT_ADMIN_ROLE, admin, msg_sender)
        access.grant(UPDATE_ROLE, updater, msg_sender)
        self._access = access

    # --- wiring ---

    @property
    def pool(self) -> _Pool:
        """The Pool whose usage it reads."""
        return self._pool

    @property
    def pool_configurator(self) -> _Configurator:
        """The configurator it calls."""
        return self._configurator

    @property
    def block_number(self) -> int:
        """`block.number` now."""
        return self._block_number()

    # --- v1.0: Ownable ---

    def _owned(self) -> Ownable:
        if self._ownable is None:
            raise ProtocolError(
                ErrorCode.OPERATION_NOT_SUPPORTED, op="Ownable", version=str(self.version)
            )
        return self._ownable

    @property
    def owner(self) -> Address:
        """The owner (v1.0)."""
        return self._owned().owner

    def transfer_ownership(self, new_owner: Address, *, sender: Address) -> None:
        """Hand the automator to `new_owner` (v1.0, owner only)."""
        self._owned().transfer_ownership(new_owner, sender=sender)

    def renounce_ownership(self, *, sender: Address) -> None:
        """Leave the automator ownerless (v1.0, owner only)."""
        self._owned().renounce_ownership(sender=sender)

    # --- v1.1: AccessControlEnumerable ---

    def _roles(self) -> AccessControlEnumerable:
        if self._access is None:
            raise ProtocolError(
                ErrorCode.OPERATION_NOT_SUPPORTED, op="AccessControl", version=str(self.version)
            )
        return self._access

    def has_role(self, role: str, account: Address) -> bool:
        """Whether `account` holds `role` (v1.1)."""
        return self._roles().has_role(role, account)

    def get_role_admin(self, role: str) -> str:
        """The admin role of `role` (v1.1): DEFAULT_ADMIN_ROLE for both roles."""
        return self._roles().get_role_admin(role)

    def get_role_member(self, role: str, index: int) -> Address:
        """The member of `role` at `index` (v1.1)."""
        return self._roles().get_role_member(role, index)

    def get_role_member_count(self, role: str) -> int:
        """How many accounts hold `role` (v1.1)."""
        return self._roles().get_role_member_count(role)

    def grant_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Give `account` the role (v1.1; sender holds the role's admin role)."""
        self._roles().grant_role(role, account, sender=sender)

    def revoke_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Take the role from `account` (v1.1; sender holds the role's admin role)."""
        self._roles().revoke_role(role, account, sender=sender)

    def renounce_role(self, role: str, caller_confirmation: Address, *, sender: Address) -> None:
        """Give up one's own role (v1.1)."""
        self._roles().renounce_role(role, caller_confirmation, sender=sender)

    # --- modifiers ---

    def _only_admin(self, sender: Address) -> None:
        if self._ownable is not None:
            self._ownable.check_owner(sender)
        else:
            self._roles().check_role(DEFAULT_ADMIN_ROLE, sender)

    def _only_updater(self, sender: Address | None) -> None:
        if self._access is None:
            return  # v1.0: permissionless
        if sender is None:
            raise ProtocolError(ErrorCode.MISSING_ROLE, role=UPDATE_ROLE, account=None)
        self._access.check_role(UPDATE_ROLE, sender)

    # --- views ---

    def supply_cap_configs(self, asset: Address) -> CapConfig:
        """The supply-side config of `asset` (all zero if none)."""
        return self._supply.get(asset, _EMPTY)

    def borrow_cap_configs(self, asset: Address) -> CapConfig:
        """The borrow-side config of `asset` (all zero if none)."""
        return self._borrow.get(asset, _EMPTY)

    # --- admin functions ---

    def set_supply_cap_config(
        self, asset: Address, max: int, gap: int, increase_cooldown: int, *, sender: Address
    ) -> None:
        """Configure the supply side of `asset`; keeps its last update block and time."""
        self._set_config(
            self._supply,
            "SetSupplyCapConfig",
            MAX_VALID_SUPPLY_CAP,
            asset,
            max,
            gap,
            increase_cooldown,
            sender,
        )

    def set_borrow_cap_config(
        self, asset: Address, max: int, gap: int, increase_cooldown: int, *, sender: Address
    ) -> None:
        """Configure the borrow side of `asset`; keeps its last update block and time."""
        self._set_config(
            self._borrow,
            "SetBorrowCapConfig",
            MAX_VALID_BORROW_CAP,
            asset,
            max,
            gap,
            increase_cooldown,
            sender,
        )

    def remove_supply_cap_config(self, asset: Address, *, sender: Address) -> None:
        """Delete the supply side of `asset` (it must exist)."""
        self._remove_config(self._supply, "RemoveSupplyCapConfig", asset, sender)

    def remove_borrow_cap_config(self, asset: Address, *, sender: Address) -> None:
        """Delete the borrow side of `asset` (it must exist)."""
        self._remove_config(self._borrow, "RemoveBorrowCapConfig", asset, sender)

    def _set_config(  # noqa: PLR0917 - the two public setters' shared body
        self,
        configs: dict[Address, CapConfig],
        event: str,
        max_valid: int,
        asset: Address,
        max_cap: int,
        gap: int,
        increase_cooldown: int,
        sender: Address,
    ) -> None:
        check_uint256(max_cap, field="max")
        check_uint256(gap, field="gap")
        check_uint256(increase_cooldown, field="increase_cooldown")
        self._only_admin(sender)
        if max_cap == 0:
            raise _out_of_range(ErrorCode.CAP_AUTOMATOR_ZERO_CAP, "max", max_cap, 1, max_valid)
        if gap == 0:
            raise _out_of_range(ErrorCode.CAP_AUTOMATOR_ZERO_GAP, "gap", gap, 1, max_cap)
        if max_cap > max_valid:
            raise _out_of_range(ErrorCode.CAP_AUTOMATOR_INVALID_CAP, "max", max_cap, 1, max_valid)
        if gap > max_cap:
            raise _out_of_range(ErrorCode.CAP_AUTOMATOR_INVALID_GAP, "gap", gap, 1, max_cap)
        _uint48(increase_cooldown, "increase_cooldown")
        current = configs.get(asset, _EMPTY)
        new = dataclasses.replace(
            current, max=max_cap, gap=gap, increase_cooldown=increase_cooldown
        )

        def run() -> None:
            self._atomic.set_item(configs, asset, new)
            self.events.emit(self._atomic, event, asset, max_cap, gap, increase_cooldown)

        transact(self._atomic, run)

    def _remove_config(
        self, configs: dict[Address, CapConfig], event: str, asset: Address, sender: Address
    ) -> None:
        self._only_admin(sender)
        if configs.get(asset, _EMPTY).max == 0:
            raise ProtocolError(
                ErrorCode.CAP_AUTOMATOR_NONEXISTENT_CONFIG, field="asset", value=asset
            )

        def run() -> None:
            self._atomic.del_item(configs, asset)
            self.events.emit(self._atomic, event, asset)

        transact(self._atomic, run)

    # --- exec ---

    def exec(self, asset: Address, *, sender: Address | None = None) -> tuple[int, int]:
        """Update both caps of `asset`; returns (supply cap, borrow cap) after the call.
        v1.0: anyone; v1.1: UPDATE_ROLE."""
        self._only_updater(sender)

        def run() -> tuple[int, int]:
            return self._update_supply_cap(asset), self._update_borrow_cap(asset)

        return transact(self._atomic, run)

    def exec_supply(self, asset: Address, *, sender: Address | None = None) -> int:
        """Update the supply cap of `asset`; returns it."""
        self._only_updater(sender)
        return transact(self._atomic, self._update_supply_cap, asset)

    def exec_borrow(self, asset: Address, *, sender: Address | None = None) -> int:
        """Update the borrow cap of `asset`; returns it."""
        self._only_updater(sender)
        return transact(self._atomic, self._update_borrow_cap, asset)

    def calculate_new_cap(self, config: CapConfig, current_value: int, current_cap: int) -> int:
        """`_calculateNewCap`: the cap `config` gives for usage `current_value` (whole
        tokens) now, from `current_cap`."""
        max_cap = config.max
        if max_cap == 0 or config.last_update_block == self._block_number():
            return current_cap
        new_cap = min(current_value + config.gap, max_cap)
        # An increase waits for the cooldown; a decrease never does.
        if (
            new_cap > current_cap
            and self._clock.now < config.last_increase_time + config.increase_cooldown
        ):
            return current_cap
        return new_cap

    def _decimals(self, reserve: ReserveData, token: _ScaledToken | _DebtToken) -> int:
        if self.version is CapAutomatorVersion.V1_0:
            return token.decimals
        return reserve.configuration.get_decimals()

    def _update_supply_cap(self, asset: Address) -> int:
        reserve = self._pool.get_reserve_data(asset)
        config = self._supply.get(asset, _EMPTY)
        current_cap = reserve.configuration.get_supply_cap()
        a_token = self._pool.a_token(asset)
        current_supply = ray_mul(
            a_token.scaled_total_supply() + reserve.accrued_to_treasury, reserve.liquidity_index
        ) // 10 ** self._decimals(reserve, a_token)
        new_cap = self.calculate_new_cap(config, current_supply, current_cap)
        if new_cap == current_cap:
            return current_cap
        self._record(self._supply, asset, config, increased=new_cap > current_cap)
        self._configurator.set_supply_cap(asset, new_cap, sender=self.address)
        self.events.emit(self._atomic, "UpdateSupplyCap", asset, current_cap, new_cap)
        return new_cap

    def _update_borrow_cap(self, asset: Address) -> int:
        reserve = self._pool.get_reserve_data(asset)
        config = self._borrow.get(asset, _EMPTY)
        current_cap = reserve.configuration.get_borrow_cap()
        debt_token = self._pool.variable_debt_token(asset)
        # Stable debt is not in use and is always 0.
        current_borrow = debt_token.total_supply() // 10 ** self._decimals(reserve, debt_token)
        new_cap = self.calculate_new_cap(config, current_borrow, current_cap)
        if new_cap == current_cap:
            return current_cap
        self._record(self._borrow, asset, config, increased=new_cap > current_cap)
        self._configurator.set_borrow_cap(asset, new_cap, sender=self.address)
        self.events.emit(self._atomic, "UpdateBorrowCap", asset, current_cap, new_cap)
        return new_cap

    def _record(
        self,
        configs: dict[Address, CapConfig],
        asset: Address,
        config: CapConfig,
        *,
        increased: bool,
    ) -> None:
        if increased:
            config = dataclasses.replace(
                config, last_increase_time=_uint48(self._clock.now, "block.timestamp")
            )
        config = dataclasses.replace(
            config, last_update_block=_uint48(self._block_number(), "block.number")
        )
        self._atomic.set_item(configs, asset, config)

    # --- state ---

    def snapshot(self) -> dict[str, Any]:
        """JSON-able state: version, access control, both sides' configs."""

        def dump(configs: dict[Address, CapConfig]) -> dict[str, dict[str, int]]:
            return {a: dataclasses.asdict(c) for a, c in sorted(configs.items())}

        return {
            "version": str(self.version),
            "owner": None if self._ownable is None else self._ownable.owner,
            "roles": None if self._access is None else self._access.snapshot(),
            "supply": dump(self._supply),
            "borrow": dump(self._borrow),
        }

    def load(self, data: dict[str, Any]) -> None:
        """Replace the state with what `snapshot` returned (same version; not logged)."""
        try:
            if CapAutomatorVersion(data["version"]) is not self.version:
                raise ValueError(f"snapshot of v{data['version']}, automator is v{self.version}")
            supply = {Address(a): CapConfig(**c) for a, c in data["supply"].items()}
            borrow = {Address(a): CapConfig(**c) for a, c in data["borrow"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(
                ErrorCode.MALFORMED_PAYLOAD, reason=f"cap automator snapshot: {exc}"
            ) from exc
        for config in (*supply.values(), *borrow.values()):
            for field in dataclasses.fields(CapConfig):
                check_uint(getattr(config, field.name), field=field.name, bits=48)
        if self._ownable is not None:
            self._ownable.restore_fields((Address(str(data["owner"])),))
        if self._access is not None:
            self._access.load(data["roles"])
        self._supply = supply
        self._borrow = borrow
