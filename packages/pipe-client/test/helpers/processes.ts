import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readableCopy, readableFixture } from './readable-copy.js';

export const PEER = fileURLToPath(new URL('../fixtures/peer.mjs', import.meta.url));

export interface Peer {
  child: ChildProcess;
  /** Resolves when the peer printed "ready" (its pipe is open). */
  ready: Promise<void>;
  /** The peer's last JSON line, its other output lines and its exit code, once it exited. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; result: any; lines: string[]; stderr: string }>;
}

const running = new Set<ChildProcess>();

/** Kills every peer still running, so that a failed test leaves no process behind. */
export function killPeers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
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
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  running.add(child);
  child.once('exit', () => running.delete(child));
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

/** A name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Waits until some process has the pipe open (statPipe sees a handle). */
export async function pipeOpened(name: string): Promise<void> {
  const { statPipe } = await import('../../src/index.js');
  for (let i = 0; i < 400; i++) {
    try {
      if (statPipe(name).handles > 0) return;
    } catch {
      // not created yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`nobody opened pipe ${name}`);
}
