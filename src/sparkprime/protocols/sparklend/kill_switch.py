"""SparkLend's `KillSwitchOracle` (marsfoundation/sparklend-kill-switch `src/KillSwitchOracle.sol`).

The owner (the Spark proxy) registers pegged-asset ratio feeds with a threshold each (stETH/ETH
0.95e18, WBTC/BTC 0.95e8, ...). Anyone may `trigger(oracle)`: the first trigger needs a
registered feed whose `latestAnswer` is in (0, threshold]; it sets `triggered` and disables
borrowing (`PoolConfigurator.setReserveBorrowing(asset, false)`) on every reserve that is
active, not frozen, not paused and borrowing-enabled. Once triggered, `trigger` skips the
oracle checks and can be re-run with any argument, to catch reserves listed (or re-enabled)
since. The owner's `reset()` re-arms it. The contract must hold RISK_ADMIN (or POOL_ADMIN) in
the ACL for its configurator calls to pass.

Oracles are addresses, as in the contract; `feeds` maps an address to the aggregator it
holds (anything with `latest_answer() -> int`, e.g. `oracle.feed.PriceFeed`). A registered
address with no feed behind it is `PRICE_UNAVAILABLE` (the contract's call would revert).

Reverts: each revert string is its own code (`sparklend.errors.from_revert_string` maps the
string to it); OpenZeppelin's custom error is the generic code with the error in `reason=`:

| contract | raised as |
|---|---|
| `OwnableUnauthorizedAccount(account)` | `MISSING_ROLE`, `role="owner"` |
| "KillSwitchOracle/invalid-threshold" | `KILL_SWITCH_INVALID_THRESHOLD`, `field="threshold"` |
| "KillSwitchOracle/oracle-does-not-exist" | `KILL_SWITCH_ORACLE_DOES_NOT_EXIST`, `field="oracle"` |
| "KillSwitchOracle/not-triggered" | `KILL_SWITCH_NOT_TRIGGERED`, `field="triggered"` |
| "KillSwitchOracle/invalid-price" | `KILL_SWITCH_INVALID_PRICE`, `field="price"` |
| "KillSwitchOracle/price-above-threshold" | `KILL_SWITCH_PRICE_ABOVE_THRESHOLD`, `field="price"` |

A trigger is one action: if any configurator call fails (e.g. `STABLE_BORROWING_ENABLED` on a
reserve, or the role was revoked) nothing changes, `triggered` included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Protocol

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.access_control import Ownable
from sparkprime.protocols.sparklend.configuration import ReserveConfigurationMap
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "INVALID_PRICE",
    "INVALID_THRESHOLD",
    "NOT_TRIGGERED",
    "ORACLE_DOES_NOT_EXIST",
    "PRICE_ABOVE_THRESHOLD",
    "Aggregator",
    "KillSwitchOracle",
]

# The contract's revert strings (`sparklend.errors.revert_string` of the codes raised).
INVALID_THRESHOLD: Final = "KillSwitchOracle/invalid-threshold"
ORACLE_DOES_NOT_EXIST: Final = "KillSwitchOracle/oracle-does-not-exist"
NOT_TRIGGERED: Final = "KillSwitchOracle/not-triggered"
INVALID_PRICE: Final = "KillSwitchOracle/invalid-price"
PRICE_ABOVE_THRESHOLD: Final = "KillSwitchOracle/price-above-threshold"


class Aggregator(Protocol):
    """`AggregatorInterface.latestAnswer()` (int256)."""

    def latest_answer(self) -> int:
        """The latest answer."""
        ...


class _Pool(Protocol):
    def get_reserves_list(self) -> list[Address]: ...

    def get_configuration(self, asset: Address) -> ReserveConfigurationMap: ...


class _Configurator(Protocol):
    @property
    def atomic(self) -> Atomic: ...

    def set_reserve_borrowing(self, asset: Address, enabled: bool, *, sender: Address) -> None: ...


class KillSwitchOracle:
    """Disables borrowing on every live reserve when a pegged asset's ratio feed falls."""

    __slots__ = (
        "_atomic",
        "_configurator",
        "_order",
        "_ownable",
        "_pool",
        "_thresholds",
        "_triggered",
        "address",
        "events",
        "feeds",
    )

    def __init__(
        self,
        *,
        pool: _Pool,
        configurator: _Configurator,
        feeds: Mapping[Address, Aggregator],
        owner: Address,
        address: Address,
    ) -> None:
        self._pool = pool
        self._configurator = configurator
        self._atomic = configurator.atomic
        self.feeds = feeds
        self.address = address
        self.events = EventLog()
        self._ownable = Ownable(owner, atomic=self._atomic, events=self.events)
        # One-key dicts, so the undo log restores them like storage slots.
        self._triggered = {"triggered": False}
        self._order: dict[str, tuple[Address, ...]] = {"oracles": ()}  # EnumerableSet order
        self._thresholds: dict[Address, int] = {}  # mapping(address => uint256)

    # --- views ---

    @property
    def pool(self) -> _Pool:
        """The Pool whose reserves it watches."""
        return self._pool

    @property
    def pool_configurator(self) -> _Configurator:
        """The configurator it calls."""
        return self._configurator

    @property
    def owner(self) -> Address:
        """The owner (Spark proxy)."""
        return self._ownable.owner

    @property
    def triggered(self) -> bool:
        """Whether the kill switch has fired (and not been reset)."""
        return self._triggered["triggered"]

    def oracle_thresholds(self, oracle: Address) -> int:
        """The threshold of `oracle` (0 if not registered)."""
        return self._thresholds.get(oracle, 0)

    def num_oracles(self) -> int:
        """How many oracles are registered."""
        return len(self._order["oracles"])

    def oracle_at(self, index: int) -> Address:
        """The oracle at `index` (an index past the end is the EVM's out-of-bounds panic)."""
        oracles = self.oracles()
        if type(index) is not int or not 0 <= index < len(oracles):
            raise ProtocolError(
                ErrorCode.VALUE_OUT_OF_RANGE,
                field="index",
                value=index,
                min=0,
                max=len(oracles) - 1,
                reason="Panic(0x32): array index out of bounds",
            )
        return oracles[index]

    def has_oracle(self, oracle: Address) -> bool:
        """Whether `oracle` is registered."""
        return oracle in self._order["oracles"]

    def oracles(self) -> list[Address]:
        """Registered oracles, in `EnumerableSet` order."""
        return list(self._order["oracles"])

    # --- Ownable ---

    def transfer_ownership(self, new_owner: Address, *, sender: Address) -> None:
        """Hand the contract to `new_owner` (owner only)."""
        self._ownable.transfer_ownership(new_owner, sender=sender)

    def renounce_ownership(self, *, sender: Address) -> None:
        """Leave the contract ownerless (owner only)."""
        self._ownable.renounce_ownership(sender=sender)

    # --- owner functions ---

    def set_oracle(self, oracle: Address, threshold: int, *, sender: Address) -> None:
        """Register `oracle` or change its threshold (non-zero and different from the
        current one)."""
        check_uint256(threshold, field="threshold")
        self._ownable.check_owner(sender)
        if threshold == 0 or threshold == self._thresholds.get(oracle, 0):
            raise ProtocolError(
                ErrorCode.KILL_SWITCH_INVALID_THRESHOLD,
                field="threshold",
                value=threshold,
                min=1,
                max="2**256-1, not the current threshold",
            )

        def run() -> None:
            self._atomic.set_item(self._thresholds, oracle, threshold)
            order = self._order["oracles"]
            if oracle not in order:  # adding twice keeps one entry
                self._atomic.set_item(self._order, "oracles", (*order, oracle))
            self.events.emit(self._atomic, "SetOracle", oracle, threshold)

        transact(self._atomic, run)

    def disable_oracle(self, oracle: Address, *, sender: Address) -> None:
        """Unregister `oracle`."""
        self._ownable.check_owner(sender)
        self._require_oracle(oracle)

        def run() -> None:
            # EnumerableSet.remove: the last oracle moves into the removed one's slot.
            order = list(self._order["oracles"])
            if oracle in order:
                index = order.index(oracle)
                last = order.pop()
                if index < len(order):
                    order[index] = last
                self._atomic.set_item(self._order, "oracles", tuple(order))
            self._atomic.del_item(self._thresholds, oracle)
            self.events.emit(self._atomic, "DisableOracle", oracle)

        transact(self._atomic, run)

    def reset(self, *, sender: Address) -> None:
        """Re-arm the kill switch after a trigger."""
        self._ownable.check_owner(sender)
        if not self.triggered:
            raise ProtocolError(
                ErrorCode.KILL_SWITCH_NOT_TRIGGERED,
                field="triggered",
                value=False,
                min=True,
                max=True,
            )

        def run() -> None:
            self._atomic.set_item(self._triggered, "triggered", False)
            self.events.emit(self._atomic, "Reset")

        transact(self._atomic, run)

    # --- public ---

    def trigger(self, oracle: Address, *, sender: Address | None = None) -> list[Address]:
        """Fire the kill switch (anyone); returns the assets whose borrowing it disabled."""
        if not self.triggered:
            threshold = self._require_oracle(oracle)
            feed = self.feeds.get(oracle)
            if feed is None:
                raise ProtocolError(
                    ErrorCode.PRICE_UNAVAILABLE, asset=oracle, reason="no aggregator at address"
                )
            price = feed.latest_answer()
            if price <= 0:
                raise ProtocolError(
                    ErrorCode.KILL_SWITCH_INVALID_PRICE,
                    field="price",
                    value=price,
                    min=1,
                    max=threshold,
                )
            if price > threshold:
                raise ProtocolError(
                    ErrorCode.KILL_SWITCH_PRICE_ABOVE_THRESHOLD,
                    field="price",
                    value=price,
                    min=1,
                    max=threshold,
                )
            return transact(self._atomic, self._fire, oracle, threshold, price)
        return transact(self._atomic, self._disable_borrowing)

    # --- internals ---

    def _require_oracle(self, oracle: Address) -> int:
        threshold = self._thresholds.get(oracle, 0)
        if threshold == 0:
            raise ProtocolError(
                ErrorCode.KILL_SWITCH_ORACLE_DOES_NOT_EXIST, field="oracle", value=oracle
            )
        return threshold

    def _fire(self, oracle: Address, threshold: int, price: int) -> list[Address]:
        self._atomic.set_item(self._triggered, "triggered", True)
        self.events.emit(self._atomic, "Trigger", oracle, threshold, price)
        return self._disable_borrowing()

    def _disable_borrowing(self) -> list[Address]:
        disabled = []
        for asset in self._pool.get_reserves_list():
            config = self._pool.get_configuration(asset)
            if (
                not config.get_active()
                or config.get_frozen()
                or config.get_paused()
                or not config.get_borrowing_enabled()
            ):
                continue
            self._configurator.set_reserve_borrowing(asset, False, sender=self.address)
            self.events.emit(self._atomic, "BorrowDisabled", asset)
            disabled.append(asset)
        return disabled

    # --- state ---

    def snapshot(self) -> dict[str, Any]:
        """JSON-able state: owner, triggered, oracles with thresholds (in set order)."""
        return {
            "owner": self.owner,
            "triggered": self.triggered,
            "oracles": [[oracle, self._thresholds[oracle]] for oracle in self._order["oracles"]],
        }

    def load(self, data: dict[str, Any]) -> None:
        """Replace the state with what `snapshot` returned (not logged)."""
        try:
            owner = Address(str(data["owner"]))
            triggered = data["triggered"]
            oracles = [(Address(str(o)), int(t)) for o, t in data["oracles"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(
                ErrorCode.MALFORMED_PAYLOAD, reason=f"kill switch snapshot: {exc}"
            ) from exc
        if type(triggered) is not bool or any(t <= 0 for _, t in oracles):
            raise ProtocolError(ErrorCode.MALFORMED_PAYLOAD, reason="kill switch snapshot values")
        self._ownable.restore_fields((owner,))
        self._triggered = {"triggered": triggered}
        self._order = {"oracles": tuple(o for o, _ in oracles)}
        self._thresholds = dict(oracles)
