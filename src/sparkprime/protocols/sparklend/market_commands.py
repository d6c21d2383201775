"""The commands a journaled SparkLend market accepts: one per Pool, PoolConfigurator, token or
oracle call, argument for argument, with the caller as `sender`.

Amounts are uint256 in the asset's base units; `interest_rate_mode` is 2 (variable) on
SparkLend. A command is checked when it is built (types, ranges, addresses) and again by the
contract model when it runs.

The guards (KillSwitchOracle, CapAutomator) and the ratio feeds the kill switch reads are part
of the market too: feeds are named in commands ("stETH/ETH") and the market resolves a name to
the feed's address, which is what the kill switch keys its oracles by.
"""

from __future__ import annotations

from sparkprime.core.ids import Address
from sparkprime.ledger.command import Int256, Uint256, command
from sparkprime.protocols.sparklend.cap_automator import CapAutomatorVersion
from sparkprime.protocols.sparklend.market_rates import RateInputSpec, StrategySpec

__all__ = [
    "MARKET_COMMANDS",
    "ApproveDelegation",
    "ApproveUnderlying",
    "Borrow",
    "CapAutomatorExec",
    "CapAutomatorSetBorrowCapConfig",
    "CapAutomatorSetSupplyCapConfig",
    "ConfigureReserveAsCollateral",
    "Deal",
    "DefineFeed",
    "DefineRateInput",
    "DeployCapAutomator",
    "DeployKillSwitch",
    "DeployToken",
    "GrantRole",
    "InitReserve",
    "KillSwitchDisableOracle",
    "KillSwitchReset",
    "KillSwitchSetOracle",
    "KillSwitchTrigger",
    "LiquidationCall",
    "MintToTreasury",
    "PushFeedAnswer",
    "Repay",
    "RepayWithATokens",
    "SetAssetEModeCategory",
    "SetAssetPrice",
    "SetBorrowCap",
    "SetDebtCeiling",
    "SetEModeCategory",
    "SetFlashloanPremiums",
    "SetLiquidationProtocolFee",
    "SetRateInput",
    "SetReserveBorrowing",
    "SetReserveFactor",
    "SetReserveFlag",
    "SetSupplyCap",
    "SetUserEMode",
    "SetUserUseReserveAsCollateral",
    "Supply",
    "TransferAToken",
    "Withdraw",
]

# --- users ----------------------------------------------------------------------------------


@command("sparklend.supply")
class Supply:
    asset: Address
    amount: Uint256
    on_behalf_of: Address
    sender: Address


@command("sparklend.withdraw")
class Withdraw:
    asset: Address
    amount: Uint256  # uint256.max withdraws everything
    to: Address
    sender: Address


@command("sparklend.borrow")
class Borrow:
    asset: Address
    amount: Uint256
    interest_rate_mode: Uint256
    on_behalf_of: Address
    sender: Address


@command("sparklend.repay")
class Repay:
    asset: Address
    amount: Uint256  # uint256.max repays the whole debt (only for one's own)
    interest_rate_mode: Uint256
    on_behalf_of: Address
    sender: Address


@command("sparklend.repay_with_a_tokens")
class RepayWithATokens:
    asset: Address
    amount: Uint256
    interest_rate_mode: Uint256
    sender: Address


@command("sparklend.set_user_use_reserve_as_collateral")
class SetUserUseReserveAsCollateral:
    asset: Address
    use_as_collateral: bool
    sender: Address


@command("sparklend.set_user_emode")
class SetUserEMode:
    category_id: Uint256
    sender: Address


@command("sparklend.liquidation_call")
class LiquidationCall:
    collateral_asset: Address
    debt_asset: Address
    user: Address
    debt_to_cover: Uint256  # uint256.max: as much as the close factor allows
    receive_a_token: bool
    sender: Address


@command("sparklend.approve_delegation")
class ApproveDelegation:
    asset: Address  # the reserve whose variable-debt token holds the allowance
    delegatee: Address
    amount: Uint256
    sender: Address


