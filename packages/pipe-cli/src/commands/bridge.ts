import { BAD_INPUT_CODES, bridge, type BridgeOptions } from '@ringpipe/bridge';
import type { CliContext } from '../cli-context.js';
import { UsageError } from '../exit-codes.js';
import { secret, secretOnCommandLine } from '../secrets.js';
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
  passwordFile?: string;
  tokenFile?: string;
  creds?: string;
  /** Refused: secrets come from a file or the environment. */
  password?: string;
  token?: string;
}

/**
 * `ringpipe bridge NAME --to URL | --from URL`: runs until SIGTERM or SIGINT, which
 * drain it (exit 0). State changes and retries go to stderr.
 */
export async function bridgeCommand(name: string, flags: BridgeFlags, context: CliContext): Promise<void> {
  if ((flags.to === undefined) === (flags.from === undefined)) throw new UsageError('bridge needs exactly one of --to URL and --from URL');
  if (flags.password !== undefined) throw secretOnCommandLine('--password', '--password-file', 'RINGPIPE_NATS_PASSWORD');
  if (flags.token !== undefined) throw secretOnCommandLine('--token', '--token-file', 'RINGPIPE_NATS_TOKEN');
  const password = secret(flags.passwordFile, '--password-file', 'RINGPIPE_NATS_PASSWORD');
  const token = secret(flags.tokenFile, '--token-file', 'RINGPIPE_NATS_TOKEN');
  const direction = flags.to !== undefined ? 'to' : 'from';
  const servers = (flags.to ?? flags.from)!.split(',');
  if (servers.some(hasPassword)) throw secretOnCommandLine(`a password in the --${direction} URL`, '--password-file', 'RINGPIPE_NATS_PASSWORD');
  const { access: _access, mode: _mode, ...pipe } = pipeOptions(flags, 'read');
  const options: BridgeOptions = {
    name,
    direction,
    servers,
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
    ...(password !== undefined ? { pass: password } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(flags.creds !== undefined ? { credsFile: flags.creds } : {}),
    // A bridge finishes the message in hand before it stops.
    signal: context.signal,
  };
  context.stopOnSignal();
  try {
    await runBridge(options, direction);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw typeof code === 'string' && BAD_INPUT_CODES.has(code) ? new UsageError((err as Error).message, { cause: err }) : err;
  }
}

async function runBridge(options: BridgeOptions, direction: 'to' | 'from'): Promise<void> {
  const handle = bridge(options);
  const say = (text: string): void => void process.stderr.write(`ringpipe bridge ${handle.name} ${direction}: ${text}\n`);
  handle.on('state', (state, detail) => say(detail ? `${state} (${detail})` : state));
  handle.on('retry', (reason) => say(reason));
  handle.on('warning', (text) => say(`warning: ${text}`));
  say(`connecting to ${handle.server}`);
  await handle.done;
  say(`${handle.messages} messages, ${handle.duplicates} duplicates dropped`);
}

/** Whether a server URL carries a password (nats://user:password@host). */
function hasPassword(server: string): boolean {
  try {
    return new URL(/^[a-z]+:\/\//i.test(server) ? server : `nats://${server}`).password !== '';
  } catch {
    return false; // the bridge refuses the URL itself, saying why
  }
}
