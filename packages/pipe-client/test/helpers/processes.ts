import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startChild, until } from '../../../../tests/support/index.js';
import { readableCopy, readableFixture } from './readable-copy.js';

export const PEER = fileURLToPath(new URL('../fixtures/peer.mjs', import.meta.url));

export interface Peer {
  child: ChildProcess;
  /** Resolves when the peer printed "ready" (its pipe is open). */
  ready: Promise<void>;
  /** The peer's last JSON line, its other output lines and its exit code, once it exited. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; result: any; lines: string[]; stderr: string }>;
}

export interface SpawnAs {
  uid?: number;
  gid?: number;
  cwd?: string;
}

/**
 * Starts a Node script as a peer. As another user, a script of test/fixtures runs from a
 * world-readable copy (see readable-copy.ts): that user may not be able to enter the checkout.
 */
export function startNode(script: string, args: string[], options: SpawnAs = {}): Peer {
  if (options.uid !== undefined && options.uid !== process.getuid?.()) {
    return startProcess(process.execPath, [readableFixture(script), ...args], { cwd: readableCopy(), ...options });
  }
  return startProcess(process.execPath, [script, ...args], options);
}

/** Any command, watched as a peer: "ready" and JSON lines on its stdout. */
export function startProcess(command: string, args: string[], options: SpawnAs = {}): Peer {
  const child = startChild(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const lines = createInterface({ input: child.stdout! });
  let last: any;
  const output: string[] = [];
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  lines.on('line', (line) => {
    if (line === 'ready') markReady();
    else if (line.startsWith('{')) last = JSON.parse(line);
    else output.push(line);
  });
  const done = once(child, 'close').then(([code, signal]) => ({ code, signal, result: last, lines: output, stderr }));
  done.then(() => markReady());
  return { child, ready, done };
}

export const startPeer = (args: string[], options?: SpawnAs): Peer => startNode(PEER, args, options);

/** Leaves pipe NAME as a crash does: a peer opens it (CAPACITY bytes), writes UNREAD messages, and is killed with SIGKILL. */
export async function leftByKilledHolder(name: string, capacity: number, unread: number): Promise<void> {
  const holder = startPeer(['hold', name, String(capacity), String(unread)]);
  await holder.ready;
  holder.child.kill('SIGKILL');
  await holder.done;
}

/** Waits until some process has the pipe open (statPipe sees a handle). */
export async function pipeOpened(name: string): Promise<void> {
  const { statPipe } = await import('../../src/index.js');
  const opened = (): boolean => {
    try {
      return statPipe(name).handles > 0;
    } catch {
      return false; // not created yet
    }
  };
  await until(`some process to open pipe ${name}`, opened, { timeoutMs: 4_000, everyMs: 10 });
}
