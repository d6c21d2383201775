"""The cross-chain SSR oracle: sUSDS's savings-rate data (ssr, chi, rho) carried to another
chain, from which the sUSDS/USDS conversion rate is computed there (the PSM3's rate provider).

Sources: marsfoundation/xchain-ssr-oracle (= sparkdotfi/xchain-ssr-oracle)
`src/SSROracleBase.sol` (commit 860b51b8), `src/SSRAuthOracle.sol` (commit 0eed4f18: strictly
increasing rho, `maxSSR` may be reset to 0), `src/SSRMainnetOracle.sol` (1938a3df),
`src/adapters/SSRBalancerRateProviderAdapter.sol` (8f98580c).

- `SSROracleBase`: `get_susds_data`, `get_ssr`, `get_chi`, `get_rho`; `get_apr()` =
  (ssr - RAY) * 365 days (unchecked, so it wraps for ssr < RAY as the contract does);
  `get_conversion_rate(t)` = chi at t == rho, else rpow(ssr, t - rho) * chi // RAY (exact,
  half-up rpow; "SSROracleBase/invalid-timestamp" for t < rho); the linear approximation
  (rate * dt + RAY) * chi // RAY and the three-term binomial one (Aave's MathUtils
  `calculateCompoundedInterest`), both with the contract's checked and unchecked steps.
  Every `get_conversion_rate*` takes `timestamp=None` for `block.timestamp` (the clock's now):
  `get_conversion_rate()` is the no-argument overload a PSM3 calls on its rate provider.
- `SSRAuthOracle`: OpenZeppelin AccessControl (`DEFAULT_ADMIN_ROLE` to the deployer,
  `DATA_PROVIDER_ROLE` for the bridge receiver); `set_max_ssr` (0 or >= RAY,
  "SSRAuthOracle/invalid-max-ssr"); `set_susds_data` checks rho <= now, RAY <= ssr
  (<= maxSSR when set), and after the first update: rho strictly increasing, chi
  non-decreasing and, with a maxSSR, chi <= rpow(maxSSR, rho' - rho) * chi // RAY.
- `SSRMainnetOracle`: reads an `SUsds` (any `SUsdsLike`) on `refresh()`, narrowing to
  uint96/uint120/uint40 as the contract's casts do.
- `SSRBalancerRateProviderAdapter.get_rate()`: the binomial rate // 1e9 (wad).

Revert strings -> codes (the string is `reason`): "SSROracleBase/invalid-timestamp":
SSR_ORACLE_INVALID_TIMESTAMP; "SSRAuthOracle/invalid-rho" / "-ssr" / "-chi" / "-max-ssr":
SSR_ORACLE_INVALID_RHO / _SSR / _CHI / _MAX_SSR; a missing role: MISSING_ROLE (as
`protocols.sparklend.access_control`, whose enumerable roles stand in for plain
AccessControl); a struct field past its width (the ABI decoder's revert): VALUE_OUT_OF_RANGE;
checked-math overflow: MATH_OVERFLOW.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> clock, admin = Clock(1_000), make_addr("admin")
    >>> oracle = SSRAuthOracle(clock=clock, admin=admin)
    >>> oracle.grant_role(DATA_PROVIDER_ROLE, admin, sender=admin)
    >>> oracle.set_susds_data(SUSDSData(ssr=RAY, chi=RAY, rho=1_000), sender=admin)
    >>> oracle.get_conversion_rate()
    1000000000000000000000000000
"""

from __future__ import annotations

import dataclasses
from typing import Final, Protocol

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.rpow import rpow
from sparkprime.core.uint import UINT256_MAX, check_uint, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.access_control import (
    DEFAULT_ADMIN_ROLE,
    AccessControlEnumerable,
)
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "DATA_PROVIDER_ROLE",
    "DEFAULT_ADMIN_ROLE",
    "SSRAuthOracle",
    "SSRBalancerRateProviderAdapter",
    "SSRMainnetOracle",
    "SSROracleBase",
    "SUSDSData",
    "SUsdsLike",
]

DATA_PROVIDER_ROLE: Final = "DATA_PROVIDER_ROLE"
_YEAR_S: Final = 365 * 86_400
_WORD: Final = 2**256


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SUSDSData:
    """`ISSROracle.SUSDSData`: ssr (ray per second, uint96), chi (ray, uint120), rho
    (seconds, uint40)."""

    ssr: int = 0
    chi: int = 0
    rho: int = 0


