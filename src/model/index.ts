export * from "./generated"
export { ProtocolEventRow } from './protocol-event-row'
