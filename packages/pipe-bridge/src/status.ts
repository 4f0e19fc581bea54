// @ringpipe/bridge/status: what `ringpipe ls` and `ringpipe rm` use, without loading the bridge or NATS.
export { listBridges } from './status/list.js';
export type { BridgeStatus } from './status/record.js';
export { forgetPipe } from './forget-pipe.js';
