"""SparkLend's `SparkLendFreezerMom` (marsfoundation/sparklend-freezer) and the Chief's `canCall`.

The FreezerMom holds RISK_ADMIN (to freeze) and EMERGENCY_ADMIN (to pause) in the ACL and
forwards four emergency actions to the PoolConfigurator: `freeze_all_markets(freeze)`,
`freeze_market(reserve, freeze)`, `pause_all_markets(pause)`, `pause_market(reserve, pause)`.
They are `auth`: the FreezerMom itself, the owner, a ward, or whoever the authority's
`can_call(src, freezer, sig)` allows. The authority is the MCD Chief, whose rule is that the
current `hat` (the spell with the most MKR/SKY approval) may call anything: `HatAuthority`.

Owner-only: `set_owner`, `set_authority`, `rely`. `deny` is `auth`, so a ward (the emergency
multisig) can be removed by itself, by a hat spell without the governance delay, or by the
owner. The deployment expects at most one ward; the contract does not enforce it, and neither
does this model.

Function signatures (`sig`) are the Solidity signature strings (`"freezeMarket(address,bool)"`)
where the contract passes the 4-byte selector.

Reverts, each its own code (`sparklend.errors.from_revert_string` maps the string to it):

| contract | raised as |
|---|---|
| "SparkLendFreezerMom/only-owner" | `FREEZER_ONLY_OWNER`, `role="owner"` |
| "SparkLendFreezerMom/not-authorized" | `FREEZER_NOT_AUTHORIZED`, `role="auth"`, `sig` |

A `*_all_markets` call is one action: if one reserve's configurator call fails, no reserve
changes.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "DENY",
    "FREEZE_ALL_MARKETS",
    "FREEZE_MARKET",
    "NOT_AUTHORIZED",
    "ONLY_OWNER",
    "PAUSE_ALL_MARKETS",
    "PAUSE_MARKET",
    "Authority",
    "HatAuthority",
    "SparkLendFreezerMom",
]

# The contract's revert strings (`sparklend.errors.revert_string` of the codes raised).
ONLY_OWNER: Final = "SparkLendFreezerMom/only-owner"
NOT_AUTHORIZED: Final = "SparkLendFreezerMom/not-authorized"

FREEZE_ALL_MARKETS: Final = "freezeAllMarkets(bool)"
FREEZE_MARKET: Final = "freezeMarket(address,bool)"
PAUSE_ALL_MARKETS: Final = "pauseAllMarkets(bool)"
PAUSE_MARKET: Final = "pauseMarket(address,bool)"
DENY: Final = "deny(address)"


class Authority(Protocol):
    """`AuthorityLike.canCall(src, dst, sig)`."""

    def can_call(self, src: Address, dst: Address, sig: str) -> bool:
        """Whether `src` may call `sig` on `dst`."""
        ...


class HatAuthority:
    """DSChief's `canCall`: the current hat may call anything, nobody else may.

    `lift(whom)` makes `whom` the hat; the Chief does so when `whom` has more approval than
    the current hat (the vote tally is not modelled here)."""

    __slots__ = ("address", "hat")

    def __init__(self, *, address: Address, hat: Address | None = None) -> None:
        self.address = address
        self.hat = hat

    def can_call(self, src: Address, dst: Address, sig: str) -> bool:
        """`caller == hat`, whatever the target and the function."""
        return self.hat is not None and src == self.hat

    def lift(self, whom: Address) -> None:
        """Make `whom` the hat."""
        self.hat = whom


class _Pool(Protocol):
    def get_reserves_list(self) -> list[Address]: ...


class _Configurator(Protocol):
    @property
    def atomic(self) -> Atomic: ...

    def set_reserve_freeze(self, asset: Address, freeze: bool, *, sender: Address) -> None: ...

    def set_reserve_pause(self, asset: Address, paused: bool, *, sender: Address) -> None: ...


def _authority_address(authority: Authority | None) -> Address:
    """The authority's address for events and snapshots (address(0) for None)."""
    if authority is None:
        return ZERO_ADDRESS
    address: Address = getattr(authority, "address", ZERO_ADDRESS)
    return address


def _bool(value: object, field: str) -> bool:
    if type(value) is not bool:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="bool", got=type(value).__name__
        )
    return value


