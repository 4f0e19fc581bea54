export { bridge, BridgeHandle, type BridgeEvents, type BridgeState } from './bridge.js';
export { BridgeError, BridgeErrorCode, BAD_INPUT_CODES } from './errors.js';
export { bridgeNames, type BridgeNames } from './names.js';
export type { BridgeOptions } from './options.js';
export { ACK_WAIT_MS } from './jetstream-setup.js';
export { forgetPipe, listBridges, type BridgeStatus } from './status.js';
