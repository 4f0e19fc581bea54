// @ringpipe/bridge/status: what `ringpipe ls` reads, without loading the bridge or NATS.
export { listBridges } from './status/list.js';
export type { BridgeStatus } from './status/record.js';
