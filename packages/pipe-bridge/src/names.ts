import { canonicalName, ErrorCode, RingPipeError } from '@ringpipe/client';

export interface BridgeNames {
  /** The pipe's canonical name. */
  pipe: string;
  /** The JetStream stream: `RINGPIPE_<NAME>`. */
  stream: string;
  /** The one subject of the stream: `ringpipe.<NAME>`. */
  subject: string;
  /** The durable pull consumer every `from` bridge of the pipe shares. */
  consumer: string;
}

/**
 * The stream, subject and consumer of a pipe. A pipe name is one subject token,
 * so a name with a `.` (valid for a local pipe) is refused: it would be two tokens,
 * and `A.B` and `A_B` would share one stream.
 */
export function bridgeNames(name: string): BridgeNames {
  const pipe = canonicalName(name);
  if (pipe.includes('.')) {
    throw new RingPipeError(
      ErrorCode.BadName,
      `pipe name ${JSON.stringify(name)} cannot be bridged: it is no valid NATS subject token (a bridged name has only A-Z 0-9 _ -, no '.')`,
    );
  }
  return { pipe, stream: `RINGPIPE_${pipe}`, subject: `ringpipe.${pipe}`, consumer: 'ringpipe-from' };
}
