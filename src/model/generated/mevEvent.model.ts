import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {MevKind} from "./_mevKind"
import {Block} from "./block.model"
import {Validator} from "./validator.model"
import {Swap} from "./swap.model"
import {Arbitrage} from "./arbitrage.model"
import {Sandwich} from "./sandwich.model"
import {Liquidation} from "./liquidation.model"
import {JitLiquidity} from "./jitLiquidity.model"
import {NftTrade} from "./nftTrade.model"

/**
 * Unified MEV feed: one row per swap, arbitrage, sandwich, direct coinbase transfer, liquidation, JIT liquidity and NFT trade.
 * id = <height>-<kind>-<id of the swap / arbitrage / sandwich, or tx position + trace index for transfers>.
 */
@Index_(["kind", "blockNumber"], {unique: false})
@Entity_()
export class MevEvent {
    constructor(props?: Partial<MevEvent>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Column_("varchar", {length: 17, nullable: false})
    kind!: MevKind

    @Index_()
    @ManyToOne_(() => Block, {nullable: true})
    block!: Block

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date

    /**
     * The block's proposer.
     */
    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator | undefined | null

    @Index_()
    @StringColumn_({nullable: false})
    transactionHash!: string

    /**
     * SWAP / SANDWICH / JIT_LIQUIDITY: the pool; ARBITRAGE: the first swap's pool; NFT_TRADE: the collection.
     */
    @Index_()
    @StringColumn_({nullable: true})
    pool!: string | undefined | null

    /**
     * Swap caller, arbitrageur, sandwicher, coinbase-transfer sender, liquidator, JIT bot or NFT buyer.
     */
    @Index_()
    @StringColumn_({nullable: true})
    account!: string | undefined | null

    /**
     * ARBITRAGE / SANDWICH profit; COINBASE_TRANSFER: ETH paid (token = null); SWAP: amount in of tokenIn;
     * LIQUIDATION: collateral received; NFT_TRADE: payment; JIT_LIQUIDITY: null.
     */
    @StringColumn_({nullable: true})
    token!: string | undefined | null

    @BigIntColumn_({nullable: true})
    amount!: bigint | undefined | null

    @Index_()
    @ManyToOne_(() => Swap, {nullable: true})
    swap!: Swap | undefined | null

    @Index_()
    @ManyToOne_(() => Arbitrage, {nullable: true})
    arbitrage!: Arbitrage | undefined | null

    @Index_()
    @ManyToOne_(() => Sandwich, {nullable: true})
    sandwich!: Sandwich | undefined | null

    @Index_()
    @ManyToOne_(() => Liquidation, {nullable: true})
    liquidation!: Liquidation | undefined | null

    @Index_()
    @ManyToOne_(() => JitLiquidity, {nullable: true})
    jitLiquidity!: JitLiquidity | undefined | null

    @Index_()
    @ManyToOne_(() => NftTrade, {nullable: true})
    nftTrade!: NftTrade | undefined | null
}