@command("sparklend.transfer_a_token")
class TransferAToken:
    asset: Address
    to: Address
    amount: Uint256
    sender: Address


@command("sparklend.mint_to_treasury")
class MintToTreasury:
    assets: tuple[Address, ...]


# --- tokens and prices ------------------------------------------------------------------------


@command("sparklend.deploy_token")
class DeployToken:
    """Put an ERC-20 at `address` (a listing needs the underlying to exist)."""

    address: Address
    symbol: str
    decimals: Uint256


@command("sparklend.deal")
class Deal:
    """Mint underlying to `to` (foundry's `deal`): how funds enter a simulation."""

    asset: Address
    to: Address
    amount: Uint256


@command("sparklend.approve_underlying")
class ApproveUnderlying:
    asset: Address
    spender: Address
    amount: Uint256
    sender: Address


@command("sparklend.set_asset_price")
class SetAssetPrice:
    """A new oracle price: USD with 8 decimals, as AaveOracle answers."""

    asset: Address
    price_usd_e8: Uint256


@command("sparklend.define_rate_input")
class DefineRateInput:
    spec: RateInputSpec
    value: Uint256


@command("sparklend.set_rate_input")
class SetRateInput:
    """A new value of a named live rate (the SSR as a per-second ray, an LST APR, ...)."""

    name: str
    value: Uint256


# --- governance (PoolConfigurator and ACL) ----------------------------------------------------


@command("sparklend.grant_role")
class GrantRole:
    role: str
    account: Address
    sender: Address


@command("sparklend.init_reserve")
class InitReserve:
    asset: Address
    strategy: StrategySpec
    treasury: Address
    sender: Address


@command("sparklend.configure_reserve_as_collateral")
class ConfigureReserveAsCollateral:
    asset: Address
    ltv: Uint256
    liquidation_threshold: Uint256
    liquidation_bonus: Uint256
    sender: Address


@command("sparklend.set_reserve_borrowing")
class SetReserveBorrowing:
    asset: Address
    enabled: bool
    sender: Address


@command("sparklend.set_reserve_flag")
class SetReserveFlag:
    """One of the configurator's boolean setters, by its name: `active`, `freeze`, `pause`,
    `flash_loaning`, `borrowable_in_isolation`, `siloed_borrowing`."""

    asset: Address
    flag: str
    value: bool
    sender: Address


@command("sparklend.set_reserve_factor")
class SetReserveFactor:
    asset: Address
    reserve_factor_bps: Uint256
    sender: Address


@command("sparklend.set_supply_cap")
class SetSupplyCap:
    asset: Address
    supply_cap_tokens: Uint256
    sender: Address


@command("sparklend.set_borrow_cap")
class SetBorrowCap:
    asset: Address
    borrow_cap_tokens: Uint256
    sender: Address


@command("sparklend.set_liquidation_protocol_fee")
class SetLiquidationProtocolFee:
    asset: Address
    fee_bps: Uint256
    sender: Address


@command("sparklend.set_flashloan_premiums")
class SetFlashloanPremiums:
    """`updateFlashloanPremiumTotal` then `updateFlashloanPremiumToProtocol`, in bps."""

    total_bps: Uint256
    to_protocol_bps: Uint256
    sender: Address


@command("sparklend.set_debt_ceiling")
class SetDebtCeiling:
    asset: Address
    debt_ceiling_usd_e2: Uint256
    sender: Address


@command("sparklend.set_emode_category")
class SetEModeCategory:
    category_id: Uint256
    ltv: Uint256
    liquidation_threshold: Uint256
    liquidation_bonus: Uint256
    price_source: Address | None
    label: str
    sender: Address


@command("sparklend.set_asset_emode_category")
class SetAssetEModeCategory:
    asset: Address
    category_id: Uint256
    sender: Address


# --- ratio feeds and guards (KillSwitchOracle, CapAutomator) -------------------------------