class SUsdsLike(Protocol):
    """What the mainnet oracle reads from sUSDS (`SUsds` is one)."""

    @property
    def clock(self) -> Clock:
        """The chain's clock."""
        ...

    @property
    def ssr(self) -> int:
        """The per-second savings rate (ray)."""
        ...

    @property
    def chi(self) -> int:
        """The stored accumulator (ray)."""
        ...

    @property
    def rho(self) -> int:
        """The time of the last drip."""
        ...


def _mul(*factors: int, op: str) -> int:
    """Solidity 0.8 checked multiplication, left to right."""
    product = 1
    for f in factors:
        product *= f
        if product > UINT256_MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, reason="Panic(0x11)")
    return product


def _add(*terms: int, op: str) -> int:
    total = sum(terms)
    if total > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, reason="Panic(0x11)")
    return total


class SSROracleBase:
    """Storage of the sUSDS data and the conversion-rate views every SSR oracle shares."""

    def __init__(self, clock: Clock, *, atomic: Atomic, events: EventLog) -> None:
        self.clock = clock
        self._atomic = atomic
        self.events = events
        self._store: dict[str, SUSDSData] = {"data": SUSDSData()}

    @property
    def atomic(self) -> Atomic:
        """The undo log every write goes through."""
        return self._atomic

    def _set_susds_data(self, next_data: SUSDSData) -> None:
        self._atomic.set_item(self._store, "data", next_data)
        self.events.emit(self._atomic, "SetSUSDSData", next_data)

    # --- views ---

    def get_susds_data(self) -> SUSDSData:
        """The stored (ssr, chi, rho)."""
        return self._store["data"]

    def get_ssr(self) -> int:
        """The per-second savings rate (ray)."""
        return self._store["data"].ssr

    def get_chi(self) -> int:
        """The conversion rate at rho (ray)."""
        return self._store["data"].chi

    def get_rho(self) -> int:
        """When chi was computed."""
        return self._store["data"].rho

    def get_apr(self) -> int:
        """(ssr - RAY) * 365 days, unchecked (ray)."""
        return (self._store["data"].ssr - RAY) % _WORD * _YEAR_S % _WORD

    def _elapsed(self, timestamp: int | None) -> tuple[SUSDSData, int]:
        d = self._store["data"]
        t = self.clock.now if timestamp is None else check_uint256(timestamp, field="timestamp")
        if t < d.rho:
            raise ProtocolError(
                ErrorCode.SSR_ORACLE_INVALID_TIMESTAMP,
                timestamp=t,
                rho=d.rho,
                reason="SSROracleBase/invalid-timestamp",
            )
        return d, t - d.rho

    def get_conversion_rate(self, timestamp: int | None = None) -> int:
        """sUSDS -> USDS at `timestamp` (default now), exact: rpow(ssr, dt) * chi // RAY."""
        d, dt = self._elapsed(timestamp)
        if dt == 0:
            return d.chi
        return _mul(rpow(d.ssr, dt, RAY), d.chi, op="getConversionRate") // RAY

    def get_conversion_rate_linear_approx(self, timestamp: int | None = None) -> int:
        """(rate * dt + RAY) * chi // RAY, rate = ssr - RAY: never above the exact rate."""
        d, dt = self._elapsed(timestamp)
        if dt == 0:
            return d.chi
        rate = (d.ssr - RAY) % _WORD
        growth = _add(_mul(rate, dt, op="rate * duration"), RAY, op="+ RAY")
        return _mul(growth, d.chi, op="getConversionRateLinearApprox") // RAY

    def get_conversion_rate_binomial_approx(self, timestamp: int | None = None) -> int:
        """chi * (RAY + r*n + n(n-1)r²/2 + n(n-1)(n-2)r³/6) // RAY, with r² and r³ floored
        to rays and the contract's unchecked steps wrapping mod 2**256."""
        d, n = self._elapsed(timestamp)
        if n == 0:
            return d.chi
        rate = (d.ssr - RAY) % _WORD
        n_minus_two = n - 2 if n > 2 else 0
        power_two = rate * rate % _WORD // RAY
        power_three = power_two * rate % _WORD // RAY
        second = _mul(n, n - 1, power_two, op="secondTerm") // 2
        third = _mul(n, n - 1, n_minus_two, power_three, op="thirdTerm") // 6
        growth = _add(RAY, _mul(rate, n, op="rate * exp"), second, third, op="binomial sum")
        return _mul(d.chi, growth, op="getConversionRateBinomialApprox") // RAY


