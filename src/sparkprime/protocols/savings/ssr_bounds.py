"""SP-BEAM, the Stability Parameter Bounded External Access Module: the SSR's (and the DSR's,
and the stability fees') governance bounds as Sky enforces them on mainnet.

Source: makerdao/sp-beam `src/SPBEAM.sol` (the version beside `src/SPBEAM.t.sol` at commit
698d85a7; sky-ecosystem/sp-beam is the same repository). Facilitators (`buds`, added by
`kiss`, removed by `diss`) may move each configured rate, in yearly basis points, within a
per-rate config {min, max, step}, at most once per cooldown `tau` (`toc` = time of the last
batch). `bad = 1` halts the module. Wards (`rely`/`deny`) `file` the configs and tau/toc/bad.

`set(updates)` takes a batch of `ParamChange(id, bps)`, ids strictly increasing as bytes32
(so no duplicates), and for each: checks the config (`step > 0`), `min <= bps <= max`, and
|bps - current| <= step, where current is the live rate read back through `conv.rtob` and
clamped into [min, max] (a rate outside the range can always be brought back in one step);
then converts with `conv.btor` (must be >= RAY), drips and files the target: `SUsds.drip()`
+ `file("ssr", ray)`, `Pot.drip()` + `file("dsr", ray)`, or a Jug's `drip(ilk)` +
`file(ilk, "duty", ray)`. The batch is all-or-nothing: a failing update leaves every rate,
`toc` and the event log as they were.

Revert strings -> `ErrorCode` (the string is the `reason` in the context):

- "SPBEAM/not-authorized": SPBEAM_NOT_AUTHORIZED; "SPBEAM/not-facilitator":
  SPBEAM_NOT_FACILITATOR; "SPBEAM/module-halted": SPBEAM_MODULE_HALTED;
- "SPBEAM/invalid-bad-value", "…/invalid-tau-value", "…/invalid-toc-value",
  "…/invalid-value", "…/min-too-high", "…/max-too-low", "…/file-unrecognized-param",
  "…/ilk-not-initialized": SPBEAM_INVALID_PARAM;
- "SPBEAM/empty-batch", "…/updates-out-of-order", "…/rate-not-configured":
  SPBEAM_INVALID_BATCH;
- "SPBEAM/too-early": SPBEAM_TOO_EARLY; "SPBEAM/below-min": SPBEAM_BELOW_MIN;
  "SPBEAM/above-max": SPBEAM_ABOVE_MAX; "SPBEAM/delta-above-step": SPBEAM_DELTA_ABOVE_STEP;
- "SPBEAM/invalid-rate-conv" (and Conv's own): RATE_CONV_INVALID.

Ids are bytes32 strings ("SSR", "DSR", "ETH-A"); their order is that of the zero-padded bytes.
Deviations: the Pot and the Jug are optional here (the contract's are immutable addresses);
a batch naming "DSR" with no Pot, or an ilk with no Jug, is refused (`INVALID_ID`).

`sky_spbeam` builds the configuration the Atlas gives for the SSR (spec/spark-prime.md §3.5,
sky-ecosystem/next-gen-atlas `content/A/3/1/2`, snapshot 4101dc75 of 2026-07-20): min 200 bps,
max 3,000 bps, step 400 bps, tau 57,600 s (16 h).

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg = TokenRegistry()
    >>> usds = reg.register(Erc20(make_addr("USDS"), "USDS", 18))
    >>> gov, bud = make_addr("gov"), make_addr("bud")
    >>> clock = Clock(1_700_000_000)
    >>> susds = SUsds(usds, clock, atomic=reg.atomic, ward=gov)
    >>> beam = sky_spbeam(susds, gov=gov, buds=[bud])
    >>> beam.set([ParamChange(id="SSR", bps=400)], sender=bud)
    >>> susds.ssr == Conv().btor(400)
    True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any, Final, Protocol, overload

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.savings.pot import Pot
from sparkprime.protocols.savings.rates_conv import Conv, ConvLike
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "DSR",
    "SKY_SSR_CFG",
    "SKY_TAU_S",
    "SPBEAM",
    "SPBEAM_ADDRESS",
    "SSR",
    "JugLike",
    "ParamChange",
    "RateCfg",
    "sky_spbeam",
]

SSR: Final = "SSR"
DSR: Final = "DSR"
SPBEAM_ADDRESS: Final = make_addr("SPBEAM")  # a stand-in: nothing here hashes addresses
_U16: Final = 2**16 - 1
_U64: Final = 2**64 - 1
_U128: Final = 2**128 - 1


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RateCfg:
    """`SPBEAM.Cfg`: one rate's bounds in yearly bps (uint16 each); step 0 = not configured."""

    min_bps: int = 0
    max_bps: int = 0
    step_bps: int = 0


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ParamChange:
    """`SPBEAM.ParamChange`: set rate `id` to `bps` (yearly basis points)."""

    id: str
    bps: int


