"""SparkLend, contract-exact and journaled: the Ethereum market of 2026-04-23, one leveraged
fund, an ETH crash and its liquidation, then a replay of the journal to the same state.

Prices and the SSR here are illustrative inputs (the preset holds parameters, not prices).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sparkprime.core.uint import UINT256_MAX
from sparkprime.ledger import Ledger, SqlJournalStore, Submission
from sparkprime.presets import MarketPreset, sparklend_ethereum_preset, sparklend_market_commands
from sparkprime.protocols.sparklend import market_commands as mc
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.market import POOL_ADDRESS, SparkLendMarket

START_TS_S = 1_776_902_400  # 2026-04-23T00:00:00Z
SSR_RAY = 1_000_000_001_243_680_656_318_820_312  # about 4% a year, per second
ADMIN, LP, FUND, KEEPER = (make_addr(n) for n in ("governance", "lp", "fund", "keeper"))


def _prices(preset: MarketPreset) -> dict[str, int]:
    eth = {
        "WETH": 3_000,
        "wstETH": 3_600,
        "rETH": 3_400,
        "weETH": 3_200,
        "rsETH": 3_100,
        "ezETH": 3_100,
    }
    btc = {"WBTC": 90_000, "cbBTC": 90_000, "LBTC": 90_000, "tBTC": 90_000}
    other = {"GNO": 150}
    usd = eth | btc | other
    return {r.symbol: usd.get(r.symbol, 1) * 10**8 for r in preset.reserves}


def _units(amount: int, decimals: int, shown: int) -> str:
    whole, frac = divmod(amount, 10**decimals)  # exact: truncated to `shown` decimals
    return f"{whole:,}.{frac // 10 ** (decimals - shown):0{shown}d}"


def _hf(value: int) -> str:
    if value == UINT256_MAX:
        return "inf"
    whole, frac = divmod(value, 10**18)
    return f"{whole}.{frac // 10**14:04d}"


def main() -> None:
    console = Console()
    console.rule("[bold]SparkLend Ethereum, journaled")
    preset = sparklend_ethereum_preset()
    asset = {r.symbol: r.underlying for r in preset.reserves}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sparklend.db"
        genesis = SparkLendMarket.create(start_ts_s=START_TS_S, admin=ADMIN)
        ledger = Ledger.create(SqlJournalStore.sqlite(str(path)), genesis)
        listing = sparklend_market_commands(
            preset,
            admin=ADMIN,
            prices_usd_e8=_prices(preset),
            rate_values={"SSR": SSR_RAY, "LST": 3 * 10**16},
        )
        outcomes = ledger.submit_batch([Submission(command=c) for c in listing])
        refused = [o for o in outcomes if not hasattr(o, "seq")]
        if refused:
            raise SystemExit(f"the listing was refused: {refused[0]}")
        n_reserves = len(preset.reserves)
        console.print(
            f"listed {n_reserves} reserves as of {preset.as_of} in {len(listing)} commands"
        )

        usdc, weth = asset["USDC"], asset["WETH"]
        for who, token, amount in (
            (LP, usdc, 10_000_000 * 10**6),
            (FUND, weth, 1_000 * 10**18),
            (KEEPER, usdc, 2_000_000 * 10**6),
        ):
            ledger.submit(mc.Deal(asset=token, to=who, amount=amount))
            ledger.submit(
                mc.ApproveUnderlying(
                    asset=token, spender=POOL_ADDRESS, amount=UINT256_MAX, sender=who
                )
            )
        ledger.submit(mc.Supply(asset=usdc, amount=10_000_000 * 10**6, on_behalf_of=LP, sender=LP))
        ledger.submit(mc.Supply(asset=weth, amount=1_000 * 10**18, on_behalf_of=FUND, sender=FUND))
        ledger.submit(
            mc.Borrow(
                asset=usdc,
                amount=2_400_000 * 10**6,
                interest_rate_mode=2,
                on_behalf_of=FUND,
                sender=FUND,
            )
        )
        pool = ledger.machine.pool

        table = Table(title="The fund (1,000 WETH supplied, 2.4M USDC borrowed)")
        for column in ("moment", "collateral USD", "debt USD", "health factor"):
            table.add_column(column, justify="right")

        def row(moment: str) -> None:
            data = pool.get_user_account_data(FUND)
            table.add_row(
                moment,
                f"{data.total_collateral_base // 10**8:,}",
                f"{data.total_debt_base // 10**8:,}",
                _hf(data.health_factor),
            )

        row("borrowed")
        ledger.submit(
            mc.SetAssetPrice(asset=weth, price_usd_e8=2_700 * 10**8), ts_s=START_TS_S + 30 * 86_400
        )
        row("30 days, ETH 2,700")
        result = ledger.submit(
            mc.LiquidationCall(
                collateral_asset=weth,
                debt_asset=usdc,
                user=FUND,
                debt_to_cover=UINT256_MAX,
                receive_a_token=False,
                sender=KEEPER,
            )
        ).result
        row("after liquidation")
        console.print(table)
        console.print(
            f"liquidator repaid {_units(result['debt_to_cover'], 6, 2)} USDC for "
            f"{_units(result['liquidated_collateral_amount'], 18, 4)} WETH; treasury fee "
            f"{_units(result['protocol_fee'], 18, 4)} WETH"
        )
        rate = pool.get_reserve_data(usdc).current_variable_borrow_rate
        console.print(
            f"USDC borrow rate now {_units(rate, 25, 3)}% a year (Kink strategy on the SSR)"
        )
        expected = ledger.state_hash()
        head = ledger.head_seq
        ledger.close()
        replayed = Ledger.open(
            SqlJournalStore.sqlite(str(path)), SparkLendMarket, use_snapshots=False
        )
        same = replayed.state_hash() == expected and replayed.head_seq == head
        console.print(
            f"replayed {head} journal entries from genesis: same state hash [bold]{same}[/bold]"
        )
        replayed.close()
        if not same:
            raise SystemExit("replay diverged")


if __name__ == "__main__":
    main()