@command("sparklend.define_feed")
class DefineFeed:
    """A new Chainlink-style feed under `name` (e.g. "stETH/ETH", 18 decimals)."""

    name: str
    description: str
    decimals: Uint256


@command("sparklend.push_feed_answer")
class PushFeedAnswer:
    """A new round of feed `name`, at the market clock's now (int256: a feed may go <= 0)."""

    name: str
    answer: Int256


@command("sparklend.deploy_kill_switch")
class DeployKillSwitch:
    """`new KillSwitchOracle(pool, poolConfigurator)` owned by `owner`, reading the market's
    feeds. Its configurator calls need RISK_ADMIN: grant it with `GrantRole`."""

    owner: Address


@command("sparklend.kill_switch_set_oracle")
class KillSwitchSetOracle:
    """`setOracle(feed, threshold)` (owner); `feed` is a feed name."""

    feed: str
    threshold: Uint256
    sender: Address


@command("sparklend.kill_switch_disable_oracle")
class KillSwitchDisableOracle:
    """`disableOracle(feed)` (owner)."""

    feed: str
    sender: Address


@command("sparklend.kill_switch_trigger")
class KillSwitchTrigger:
    """`trigger(feed)` (anyone)."""

    feed: str
    sender: Address


@command("sparklend.kill_switch_reset")
class KillSwitchReset:
    """`reset()` (owner)."""

    sender: Address


@command("sparklend.deploy_cap_automator")
class DeployCapAutomator:
    """`new CapAutomator(...)`: v1.0 owned by `owner`; v1.1 with `owner` as admin and
    updater. Its configurator calls need RISK_ADMIN: grant it with `GrantRole`."""

    owner: Address
    version: CapAutomatorVersion


@command("sparklend.cap_automator_set_supply_cap_config")
class CapAutomatorSetSupplyCapConfig:
    """`setSupplyCapConfig(asset, max, gap, increaseCooldown)`: whole tokens, seconds."""

    asset: Address
    max: Uint256
    gap: Uint256
    increase_cooldown: Uint256
    sender: Address


@command("sparklend.cap_automator_set_borrow_cap_config")
class CapAutomatorSetBorrowCapConfig:
    """`setBorrowCapConfig(asset, max, gap, increaseCooldown)`: whole tokens, seconds."""

    asset: Address
    max: Uint256
    gap: Uint256
    increase_cooldown: Uint256
    sender: Address


@command("sparklend.cap_automator_exec")
class CapAutomatorExec:
    """`exec(asset)`: both caps (v1.0 anyone, v1.1 UPDATE_ROLE)."""

    asset: Address
    sender: Address


MARKET_COMMANDS: tuple[type, ...] = (
    Supply,
    Withdraw,
    Borrow,
    Repay,
    RepayWithATokens,
    SetUserUseReserveAsCollateral,
    SetUserEMode,
    LiquidationCall,
    ApproveDelegation,
    TransferAToken,
    MintToTreasury,
    DeployToken,
    Deal,
    ApproveUnderlying,
    SetAssetPrice,
    DefineRateInput,
    SetRateInput,
    GrantRole,
    InitReserve,
    ConfigureReserveAsCollateral,
    SetReserveBorrowing,
    SetReserveFlag,
    SetReserveFactor,
    SetSupplyCap,
    SetBorrowCap,
    SetLiquidationProtocolFee,
    SetFlashloanPremiums,
    SetDebtCeiling,
    SetEModeCategory,
    SetAssetEModeCategory,
    DefineFeed,
    PushFeedAnswer,
    DeployKillSwitch,
    KillSwitchSetOracle,
    KillSwitchDisableOracle,
    KillSwitchTrigger,
    KillSwitchReset,
    DeployCapAutomator,
    CapAutomatorSetSupplyCapConfig,
    CapAutomatorSetBorrowCapConfig,
    CapAutomatorExec,
)
