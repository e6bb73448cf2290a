export * from './revert'
export * from './settlement-chain'
export * from './tx-mutation'
export * from './tx-sender'