class SparkLendFreezerMom:
    """Emergency freeze/pause of SparkLend markets for governance and the multisig."""

    __slots__ = (
        "_atomic",
        "_slots",
        "_wards",
        "address",
        "events",
        "pool",
        "pool_configurator",
    )

    def __init__(
        self,
        *,
        pool_configurator: _Configurator,
        pool: _Pool,
        owner: Address,
        address: Address,
    ) -> None:
        self.pool_configurator = pool_configurator
        self.pool = pool
        self.address = address
        self._atomic: Atomic = pool_configurator.atomic
        self.events = EventLog()
        # Storage slots in dicts, so the undo log restores them.
        self._slots: dict[str, Any] = {"owner": owner, "authority": None}
        self._wards: dict[Address, int] = {}
        self.events.emit(self._atomic, "SetOwner", ZERO_ADDRESS, owner)

    # --- views ---

    @property
    def owner(self) -> Address:
        """The owner (the Spark SubDAO proxy)."""
        owner: Address = self._slots["owner"]
        return owner

    @property
    def authority(self) -> Authority | None:
        """The authority (the MCD Chief), None = address(0)."""
        authority: Authority | None = self._slots["authority"]
        return authority

    def wards(self, usr: Address) -> int:
        """1 if `usr` is a ward, else 0."""
        return self._wards.get(usr, 0)

    def is_authorized(self, src: Address, sig: str) -> bool:
        """`isAuthorized(src, sig)`: self, the owner, a ward, or the authority's `canCall`."""
        if src == self.address:
            return True
        if src == self.owner or self._wards.get(src, 0) == 1:
            return True
        authority = self.authority
        if authority is None:
            return False
        return authority.can_call(src, self.address, sig)

    # --- modifiers ---

    def _only_owner(self, sender: Address) -> None:
        if sender != self.owner:
            raise ProtocolError(ErrorCode.FREEZER_ONLY_OWNER, role="owner", account=sender)

    def _auth(self, sender: Address, sig: str) -> None:
        if not self.is_authorized(sender, sig):
            raise ProtocolError(
                ErrorCode.FREEZER_NOT_AUTHORIZED, role="auth", account=sender, sig=sig
            )

    # --- owner functions ---

    def set_authority(self, authority: Authority | None, *, sender: Address) -> None:
        """Replace the authority (None = address(0): only owner and wards remain)."""
        self._only_owner(sender)

        def run() -> None:
            self.events.emit(
                self._atomic,
                "SetAuthority",
                _authority_address(self.authority),
                _authority_address(authority),
            )
            self._atomic.set_item(self._slots, "authority", authority)

        transact(self._atomic, run)

    def set_owner(self, owner: Address, *, sender: Address) -> None:
        """Hand the FreezerMom to `owner`."""
        self._only_owner(sender)

        def run() -> None:
            self.events.emit(self._atomic, "SetOwner", self.owner, owner)
            self._atomic.set_item(self._slots, "owner", owner)

        transact(self._atomic, run)

    def rely(self, usr: Address, *, sender: Address) -> None:
        """Make `usr` a ward (owner only)."""
        self._only_owner(sender)

        def run() -> None:
            self._atomic.set_item(self._wards, usr, 1)
            self.events.emit(self._atomic, "Rely", usr)

        transact(self._atomic, run)

    def deny(self, usr: Address, *, sender: Address) -> None:
        """Remove ward `usr` (auth: the ward itself, the owner, or the hat)."""
        self._auth(sender, DENY)

        def run() -> None:
            self._atomic.del_item(self._wards, usr)
            self.events.emit(self._atomic, "Deny", usr)

        transact(self._atomic, run)

    # --- auth functions ---

    def freeze_all_markets(self, freeze: bool, *, sender: Address) -> None:
        """`setReserveFreeze(reserve, freeze)` on every listed reserve."""
        freeze = _bool(freeze, "freeze")
        self._auth(sender, FREEZE_ALL_MARKETS)

        def run() -> None:
            for reserve in self.pool.get_reserves_list():
                self._freeze(reserve, freeze)

        transact(self._atomic, run)

    def freeze_market(self, reserve: Address, freeze: bool, *, sender: Address) -> None:
        """`setReserveFreeze(reserve, freeze)`."""
        freeze = _bool(freeze, "freeze")
        self._auth(sender, FREEZE_MARKET)
        transact(self._atomic, self._freeze, reserve, freeze)

    def pause_all_markets(self, pause: bool, *, sender: Address) -> None:
        """`setReservePause(reserve, pause)` on every listed reserve."""
        pause = _bool(pause, "pause")
        self._auth(sender, PAUSE_ALL_MARKETS)

        def run() -> None:
            for reserve in self.pool.get_reserves_list():
                self._pause(reserve, pause)

        transact(self._atomic, run)

    def pause_market(self, reserve: Address, pause: bool, *, sender: Address) -> None:
        """`setReservePause(reserve, pause)`."""
        pause = _bool(pause, "pause")
        self._auth(sender, PAUSE_MARKET)
        transact(self._atomic, self._pause, reserve, pause)

    def _freeze(self, reserve: Address, freeze: bool) -> None:
        self.pool_configurator.set_reserve_freeze(reserve, freeze, sender=self.address)
        self.events.emit(self._atomic, "FreezeMarket", reserve, freeze)

    def _pause(self, reserve: Address, pause: bool) -> None:
        self.pool_configurator.set_reserve_pause(reserve, pause, sender=self.address)
        self.events.emit(self._atomic, "PauseMarket", reserve, pause)

    # --- state ---

    def snapshot(self) -> dict[str, Any]:
        """JSON-able state: owner, the authority's address, wards."""
        return {
            "owner": self.owner,
            "authority": _authority_address(self.authority),
            "wards": sorted(usr for usr, v in self._wards.items() if v == 1),
        }

    def load(self, data: dict[str, Any], *, authority: Authority | None = None) -> None:
        """Replace the state with what `snapshot` returned; the authority object is passed in
        (a snapshot holds its address only) and must match it."""
        try:
            owner = Address(str(data["owner"]))
            wards = [Address(str(w)) for w in data["wards"]]
            authority_address = data["authority"]
        except (KeyError, TypeError) as exc:
            raise ProtocolError(
                ErrorCode.MALFORMED_PAYLOAD, reason=f"freezer snapshot: {exc}"
            ) from exc
        given = _authority_address(authority)
        if given != authority_address:
            raise ProtocolError(
                ErrorCode.MALFORMED_PAYLOAD,
                reason="the authority passed in is not the snapshot's",
                expected=authority_address,
                got=given,
            )
        self._slots = {"owner": owner, "authority": authority}
        self._wards = dict.fromkeys(wards, 1)
