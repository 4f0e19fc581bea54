import { BAD_INPUT_CODES as CLIENT_BAD_INPUT_CODES, ErrorCode, RingPipeError } from '@ringpipe/client';

/** Error codes of the bridge, beside the client's (BadName, BadOption are the client's). */
export const BridgeErrorCode = {
  /** The local pipe is in byte mode: only message-mode pipes can be bridged. */
  ByteMode: 'ERR_RINGPIPE_BRIDGE_BYTE_MODE',
  /** The NATS server answered but has no JetStream (started without `-js`). */
  NoJetStream: 'ERR_RINGPIPE_BRIDGE_NO_JETSTREAM',
  /** The server refused the credentials. */
  Auth: 'ERR_RINGPIPE_BRIDGE_AUTH',
  /** JetStream refused to create or use the pipe's stream or consumer (the message says why). */
  Stream: 'ERR_RINGPIPE_BRIDGE_STREAM',
} as const;

export type BridgeErrorCode = (typeof BridgeErrorCode)[keyof typeof BridgeErrorCode];

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;

  constructor(code: BridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BridgeError';
    this.code = code;
  }
}

/** The client's bad-input codes (exit 2 in the CLI), and the bridge's own one. */
export const BAD_INPUT_CODES: ReadonlySet<string> = new Set([...CLIENT_BAD_INPUT_CODES, BridgeErrorCode.ByteMode]);

export function badOption(message: string): RingPipeError {
  return new RingPipeError(ErrorCode.BadOption, message);
}
