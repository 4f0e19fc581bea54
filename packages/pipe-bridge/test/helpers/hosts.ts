import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const CLI = fileURLToPath(new URL('../../../pipe-cli/bin/ringpipe.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

const everyone = new Set<ChildProcess>();

/** Kills every process the tests started, so that a failed test leaves none behind. */
export function killAll(): void {
  for (const child of everyone) child.kill('SIGKILL');
  everyone.clear();
}

export interface Proc {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function track(child: ChildProcess): Proc {
  everyone.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (err += t));
  const exited = once(child, 'exit').then(([code, signal]) => {
    everyone.delete(child);
    return (code as number | null) ?? (signal ? -1 : null);
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/**
 * A simulated host: a mount namespace with its own /dev/shm (so its pipes are its
 * own), held by a sleeping process; every process of the host enters it.
 */
export class Host {
  private constructor(private readonly holder: Proc) {}

  static async start(): Promise<Host> {
    const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64M,mode=1777 tmpfs /dev/shm && echo ready && exec sleep infinity'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const holder = track(child);
    const until = Date.now() + 10_000;
    while (!holder.stdout().includes('ready')) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`no private /dev/shm: ${holder.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return new Host(holder);
  }

  /** Runs a command inside this host, with `env` added to the environment. */
  run(command: string, args: string[], env: Record<string, string> = {}): Proc {
    return track(
      spawn('nsenter', ['-t', String(this.holder.child.pid), '-m', '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }),
    );
  }

  node(script: string, args: string[]): Proc {
    return this.run(process.execPath, [FIXTURES + script, ...args]);
  }

  ringpipe(args: string[], env: Record<string, string> = {}): Proc {
    return this.run(process.execPath, [CLI, ...args], env);
  }

  /** The path of `file` (absolute, as this host sees it) from outside the host. */
  path(file: string): string {
    return `/proc/${this.holder.child.pid}/root${file}`;
  }

  stop(): void {
    this.holder.child.kill('SIGKILL');
  }
}

/** Call inside a describe block: hosts started through the function it returns are stopped, with every process, after each test. */
export function hostsPerTest(): () => Promise<Host> {
  const hosts: Host[] = [];
  afterEach(() => {
    for (const h of hosts.splice(0)) h.stop();
    killAll();
  });
  return async () => {
    const host = await Host.start();
    hosts.push(host);
    return host;
  };
}

export async function until(what: string, test: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Like until(), for a test that has to run something (a command) to answer. */
export async function eventually(what: string, test: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