class JugLike(Protocol):
    """The Jug calls SP-BEAM makes for an ilk's stability fee."""

    def ilks(self, ilk: str) -> tuple[int, int]:
        """(duty, rho) of `ilk`."""
        ...

    def drip(self, ilk: str) -> int:
        """Accrue `ilk`'s fee."""
        ...

    def file(self, ilk: str, what: str, data: int, *, sender: Address) -> None:
        """Set `ilk`'s `what` ("duty")."""
        ...


SKY_SSR_CFG: Final = RateCfg(min_bps=200, max_bps=3_000, step_bps=400)
SKY_TAU_S: Final = 57_600


def _bytes32(id_: str) -> bytes:
    raw = id_.encode() if isinstance(id_, str) else b""
    if not isinstance(id_, str) or len(raw) > 32:
        raise ProtocolError(
            ErrorCode.INVALID_ID, field="id", value=id_, reason="not a bytes32 string"
        )
    return raw.rstrip(b"\0")


def _reject(code: ErrorCode, reason: str, **context: Any) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class SPBEAM:
    """SP-BEAM over an `SUsds`, and optionally a `Pot` and a Jug, sharing one `Atomic`."""

    __slots__ = (
        "_buds",
        "_cfgs",
        "_s",
        "_wards",
        "address",
        "conv",
        "events",
        "jug",
        "pot",
        "susds",
    )

    def __init__(
        self,
        susds: SUsds,
        conv: ConvLike,
        *,
        ward: Address,
        pot: Pot | None = None,
        jug: JugLike | None = None,
        address: Address = SPBEAM_ADDRESS,
        events: EventLog | None = None,
    ) -> None:
        if pot is not None and pot.atomic is not susds.atomic:
            raise InvariantViolation("SP-BEAM needs the Pot and sUSDS on one Atomic")
        self.susds, self.conv, self.pot, self.jug = susds, conv, pot, jug
        self.address = address
        self.events = events if events is not None else EventLog()
        self._wards: dict[Address, int] = {}
        self._buds: dict[Address, int] = {}
        self._cfgs: dict[bytes, RateCfg] = {}
        self._s: dict[str, int] = {"bad": 0, "tau": 0, "toc": 0}
        transact(self.atomic, self._set_ward, ward, 1, "Rely")

    # --- views ---

    @property
    def atomic(self) -> Atomic:
        """The undo log shared with sUSDS (and the Pot)."""
        return self.susds.atomic

    @property
    def bad(self) -> int:
        """1 while halted."""
        return self._s["bad"]

    @property
    def tau(self) -> int:
        """Cooldown between batches (seconds)."""
        return self._s["tau"]

    @property
    def toc(self) -> int:
        """Time of the last batch."""
        return self._s["toc"]

    def wards(self, usr: Address) -> int:
        """1 if `usr` is an admin."""
        return self._wards.get(usr, 0)

    def buds(self, usr: Address) -> int:
        """1 if `usr` is a facilitator."""
        return self._buds.get(usr, 0)

    def cfgs(self, id_: str) -> RateCfg:
        """The bounds of rate `id_` (all zero when never filed)."""
        return self._cfgs.get(_bytes32(id_), RateCfg())

    # --- administration ---

    def _auth(self, sender: Address) -> None:
        if self._wards.get(sender, 0) != 1:
            raise _reject(ErrorCode.SPBEAM_NOT_AUTHORIZED, "SPBEAM/not-authorized", sender=sender)

    def _set_ward(self, usr: Address, value: int, event: str) -> None:
        self.atomic.set_item(self._wards, usr, value)
        self.events.emit(self.atomic, event, usr)

    def _set_bud(self, usr: Address, value: int, event: str) -> None:
        self.atomic.set_item(self._buds, usr, value)
        self.events.emit(self.atomic, event, usr)

    def rely(self, usr: Address, *, sender: Address) -> None:
        """Make `usr` an admin."""
        self._auth(sender)
        transact(self.atomic, self._set_ward, usr, 1, "Rely")

    def deny(self, usr: Address, *, sender: Address) -> None:
        """Remove `usr` as an admin."""
        self._auth(sender)
        transact(self.atomic, self._set_ward, usr, 0, "Deny")

    def kiss(self, usr: Address, *, sender: Address) -> None:
        """Make `usr` a facilitator."""
        self._auth(sender)
        transact(self.atomic, self._set_bud, usr, 1, "Kiss")

    def diss(self, usr: Address, *, sender: Address) -> None:
        """Remove `usr` as a facilitator."""
        self._auth(sender)
        transact(self.atomic, self._set_bud, usr, 0, "Diss")

    @overload
    def file(self, what: str, data: int, /, *, sender: Address) -> None: ...

    @overload
    def file(self, id_: str, what: str, data: int, /, *, sender: Address) -> None: ...

    def file(self, a: str, b: int | str, c: int | None = None, /, *, sender: Address) -> None:
        """`file(what, data)`: "bad" (0 or 1), "tau" (uint64), "toc" (uint128); or
        `file(id, what, data)`: "min", "max" or "step" of rate `id` (uint16 bps)."""
        self._auth(sender)
        if c is None:
            if not isinstance(b, int):
                raise ProtocolError(ErrorCode.INVALID_TYPE, field="data", expected="int", got=b)
            self._file_global(a, check_uint256(b, field="data"))
        else:
            if not isinstance(b, str):
                raise ProtocolError(ErrorCode.INVALID_TYPE, field="what", expected="str", got=b)
            self._file_rate(a, b, check_uint256(c, field="data"))

    def _file_global(self, what: str, data: int) -> None:
        limits = {"bad": (1, "SPBEAM/invalid-bad-value"), "tau": (_U64, "SPBEAM/invalid-tau-value")}
        limits["toc"] = (_U128, "SPBEAM/invalid-toc-value")
        if what not in limits:
            raise _reject(
                ErrorCode.SPBEAM_INVALID_PARAM, "SPBEAM/file-unrecognized-param", what=what
            )
        top, reason = limits[what]
        if data > top:
            raise _reject(ErrorCode.SPBEAM_INVALID_PARAM, reason, what=what, data=data)
        transact(self.atomic, self._write_global, what, data)

    def _write_global(self, what: str, data: int) -> None:
        self.atomic.set_item(self._s, what, data)
        self.events.emit(self.atomic, "File", what, data)

    def _file_rate(self, id_: str, what: str, data: int) -> None:
        key = _bytes32(id_)
        if id_ not in (DSR, SSR):
            duty = self.jug.ilks(id_)[0] if self.jug is not None else 0
            if duty == 0:
                raise _reject(ErrorCode.SPBEAM_INVALID_PARAM, "SPBEAM/ilk-not-initialized", id=id_)
        if data > _U16:
            raise _reject(ErrorCode.SPBEAM_INVALID_PARAM, "SPBEAM/invalid-value", data=data)
        cfg = self._cfgs.get(key, RateCfg())
        if what == "min":
            if data > cfg.max_bps:
                raise _reject(ErrorCode.SPBEAM_INVALID_PARAM, "SPBEAM/min-too-high", data=data)
            cfg = dataclasses.replace(cfg, min_bps=data)
        elif what == "max":
            if data < cfg.min_bps:
                raise _reject(ErrorCode.SPBEAM_INVALID_PARAM, "SPBEAM/max-too-low", data=data)
            cfg = dataclasses.replace(cfg, max_bps=data)
        elif what == "step":
            cfg = dataclasses.replace(cfg, step_bps=data)
        else:
            raise _reject(
                ErrorCode.SPBEAM_INVALID_PARAM, "SPBEAM/file-unrecognized-param", what=what
            )
        transact(self.atomic, self._write_cfg, key, id_, what, data, cfg)

    def _write_cfg(self, key: bytes, id_: str, what: str, data: int, cfg: RateCfg) -> None:
        self.atomic.set_item(self._cfgs, key, cfg)
        self.events.emit(self.atomic, "File", id_, what, data)

    # --- facilitators ---

    def set(self, updates: Sequence[ParamChange], *, sender: Address) -> None:
        """Apply a batch of rate changes (ids strictly increasing), all or nothing."""
        if self._buds.get(sender, 0) != 1:
            raise _reject(ErrorCode.SPBEAM_NOT_FACILITATOR, "SPBEAM/not-facilitator", sender=sender)
        if self._s["bad"] != 0:
            raise _reject(ErrorCode.SPBEAM_MODULE_HALTED, "SPBEAM/module-halted")
        transact(self.atomic, self._set, list(updates))

    def _set(self, updates: list[ParamChange]) -> None:
        if not updates:
            raise _reject(ErrorCode.SPBEAM_INVALID_BATCH, "SPBEAM/empty-batch")
        now, s = self.susds.clock.now, self._s
        if s["tau"] + s["toc"] > _U128:  # uint64 + uint128 is uint128 arithmetic: Panic 0x11
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="tau + toc", reason="Panic(0x11)")
        if now < s["tau"] + s["toc"]:
            raise _reject(
                ErrorCode.SPBEAM_TOO_EARLY,
                "SPBEAM/too-early",
                next_ts_s=s["tau"] + s["toc"],
                now=now,
            )
        self.atomic.set_item(s, "toc", now)
        last = b""
        for update in updates:
            key, bps = _bytes32(update.id), check_uint256(update.bps, field="bps")
            if not key > last:
                raise _reject(
                    ErrorCode.SPBEAM_INVALID_BATCH, "SPBEAM/updates-out-of-order", id=update.id
                )
            last = key
            self._apply(update.id, bps, self._cfgs.get(key, RateCfg()))

    def _apply(self, id_: str, bps: int, cfg: RateCfg) -> None:
        if cfg.step_bps == 0:
            raise _reject(ErrorCode.SPBEAM_INVALID_BATCH, "SPBEAM/rate-not-configured", id=id_)
        if bps < cfg.min_bps:
            raise _reject(
                ErrorCode.SPBEAM_BELOW_MIN, "SPBEAM/below-min", id=id_, bps=bps, min=cfg.min_bps
            )
        if bps > cfg.max_bps:
            raise _reject(
                ErrorCode.SPBEAM_ABOVE_MAX, "SPBEAM/above-max", id=id_, bps=bps, max=cfg.max_bps
            )
        old_bps = min(max(self.conv.rtob(self._current_ray(id_)), cfg.min_bps), cfg.max_bps)
        delta = abs(bps - old_bps)
        if delta > cfg.step_bps:
            raise _reject(
                ErrorCode.SPBEAM_DELTA_ABOVE_STEP,
                "SPBEAM/delta-above-step",
                id=id_,
                delta=delta,
                step=cfg.step_bps,
            )
        ray = self.conv.btor(bps)
        if ray < RAY:
            raise _reject(ErrorCode.RATE_CONV_INVALID, "SPBEAM/invalid-rate-conv", bps=bps)
        if id_ == DSR:
            pot = self._pot()
            pot.drip()
            pot.file("dsr", ray, sender=self.address)
        elif id_ == SSR:
            self.susds.drip()
            self.susds.file("ssr", ray, sender=self.address)
        else:
            jug = self._jug(id_)
            jug.drip(id_)
            jug.file(id_, "duty", ray, sender=self.address)
        self.events.emit(self.atomic, "Set", id_, bps)

    def _current_ray(self, id_: str) -> int:
        if id_ == DSR:
            return self._pot().dsr
        if id_ == SSR:
            return self.susds.ssr
        return self._jug(id_).ilks(id_)[0]

    def _pot(self) -> Pot:
        if self.pot is None:
            raise ProtocolError(ErrorCode.INVALID_ID, field="pot", value=None, reason="no Pot")
        return self.pot

    def _jug(self, id_: str) -> JugLike:
        if self.jug is None:
            raise ProtocolError(ErrorCode.INVALID_ID, field="jug", value=id_, reason="no Jug")
        return self.jug

    def __repr__(self) -> str:
        return f"SPBEAM(bad={self.bad}, tau={self.tau}, toc={self.toc})"


def sky_spbeam(
    susds: SUsds,
    *,
    gov: Address,
    buds: Iterable[Address] = (),
    conv: ConvLike | None = None,
    pot: Pot | None = None,
    ssr_cfg: RateCfg = SKY_SSR_CFG,
    tau_s: int = SKY_TAU_S,
) -> SPBEAM:
    """SP-BEAM as Sky runs it for the SSR: `gov` (a ward of sUSDS, and of the Pot if one is
    given) deploys it, relies it on sUSDS, files the SSR bounds (max first: min may not
    exceed max) and tau, and kisses `buds`."""
    beam = SPBEAM(susds, conv if conv is not None else Conv(), ward=gov, pot=pot)
    susds.rely(beam.address, sender=gov)
    if pot is not None:
        pot.rely(beam.address, sender=gov)
    beam.file(SSR, "max", ssr_cfg.max_bps, sender=gov)
    beam.file(SSR, "min", ssr_cfg.min_bps, sender=gov)
    beam.file(SSR, "step", ssr_cfg.step_bps, sender=gov)
    beam.file("tau", tau_s, sender=gov)
    for bud in buds:
        beam.kiss(bud, sender=gov)
    return beam