class SSRAuthOracle(SSROracleBase, AccessControlEnumerable):
    """The receiving-chain oracle: data pushed by a DATA_PROVIDER_ROLE holder, sanity-checked."""

    def __init__(
        self,
        *,
        clock: Clock,
        admin: Address,
        atomic: Atomic | None = None,
        events: EventLog | None = None,
    ) -> None:
        atomic = atomic if atomic is not None else Atomic()
        events = events if events is not None else EventLog()
        AccessControlEnumerable.__init__(self, atomic=atomic, events=events)
        SSROracleBase.__init__(self, clock, atomic=atomic, events=events)
        self._max: dict[str, int] = {"max_ssr": 0}
        self.grant(DEFAULT_ADMIN_ROLE, admin, admin)

    @property
    def max_ssr(self) -> int:
        """`maxSSR`: the highest ssr accepted (0 = no bound)."""
        return self._max["max_ssr"]

    def set_max_ssr(self, max_ssr: int, *, sender: Address) -> None:
        """`setMaxSSR` (admin): 0 or at least RAY."""
        self.check_role(DEFAULT_ADMIN_ROLE, sender)
        max_ssr = check_uint256(max_ssr, field="max_ssr")
        if max_ssr < RAY and max_ssr != 0:
            raise ProtocolError(
                ErrorCode.SSR_ORACLE_INVALID_MAX_SSR,
                max_ssr=max_ssr,
                reason="SSRAuthOracle/invalid-max-ssr",
            )
        transact(self._atomic, self._write_max, max_ssr)

    def _write_max(self, max_ssr: int) -> None:
        self._atomic.set_item(self._max, "max_ssr", max_ssr)
        self.events.emit(self._atomic, "SetMaxSSR", max_ssr)

    def set_susds_data(self, next_data: SUSDSData, *, sender: Address) -> None:
        """`setSUSDSData` (data provider), with the contract's sanity checks."""
        self.check_role(DATA_PROVIDER_ROLE, sender)
        check_uint(next_data.ssr, field="ssr", bits=96)
        check_uint(next_data.chi, field="chi", bits=120)
        check_uint(next_data.rho, field="rho", bits=40)
        prev, max_ssr = self._store["data"], self._max["max_ssr"]
        if next_data.rho > self.clock.now:
            raise self._invalid_rho(next_data.rho)
        if next_data.ssr < RAY or (max_ssr != 0 and next_data.ssr > max_ssr):
            raise ProtocolError(
                ErrorCode.SSR_ORACLE_INVALID_SSR,
                ssr=next_data.ssr,
                reason="SSRAuthOracle/invalid-ssr",
            )
        if prev.rho != 0:  # after the first update: the sanity checks
            if next_data.rho <= prev.rho:
                raise self._invalid_rho(next_data.rho)
            chi_max = None
            if max_ssr != 0:
                growth = rpow(max_ssr, next_data.rho - prev.rho, RAY)
                chi_max = _mul(growth, prev.chi, op="chiMax") // RAY
            if next_data.chi < prev.chi or (chi_max is not None and next_data.chi > chi_max):
                raise ProtocolError(
                    ErrorCode.SSR_ORACLE_INVALID_CHI,
                    chi=next_data.chi,
                    reason="SSRAuthOracle/invalid-chi",
                )
        transact(self._atomic, self._set_susds_data, next_data)

    @staticmethod
    def _invalid_rho(rho: int) -> ProtocolError:
        return ProtocolError(
            ErrorCode.SSR_ORACLE_INVALID_RHO, rho=rho, reason="SSRAuthOracle/invalid-rho"
        )


class SSRMainnetOracle(SSROracleBase):
    """The oracle beside sUSDS on Ethereum: `refresh()` copies (ssr, chi, rho)."""

    def __init__(
        self, susds: SUsdsLike, *, atomic: Atomic | None = None, events: EventLog | None = None
    ) -> None:
        super().__init__(
            susds.clock,
            atomic=atomic if atomic is not None else Atomic(),
            events=events if events is not None else EventLog(),
        )
        self.susds = susds
        self.refresh()

    def refresh(self) -> None:
        """Copy sUSDS's stored ssr, chi and rho (uint96/uint120/uint40 casts truncate)."""
        s = self.susds
        data = SUSDSData(ssr=s.ssr % 2**96, chi=s.chi % 2**120, rho=s.rho % 2**40)
        transact(self._atomic, self._set_susds_data, data)


class SSRBalancerRateProviderAdapter:
    """Balancer's `IRateProvider` over an SSR oracle: the binomial rate in wad."""

    __slots__ = ("ssr_oracle",)

    def __init__(self, ssr_oracle: SSROracleBase) -> None:
        self.ssr_oracle = ssr_oracle

    def get_rate(self) -> int:
        """getConversionRateBinomialApprox() / 1e9."""
        return self.ssr_oracle.get_conversion_rate_binomial_approx() // 10**9
