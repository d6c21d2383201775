"""SparkLend Ethereum as of 2026-04-23 (after the spell of that date), as data.

Built from spec/sparklend.md §2.2-2.4 and §3 and the sources listed in `SOURCES`: the
launch config and deployment output of `sparklend-deployments`, every Ethereum SparkLend
config diff of `spark-spells` (raw JSON at the end of each `diffs/*.md`), the spells and
spell tests that set what the diffs do not show (cap automator, kill switch, rate sources),
and `spark-address-registry` for token addresses.

How to read the values:
- Reserves are in reserve-id order (`Pool.getReservesList()`); the order is fixed by the
  listing spells and confirmed by the 18 `_getBorrowEnabled(reserves[i])` assertions of
  `Spell_20260312.t.sol`.
- A field that no source sets after listing keeps its launch/listing value. Where even that
  could not be confirmed, the value used is explained in a comment and the field is named in
  the reserve's `unknown_fields`.
- Caps under a cap automator move with usage (`exec` sets them to usage + gap, at most max).
  The live value is not in any spell source; the last value a source shows is kept and the
  field is marked unknown. The automator's own configs are in `cap_automator_configs`.
- Rate strategies that follow a live rate (SSR, the Lido staking APR) store the source name
  and the spread, never a number that moves with the source.

Example:
    >>> m = sparklend_ethereum_preset()
    >>> m.reserve("WETH").liquidation_threshold_bps
    8600
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.presets.sparklend_schema import (
    MAX_VALID_CAP,
    CapAutomatorPreset,
    CapSide,
    EModePreset,
    KillSwitchPreset,
    MarketPreset,
    RateSourceKind,
    RateSourcePreset,
    RateStrategyKind,
    RateStrategyPreset,
    ReservePreset,
)

__all__ = ["SOURCES", "SPARKLEND_ETHEREUM", "sparklend_ethereum_preset"]

_SPELLS_MARS: Final = "marsfoundation/spark-spells"
_SPELLS: Final = "sparkdotfi/spark-spells"
_DIFF: Final = "diffs/{d}-Ethereum-0xC13e21B648A5Ee794902342038FF3aDAB66BE987-pre_{d}-Ethereum-0xC13e21B648A5Ee794902342038FF3aDAB66BE987-post.md"  # noqa: E501

# (repository, commit, date) of every Ethereum SparkLend diff read.
_DIFFS: Final = (
    (_SPELLS_MARS, "ab0abd7457ef0fb67e12015481f2afde3f2608a6", "20230816"),
    (_SPELLS_MARS, "1c3824987637088d193af336d36aa5aef159bb56", "20230830"),
    (_SPELLS_MARS, "43a344aa6ef1792ca54adfe276389e78d58f03f1", "20230913"),
    (_SPELLS_MARS, "622322edcf063e4de3826ff6a5cc2aba3a880938", "20231011"),
    (_SPELLS_MARS, "15faca10d8eafba09a1ee3fbae81f2b48b48993a", "20231115"),
    (_SPELLS_MARS, "fb4d683973d3cd1f7b92bb64658e745a1463e46a", "20231129"),
    (_SPELLS_MARS, "11384b41d42c38c7725c2f1c0f654cb07b3d5936", "20240110"),
    (_SPELLS_MARS, "8073b1291955f2cb9d10006cb266344b3b92a7b6", "20240124"),
    (_SPELLS_MARS, "baa74cc42ba7154af0e9457033f98e3da47ab527", "20240221"),
    (_SPELLS_MARS, "0d442fc4e0637475df6298596341382bba6fa3c6", "20240306"),
    (_SPELLS_MARS, "7bb81bdedd79c9da7a060a06975197669331e69e", "20240308"),
    (_SPELLS_MARS, "83407ac8548606bb0466ad1aa2947eeeef709dcf", "20240320"),
    (_SPELLS_MARS, "e584a8af661c3aa56abefb0dca5c06ccbe27dfc2", "20240403"),
    (_SPELLS_MARS, "75507a60ec66aa32a46cc7bcfe2f85b2073c7876", "20240417"),
    (_SPELLS_MARS, "5756282242d338f7a25196932edbe8381567867a", "20240516"),
    (_SPELLS_MARS, "3c15033c4b03ecd2f02880f74360fca65c70c6bb", "20240530"),
    (_SPELLS_MARS, "217fd2de67ec95d020def9764878c4e635db0537", "20240613"),
    (_SPELLS_MARS, "00c67c3d8d754a9b0b9cacfa008d4811f0875b38", "20240711"),
    (_SPELLS_MARS, "1292f639bf4b7af535e809ef0f1681622b2e4229", "20240808"),
    (_SPELLS_MARS, "4677eba7d7dc48c79656bc73f74a121f604fff01", "20240905"),
    (_SPELLS_MARS, "1e057a6a12aea6ed555b1aaf043aa295540a7a72", "20240926"),
    (_SPELLS_MARS, "2fc2bd892a4a9a6a8a4dffa89830cb9bad3835ac", "20241017"),
    (_SPELLS_MARS, "7eb81a5a9a27eadfddfebe626f126019420e8a97", "20241024"),
    (_SPELLS_MARS, "8921b76af0bcf78548100c94f7b46fc1cac81f73", "20241107"),
    (_SPELLS_MARS, "07ef72d97072a6426961f9d982bf8240dfc3b2a7", "20241114"),
    (_SPELLS_MARS, "1c634e960b795ef7ced6adafd11c278491ea834e", "20241128"),
    (_SPELLS_MARS, "0dd3ad6aa13f4c8d750f2a45ce873d8aa59717cb", "20250109"),
    (_SPELLS_MARS, "084fa27e8db52d760ce5bf67497775fd6a6bcb05", "20250123"),
    (_SPELLS_MARS, "03045e85d1e450327c6bdf5693af65e8abd579fc", "20250206"),
    (_SPELLS_MARS, "4403e991e03fc0eb54a948a54f3eebe6e344dcb7", "20250220"),
    (_SPELLS, "0ad7545fc6f6b34eb691090639f02cd7b1fe3a21", "20250306"),
    (_SPELLS, "56b7ddd1277e089296e52ffe3b0a43dc94df0c9c", "20250320"),
    (_SPELLS, "15405b2d2db4988ff852388359f52cbeb0fd1b44", "20250403"),
    (_SPELLS, "231f5b659024289f2b055b7e0eaf79feca3b04ee", "20250417"),
    (_SPELLS, "4e9b11e6b371270666c76c1750e391f5066e0287", "20250501"),
    (_SPELLS, "578a3f25fc6918a6013eeef8d4c7c53a2767368b", "20250529"),
    (_SPELLS, "dcc191a12fd58dfbf8342fab6562bf83d268c225", "20250612"),
    (_SPELLS, "6fe25754f3054080643a59a56a8d6e61992e2072", "20250724"),
    (_SPELLS, "0337526919cb54b74b80e0dad781d054cf948322", "20250807"),
    (_SPELLS, "3b5d4669f68f518efef121f18aa952dac45540c0", "20250821"),
    (_SPELLS, "1ec8736d578bf26bff8f8ab92d9c87b4fd62c0cf", "20250918"),
    (_SPELLS, "181219cc53e3ddc4937da25346ba3d98ca937f12", "20251002"),
    (_SPELLS, "71df4e3057cad79eee2d0e20392118bfea3a4a65", "20251030"),
    (_SPELLS, "95203473977694099d6a5461d4198595381f92c7", "20251113"),
    (_SPELLS, "0b9208b6c5c3b466e49c301f178dfca67eeaf5c2", "20260115"),
    (_SPELLS, "ea698e5a76f3092895fc40201c6801e9e0a0007a", "20260129"),
    (_SPELLS, "61d32a4eea17471ad8ea4d4031a1b6dd144c0585", "20260326"),
    (_SPELLS, "372770a7e5a7ffbce98912d0aaebaf7ec49dbf63", "20260423"),
)

SOURCES: Final[tuple[str, ...]] = (
    "sparkprime spec/sparklend.md §2.2-2.4, §3 (reserve table, eModes, IRMs, kill switch)",
    "marsfoundation/sparklend-deployments@0e2a6ab7a8d618864587dd316665ca21b22eb402"
    "/script/input/1/config.json",
    "marsfoundation/sparklend-deployments@07ec495e69c0d0e0ed5773f200a1d2fd6ecfe64f"
    "/script/output/1/primary-latest.json",
    "marsfoundation/sparklend-deployments@06cb6125a31f852c790f483a8e3c796faa77c277"
    "/script/DeployAave.s.sol",
    "sparkdotfi/spark-address-registry@029397c9dbbda8d456691ba01c94940e900a322f/src/Ethereum.sol",
    "sparkdotfi/spark-address-registry@2934ba2a2ba81fbd12966d50aaca581af71aeea4/src/SparkLend.sol",
    f"{_SPELLS_MARS}@132aa97ab12dbe8b4a2539a1edb564c4fa0326da"
    "/diffs/pre-Spark-Ethereum-20230802_post-Spark-Ethereum-20230802.md",
    *(f"{repo}@{commit}/{_DIFF.format(d=d)}" for repo, commit, d in _DIFFS),
    f"{_SPELLS_MARS}@1b3cf002b3853077727bdd527b389f3190090fc4"
    "/src/proposals/20230525/SparkEthereum_20230525.t.sol",
    f"{_SPELLS_MARS}@56fbeb27f5bf61b0db5475d01a0f9be050842da5"
    "/src/proposals/20240306/SparkEthereum_20240306.sol",
    f"{_SPELLS_MARS}@2ed91f436105b8676261f8b631b407c594a1fdee"
    "/src/proposals/20240403/SparkEthereum_20240403.sol",
    f"{_SPELLS_MARS}@1292f639bf4b7af535e809ef0f1681622b2e4229"
    "/src/proposals/20240808/SparkEthereum_20240808.t.sol",
    f"{_SPELLS}@73d17f2a0712ed801bc04a91171d6554e43e9217"
    "/src/proposals/20250320/SparkEthereum_20250320.sol",
    f"{_SPELLS}@65ab4dfb2fc515186917200296b88150c5716b0d"
    "/archive/20250821/SparkEthereum_20250821.sol",
    f"{_SPELLS}@04bf38b769fec96bd14347f47683daec598d8b1b"
    "/src/proposals/20260115/SparkEthereum_20260115.sol",
    f"{_SPELLS}@0babe2d6785b0ce142829909042454a9ed21d255"
    "/src/proposals/20260312/SparkEthereum_20260312.sol",
    f"{_SPELLS}@0babe2d6785b0ce142829909042454a9ed21d255"
    "/src/proposals/20260312/Spell_20260312.t.sol",
    f"{_SPELLS}@2993d2ffb16aed1088f2d701e7ce20fd694c9685"
    "/src/proposals/20260326/SparkEthereum_20260326.sol",
    f"{_SPELLS}@b0360f1aa46385681d2a31d5fd192c97e277934b"
    "/src/proposals/20260423/SparkEthereum_20260423.sol",
    f"{_SPELLS}@18fb56fdc42a358efd0b747eb443fc9cbcaf0f48"
    "/src/proposals/20260423/Spell_20260423.t.sol",
    "marsfoundation/sparklend-advanced@0ba88d835156a698341ff810d2556a071e7ccf4b"
    "/src/CappedFallbackRateSource.sol",
    "sparkdotfi/sparklend-cap-automator@0316970ce2a54ee5f19454ddb0340e2779182160"
    "/src/CapAutomator.sol",
    "sky-ecosystem/polls@3a3e8909cd0c2198c46c07cf33b506b2f09e9c3f"
    "/2025/2025-07-28-sparklend-onboard-pyUSD.md",
    "https://v2.vote.makerdao.com/polling/QmXdGdxS (Onboard GNO to Spark Protocol, 2023-05-15)",
)

_HOURS_12: Final = 12 * 3600
_FIXED_USD: Final = "0x42a03F81dd8A1cEcD746dc262e4d1CD9fD39F777 (fixed 1 USD)"
_AGG_BTC: Final = (
    "0x4219aA1A99f3fe90C2ACB97fCbc1204f6485B537 (BTC/USD aggregated Chronicle, Chainlink, RedStone)"
)


def _ray(numerator: int, denominator: int) -> int:
    """An exact ray fraction: _ray(45, 100) == 0.45e27."""
    return RAY * numerator // denominator


# --- rate sources and strategies (spec §3 "Current IRMs") --------------------------------

_RATE_SOURCES: Final = (
    RateSourcePreset(
        name="SSR",
        kind=RateSourceKind.SSR,
        decimals=27,
        address=Address("0x57027B6262083E3aC3c8B2EB99f7e8005f669973"),
        source_note="SSRRateSource (spark-address-registry SparkLend.SSR_RATE_SOURCE)",
    ),
    RateSourcePreset(
        name="LST",
        kind=RateSourceKind.CAPPED_FALLBACK,
        decimals=18,
        address=Address("0xaBc99f366D2bE1f4e5b8DFC0F561a751dd836246"),
        inner_source=Address("0x08669C836F41AEaD03e3EF81a59f3b8e72EC417A"),
        lower_bound=2 * 10**16,
        upper_bound=55 * 10**15,
        default_rate=3 * 10**16,
        source_note=(
            "Lido staking APR, capped [2%, 5.5%], default 3% (SparkEthereum_20240808.t.sol); "
            "assumed to be the source of the 2026-04-23 WETH IRM too"
        ),
    ),
)


def _static(name: str, address: str | None, bps: tuple[int, int, int, int]) -> RateStrategyPreset:
    """A fixed-parameter DefaultReserveInterestRateStrategy: (optimal, base, slope1, slope2)."""
    opt, base, s1, s2 = bps
    return RateStrategyPreset(
        name=name,
        kind=RateStrategyKind.DEFAULT,
        optimal_usage_ratio_ray=_ray(opt, 10_000),
        base_variable_borrow_rate_ray=_ray(base, 10_000),
        variable_rate_slope1_ray=_ray(s1, 10_000),
        variable_rate_slope2_ray=_ray(s2, 10_000),
        address=None if address is None else Address(address),
        source_note="parameters from the spell diffs' strategy snapshots",
    )


def _kink(name: str, address: str, source: str, bps: tuple[int, int, int]) -> RateStrategyPreset:
    """A RateTargetKinkInterestRateStrategy with base 0: (optimal, slope1 spread, slope2)."""
    opt, spread, s2 = bps
    return RateStrategyPreset(
        name=name,
        kind=RateStrategyKind.RATE_TARGET_KINK,
        optimal_usage_ratio_ray=_ray(opt, 10_000),
        base_variable_borrow_rate_ray=0,
        variable_rate_slope1_spread_ray=RAY * spread // 10_000,  # exact: 1 bp = 1e23 ray
        variable_rate_slope2_ray=_ray(s2, 10_000),
        rate_source=source,
        address=Address(address),
        source_note=f"rate at the kink = {source} APR {spread:+d} bps",
    )


# fmt: off
_RATE_STRATEGIES: Final = (
    # spec §3: DAI and USDS 0.80 / 0 / SSR + 1.25% / 15% (spread from archive/20250821 tests).
    _kink("dai_usds_kink", "0x8a95998639A34462A1FdAaaA5506F66F90Ef2fDd", "SSR", (8000, 125, 1500)),
    # spec §3: USDC 0.95 / 0 / SSR + 1.25% / 15% (Spell_20260423.t.sol: the old USDT IRM, shared).
    _kink("usdc_kink", "0x2961d766D71F33F6C5e6Ca8bA7d0Ca08E6452C92", "SSR", (9500, 125, 1500)),
    # Spell_20260423.t.sol: USDT 0.95 / 0 / SSR + 0.50% / 15%.
    _kink("usdt_kink", "0x4E494988E68e6Fc52309BE4937869e27F0C304AC", "SSR", (9500, 50, 1500)),
    # Spell_20260423.t.sol: WETH 0.90 / 0 / LST APR - 0.10% / 75%.
    _kink("weth_kink", "0xDFB6206FfC5BA5B48D2852370ee6A1bf6887476a", "LST", (9000, -10, 7500)),
    RateStrategyPreset(
        # spec §3: PYUSD 0.95 / SSR + 0 / 2% / 15% (diff 20251113 strategy snapshot).
        name="pyusd_base",
        kind=RateStrategyKind.RATE_TARGET_BASE,
        optimal_usage_ratio_ray=_ray(9500, 10_000),
        base_rate_spread_ray=0,
        variable_rate_slope1_ray=_ray(200, 10_000),
        variable_rate_slope2_ray=_ray(1500, 10_000),
        rate_source="SSR",
        address=Address("0xDF7dedCfd522B1ee8da2c8526f642745800c8035"),
        source_note="base rate = SSR APR + 0",
    ),
    _static("wsteth_static", "0xDD94eC5C14407e0bd6760c8eBDcD4Ec1327D3656", (7000, 0, 200, 30000)),
    # spec §3 gives WBTC's strategy as "0xD213..." only; the full address was not found.
    _static("wbtc_static", None, (6000, 0, 200, 30000)),
    _static("cbbtc_tbtc_static", "0x75a1397c72e2965447D2282Dd99eFC75cC080396",
            (8000, 0, 100, 30000)),
    _static("weeth_lbtc_lrt_static", "0xDe5Dde40E12763464dc859A9F03793988dE953FB",
            (4500, 500, 1500, 30000)),
    # rETH: spec §3 names 0xc107...; diffs 20240306 and 20240530 disagree on which of
    # 0xc1077B2D / 0xD7A8461e went to WETH and which to rETH. The parameters are rETH's.
    _static("reth_static", "0xc1077B2De7b328A84c66A3e419369F8537DC1cFe", (4500, 25, 700, 30000)),
    _static("susds_static", "0xa8632b2f0A3C5327a77ee51a47A168B6490A7178", (8000, 0, 200, 30000)),
    # sDAI is not borrowable; its launch strategy (config.json: optimal 100%, base 1%, slopes 0)
    # is not changed by any diff read.
    _static("sdai_launch", "0xeC4cf692c18E62159a39704Aa1Db82ca2306fF90", (10000, 100, 0, 0)),
    # GNO is not borrowable and its strategy was not found: a zero-rate placeholder.
    RateStrategyPreset(
        name="gno_placeholder",
        kind=RateStrategyKind.DEFAULT,
        optimal_usage_ratio_ray=RAY,
        base_variable_borrow_rate_ray=0,
        variable_rate_slope1_ray=0,
        variable_rate_slope2_ray=0,
        source_note="placeholder: GNO's strategy is not in any source read (borrowing disabled)",
    ),
)
# fmt: on


# --- reserves, in reserve-id order ---------------------------------------------------------


def _reserve(
    symbol: str,
    underlying: str,
    decimals: int,
    collateral: tuple[int, int, int],
    *,
    rf: int,
    lpf: int,
    emode: int,
    caps: tuple[int, int],
    borrowing: bool,
    flash: bool,
    strategy: str,
    oracle: str,
    frozen: bool = False,
    isolation_borrowable: bool = False,
    debt_ceiling_usd_e2: int = 0,
    unknown: tuple[str, ...] = (),
) -> ReservePreset:
    ltv, lt, lb = collateral
    supply_cap, borrow_cap = caps
    return ReservePreset(
        symbol=symbol,
        underlying=Address(underlying),
        decimals=decimals,
        ltv_bps=ltv,
        liquidation_threshold_bps=lt,
        liquidation_bonus_bps=lb,
        reserve_factor_bps=rf,
        liquidation_protocol_fee_bps=lpf,
        emode_category=emode,
        supply_cap_tokens=supply_cap,
        borrow_cap_tokens=borrow_cap,
        debt_ceiling_usd_e2=debt_ceiling_usd_e2,
        borrowing_enabled=borrowing,
        borrowable_in_isolation=isolation_borrowable,
        # USDC and USDT were siloed from 2023-10-11 to 2024-05-30 (diffs); none is siloed now.
        siloed_borrowing=False,
        flash_loan_enabled=flash,
        is_active=True,
        is_frozen=frozen,
        is_paused=False,
        rate_strategy=strategy,
        oracle_source=oracle,
        unknown_fields=unknown,
    )


_MAX: Final = MAX_VALID_CAP
_CAPS_AUTOMATED: Final = ("supply_cap_tokens", "borrow_cap_tokens")

# fmt: off
_RESERVES: Final = (
    # 0. DAI: LT 1 bps, not usable as collateral. LPF is never set by a diff read: the launch
    # value (2000, spec §3) is kept. Borrowable in isolation since the GNO listing (2023 poll).
    _reserve(
        "DAI", "0x6B175474E89094C44Da98b954EedeAC495271d0F", 18, (0, 1, 10450),
        rf=1000, lpf=2000, emode=0, caps=(0, 0), borrowing=True, flash=True,
        strategy="dai_usds_kink", oracle=f"{_FIXED_USD}, diff 20240110",
        isolation_borrowable=True, unknown=("liquidation_protocol_fee_bps",),
    ),
    # 1. sDAI: wound down 2025-11-13 (LTV 0, supply cap 1). RF and LPF keep their launch values
    # (1000 from config.json; 2000 per spec §3), never seen in a diff.
    _reserve(
        "sDAI", "0x83F20F44975D03b1b09e64809B757c47f942BEeA", 18, (0, 8000, 10500),
        rf=1000, lpf=2000, emode=2, caps=(1, 0), borrowing=False, flash=True,
        strategy="sdai_launch",
        oracle="0x0c0864837C7e65458aCD3C665222203217019436 (sDAI/USD), diff 20241017",
        unknown=("reserve_factor_bps", "liquidation_protocol_fee_bps", "rate_strategy"),
    ),
    # 2. USDC: caps at the maximum since 2025-10-30 (no automator).
    _reserve(
        "USDC", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6, (0, 0, 0),
        rf=100, lpf=0, emode=2, caps=(_MAX, _MAX), borrowing=True, flash=True,
        strategy="usdc_kink", oracle=f"{_FIXED_USD}, diff 20240124",
    ),
    # 3. WETH: both caps automator-managed; the launch values (no supply cap, 1.4M borrow cap,
    # config.json) are kept.
    _reserve(
        "WETH", "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", 18, (8500, 8600, 10500),
        rf=500, lpf=1000, emode=1, caps=(0, 1_400_000), borrowing=True, flash=True,
        strategy="weth_kink",
        oracle="0x2750e4CB635aF1FCCFB10C0eA54B5b5bfC2759b6 (ETH/USD aggregated), diff 20250206",
        unknown=_CAPS_AUTOMATED,
    ),
    # 4. wstETH: supply cap 1.2M per spec §3 (automator max 2M); borrow automator max 1 gap 1,
    # so the live borrow cap sits at usage + 1; the listing value 3000 is kept.
    _reserve(
        "wstETH", "0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0", 18, (8300, 8400, 10700),
        rf=3000, lpf=1000, emode=1, caps=(1_200_000, 3_000), borrowing=True, flash=True,
        strategy="wsteth_static",
        oracle="0xf77e132799DBB0d83A4fB7df10DA04849340311A (wstETH/ETH/USD), diff 20240905",
        unknown=("borrow_cap_tokens",),
    ),
    # 5. WBTC: collateral again since 2026-03-26, borrowing off. LB 10700 is spec §3's value;
    # the diffs read never change it from the launch 10625. Supply cap: last seen 5000
    # (diff 20241024); borrow cap: launch 500 (automator max 1). Oracle: launch feed, no diff
    # read changes it.
    _reserve(
        "WBTC", "0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599", 8, (7700, 7800, 10700),
        rf=2000, lpf=0, emode=0, caps=(5_000, 500), borrowing=False, flash=True,
        strategy="wbtc_static",
        oracle="0x230E0321Cf38F09e247e50Afc7801EA2351fe56F (WBTC/USD), launch",
        unknown=("liquidation_bonus_bps", *_CAPS_AUTOMATED, "rate_strategy", "oracle_source"),
    ),
    # 6. GNO: frozen, LTV 0 since 2024-01-10. LT 2500 / LB 11000 / debt ceiling 5M USD are the
    # onboarding poll's (2023-05); RF, LPF, caps and the flash-loan flag were not found: RF 0
    # and caps 0 (no borrowing, frozen: neither has an effect), LPF 1000 and flash loans on as
    # for the other 2023 listings (rETH, USDT).
    _reserve(
        "GNO", "0x6810e776880C02933D47DB1b9fc05908e5386b96", 18, (0, 2500, 11000),
        rf=0, lpf=1000, emode=0, caps=(0, 0), borrowing=False, flash=True,
        strategy="gno_placeholder", oracle="Chronicle GNO/USD via adaptor (poll); address unknown",
        frozen=True, debt_ceiling_usd_e2=5_000_000_00,
        unknown=(
            "liquidation_threshold_bps", "liquidation_bonus_bps", "reserve_factor_bps",
            "liquidation_protocol_fee_bps", *_CAPS_AUTOMATED, "debt_ceiling_usd_e2",
            "flash_loan_enabled", "rate_strategy", "oracle_source",
        ),
    ),
    # 7. rETH: frozen and LTV 0 on 2026-04-23. Supply cap 80k (spec §3, automator max);
    # borrow automator max 1 gap 1: the listing value 2400 is kept.
    _reserve(
        "rETH", "0xae78736Cd615f374D3085123A210448E74Fc6393", 18, (0, 8000, 10700),
        rf=1500, lpf=1000, emode=1, caps=(80_000, 2_400), borrowing=True, flash=True,
        strategy="reth_static",
        oracle="0x11af58f13419fD3ce4d3A90372200c80Bc62f140 (rETH/ETH/USD), diff 20240905",
        frozen=True, unknown=("borrow_cap_tokens",),
    ),
    # 8. USDT
    _reserve(
        "USDT", "0xdAC17F958D2ee523a2206206994597C13D831ec7", 6, (0, 0, 0),
        rf=100, lpf=0, emode=2, caps=(_MAX, _MAX), borrowing=True, flash=True,
        strategy="usdt_kink", oracle=f"{_FIXED_USD}, diff 20240124",
    ),
    # 9. weETH: not isolated since 2025-01-09; its automator config was not migrated to the
    # v1.1 automator (2026-03-12), so its supply cap is static now; the listing value is kept.
    _reserve(
        "weETH", "0xCd5fE23C85820F7B72D0926FC9b05b43E359b7ee", 18, (7900, 8000, 10800),
        rf=1500, lpf=1000, emode=0, caps=(5_000, 0), borrowing=False, flash=False,
        strategy="weeth_lbtc_lrt_static",
        oracle="0x28897036f8459bFBa886083dD6b4Ce4d2f14a57F (weETH/ETH/USD), diff 20240905",
        unknown=("supply_cap_tokens",),
    ),
    # 10. cbBTC: both caps automator-managed; listing values kept.
    _reserve(
        "cbBTC", "0xcbB7C0000aB88B473b1f5aFd9ef808440eed33Bf", 8, (8100, 8200, 10800),
        rf=2000, lpf=1000, emode=3, caps=(500, 50), borrowing=True, flash=True,
        strategy="cbbtc_tbtc_static", oracle=f"{_AGG_BTC}, diff 20250206",
        unknown=_CAPS_AUTOMATED,
    ),
    # 11. sUSDS: wound down 2025-11-13 (LTV 0, supply cap 1).
    _reserve(
        "sUSDS", "0xa3931d71877C0E7a3148CB7Eb4463524FEc27fbD", 18, (0, 8000, 10500),
        rf=1000, lpf=1000, emode=2, caps=(1, 0), borrowing=False, flash=False,
        strategy="susds_static",
        oracle="0x27f3A665c75aFdf43CfbF6B3A859B698f46ef656 (sUSDS/USD), diff 20241017",
    ),
    # 12. USDS: borrowable in isolation (listing, diff 20250123).
    _reserve(
        "USDS", "0xdC035D45d973E3EC169d2276DDab16f1e407384F", 18, (0, 0, 0),
        rf=1000, lpf=0, emode=0, caps=(0, 0), borrowing=True, flash=False,
        strategy="dai_usds_kink", oracle=f"{_FIXED_USD}, diff 20250123",
        isolation_borrowable=True,
    ),
    # 13. LBTC: supply cap automator-managed; listing value kept.
    _reserve(
        "LBTC", "0x8236a87084f8B84306f72007F36F2618A5634494", 8, (7400, 7500, 10800),
        rf=1500, lpf=1000, emode=3, caps=(250, 0), borrowing=False, flash=False,
        strategy="weeth_lbtc_lrt_static", oracle=f"{_AGG_BTC}, diff 20250306",
        unknown=("supply_cap_tokens",),
    ),
    # 14. tBTC: frozen 2026-01-29 (RF 99%), automator config not migrated; listing caps kept.
    _reserve(
        "tBTC", "0x18084fbA666a33d37592fA2633fD49a74DD93a88", 18, (7400, 7500, 10800),
        rf=9900, lpf=1000, emode=0, caps=(125, 25), borrowing=True, flash=True,
        strategy="cbbtc_tbtc_static", oracle=f"{_AGG_BTC}, diff 20250306",
        frozen=True, unknown=_CAPS_AUTOMATED,
    ),
    # 15. ezETH: frozen 2026-01-29; listing supply cap kept.
    _reserve(
        "ezETH", "0xbf5495Efe5DB9ce00f80364C8B423567e58d2110", 18, (7500, 7600, 11000),
        rf=1500, lpf=1000, emode=0, caps=(2_000, 0), borrowing=False, flash=False,
        strategy="weeth_lbtc_lrt_static",
        oracle="0x52E85eB49e07dF74c8A9466D2164b4C4cA60014A (ezETH/USD), diff 20250320",
        frozen=True, unknown=("supply_cap_tokens",),
    ),
    # 16. rsETH: frozen 2026-01-29; listing supply cap kept.
    _reserve(
        "rsETH", "0xA1290d69c65A6Fe4DF752f95823fae25cB99e5A7", 18, (7500, 7600, 11000),
        rf=1500, lpf=1000, emode=0, caps=(2_000, 0), borrowing=False, flash=False,
        strategy="weeth_lbtc_lrt_static",
        oracle="0x70942D6b580741CF50A7906f4100063EE037b8eb (rsETH/USD), diff 20250320",
        frozen=True, unknown=("supply_cap_tokens",),
    ),
    # 17. PYUSD: LPF 0 as the listing diff (20250807) shows on chain; spec §3 and the
    # onboarding poll say 10%, but the config engine sets no LPF for a non-collateral (LT 0).
    _reserve(
        "PYUSD", "0x6c3ea9036406852006290770BEdFcAbA0e23A0e8", 6, (0, 0, 0),
        rf=1000, lpf=0, emode=2, caps=(_MAX, _MAX), borrowing=True, flash=True,
        strategy="pyusd_base", oracle=f"{_FIXED_USD}, diff 20250807",
    ),
)

# --- eModes (spec §3; priceSource 0 everywhere) ---------------------------------------------

_EMODES: Final = (
    EModePreset(category_id=1, label="ETH", ltv_bps=9200, liquidation_threshold_bps=9300,
                liquidation_bonus_bps=10100),
    EModePreset(category_id=2, label="USD", ltv_bps=9100, liquidation_threshold_bps=9200,
                liquidation_bonus_bps=10100),
    EModePreset(category_id=3, label="BTC", ltv_bps=8500, liquidation_threshold_bps=9000,
                liquidation_bonus_bps=10200),
)

# --- kill switch (spec §2.2): the six feeds registered after the 2026-03-12 spell -----------

_KILL_SWITCHES: Final = (
    KillSwitchPreset(
        feed="stETH/ETH", oracle=Address("0x86392dC19c0b719886221c78AB11eb8Cf5c52812"),
        threshold=95 * 10**16, threshold_decimals=18, active=True, set_by="20240403",
    ),
    KillSwitchPreset(
        # set 20240403, disabled 20240905, set again 20260312
        feed="WBTC/BTC (Chainlink)", oracle=Address("0xfdFD9C85aD200c506Cf9e21F1FD8dd01932FBB23"),
        threshold=95 * 10**6, threshold_decimals=8, active=True, set_by="20260312",
    ),
    KillSwitchPreset(
        feed="LBTC/BTC", oracle=Address("0x5c29868C58b6e15e2b962943278969Ab6a7D3212"),
        threshold=95 * 10**6, threshold_decimals=8, active=True, set_by="20260115",
    ),
    KillSwitchPreset(
        feed="cbBTC/BTC ratio", oracle=Address("0x64B157212C21097002920D57322B671b88DFcCBC"),
        threshold=95 * 10**16, threshold_decimals=18, active=True, set_by="20260312",
    ),
    KillSwitchPreset(
        feed="rETH/ETH ratio", oracle=Address("0xd0B378dA552D06B6D3497e4b5ba2A83418f78d06"),
        threshold=95 * 10**16, threshold_decimals=18, active=True, set_by="20260312",
    ),
    KillSwitchPreset(
        feed="weETH/ETH ratio", oracle=Address("0x4C805FD3c64B79840d36813Fc90c165bf77bb7E4"),
        threshold=95 * 10**16, threshold_decimals=18, active=True, set_by="20260312",
    ),
)
# fmt: on

# --- cap automator v1.1 (0x4C13...F2eE): the configs migrated on 2026-03-12 -------------------
# Only rETH, WBTC, WETH, wstETH, cbBTC and LBTC were migrated; the values are those set by
# 20240306 / 20240403 / 20250109 / 20250320 / 20250821 / 20251002 / 20251030, with WBTC's
# supply config from the 20260326 diff.


def _cap(asset: str, side: CapSide, max_tokens: int, gap_tokens: int) -> CapAutomatorPreset:
    return CapAutomatorPreset(
        asset=asset,
        side=side,
        max_tokens=max_tokens,
        gap_tokens=gap_tokens,
        increase_cooldown_s=_HOURS_12,
    )


_S, _B = CapSide.SUPPLY, CapSide.BORROW
_CAP_CONFIGS: Final = (
    _cap("WETH", _S, 2_000_000, 150_000),
    _cap("WETH", _B, 1_000_000, 20_000),
    _cap("wstETH", _S, 2_000_000, 50_000),
    _cap("wstETH", _B, 1, 1),
    _cap("WBTC", _S, 3_000, 500),
    _cap("WBTC", _B, 1, 1),
    _cap("rETH", _S, 80_000, 10_000),
    _cap("rETH", _B, 1, 1),
    _cap("cbBTC", _S, 20_000, 500),
    _cap("cbBTC", _B, 10_000, 50),
    _cap("LBTC", _S, 10_000, 500),
)

SPARKLEND_ETHEREUM: Final = MarketPreset(
    name="SparkLend Ethereum",
    chain="ethereum",
    chain_id=1,
    as_of="2026-04-23",
    sources=SOURCES,
    pool=Address("0xC13e21B648A5Ee794902342038FF3aDAB66BE987"),
    pool_configurator=Address("0x542DBa469bdE58FAeE189ffB60C6b49CE60E0738"),
    oracle=Address("0x8105f69D9C41644c6A0803fDA7D03Aa70996cFD9"),
    addresses_provider=Address("0x02C3eA4e34C0cBd694D2adFa2c690EECbC1793eE"),
    kill_switch_oracle=Address("0x909A86f78e1cdEd68F9c2Fe2c9CD922c401abe82"),
    cap_automator=Address("0x4C1341636721b8B687647920B2E9481f3AB1F2eE"),
    # Both 0: launch script and spell 20230913 (spec §1.10).
    flash_loan_premium_total_bps=0,
    flash_loan_premium_to_protocol_bps=0,
    reserves=_RESERVES,
    emodes=_EMODES,
    rate_strategies=_RATE_STRATEGIES,
    rate_sources=_RATE_SOURCES,
    kill_switches=_KILL_SWITCHES,
    cap_automator_configs=_CAP_CONFIGS,
)


def sparklend_ethereum_preset() -> MarketPreset:
    """The SparkLend Ethereum market as of 2026-04-23, validated."""
    return SPARKLEND_ETHEREUM
