import { bridge, type BridgeOptions } from '@ringpipe/bridge';
import { UsageError } from '../exit-codes.js';
import { pipeOptions, type OpenFlags } from './open-options.js';

export interface BridgeFlags extends OpenFlags {
  to?: string;
  from?: string;
  replicas?: number;
  storage: 'file' | 'memory';
  maxAge?: number;
  maxBytes?: number;
  maxMsgs?: number;
  duplicateWindow?: number;
  window?: number;
  batch?: number;
  user?: string;
  password?: string;
  token?: string;
  creds?: string;
}

/**
 * `ringpipe bridge NAME --to URL | --from URL`: runs until SIGTERM or SIGINT, which
 * drain it (exit 0). State changes and retries go to stderr.
 */
export async function bridgeCommand(name: string, flags: BridgeFlags): Promise<void> {
  if ((flags.to === undefined) === (flags.from === undefined)) throw new UsageError('bridge needs exactly one of --to URL and --from URL');
  const direction = flags.to !== undefined ? 'to' : 'from';
  const { access: _access, mode: _mode, ...pipe } = pipeOptions(flags, 'read');
  const options: BridgeOptions = {
    name,
    direction,
    servers: (flags.to ?? flags.from)!.split(','),
    pipe,
    stream: {
      storage: flags.storage,
      ...(flags.replicas !== undefined ? { replicas: flags.replicas } : {}),
      ...(flags.maxAge !== undefined ? { maxAge: flags.maxAge } : {}),
      ...(flags.maxBytes !== undefined ? { maxBytes: flags.maxBytes } : {}),
      ...(flags.maxMsgs !== undefined ? { maxMsgs: flags.maxMsgs } : {}),
      ...(flags.duplicateWindow !== undefined ? { duplicateWindow: flags.duplicateWindow } : {}),
    },
    ...(flags.window !== undefined ? { window: flags.window } : {}),
    ...(flags.batch !== undefined ? { batch: flags.batch } : {}),
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.password !== undefined ? { pass: flags.password } : {}),
    ...(flags.token !== undefined ? { token: flags.token } : {}),
    ...(flags.creds !== undefined ? { credsFile: flags.creds } : {}),
  };
  const handle = bridge(options);
  const say = (text: string): void => void process.stderr.write(`ringpipe bridge ${handle.name} ${direction}: ${text}\n`);
  handle.on('state', (state, detail) => say(detail ? `${state} (${detail})` : state));
  handle.on('retry', (reason) => say(reason));
  handle.on('warning', (text) => say(`warning: ${text}`));
  say(`connecting to ${handle.server}`);
  // Replaces the CLI's exit-at-once handlers: a bridge finishes the message in hand first.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void handle.stop());
  }
  await handle.done;
  say(`${handle.messages} messages, ${handle.duplicates} duplicates dropped`);
}
