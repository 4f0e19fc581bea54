import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { connect as natsConnect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { join } from 'node:path';

/** Why these tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (unshare and mount for a private /dev/shm per simulated host)';
  if (spawnSync('nats-server', ['--version']).status !== 0) return 'nats-server is not installed (bash scripts/apt-install.sh nats-server)';
  if (spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status !== 0) return 'unshare -m is not permitted here';
  return undefined;
}

export function natsServerVersion(): string {
  return spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listening(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nats-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One nats-server on loopback that the test may kill -9 and start again on the same port and store. */
export class NatsServer {
  readonly storeDir: string;
  child: ChildProcess | undefined;
  log = '';

  constructor(
    readonly port: number,
    readonly extraArgs: string[] = [],
    readonly jetstream = true,
  ) {
    this.storeDir = mkdtempSync(join(tmpdir(), 'ringpipe-js-'));
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const js = this.jetstream ? ['-js', '-sd', this.storeDir] : [];
    this.child = spawn('nats-server', [...js, '-p', String(this.port), '-a', '127.0.0.1', ...this.extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (t: string) => (this.log += t));
    this.child.stdout!.setEncoding('utf8').on('data', (t: string) => (this.log += t));
    await listening(this.port);
  }

  /** SIGTERM: the server writes what it holds and exits. */
  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  kill9(): Promise<void> {
    return this.end('SIGKILL');
  }

  private end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

/** Three JetStream nodes clustered on loopback. */
export async function startCluster(): Promise<NatsServer[]> {
  const clientPorts = [await freePort(), await freePort(), await freePort()];
  const clusterPorts = [await freePort(), await freePort(), await freePort()];
  const routes = clusterPorts.map((p) => `nats-route://127.0.0.1:${p}`).join(',');
  const nodes = clientPorts.map(
    (port, i) => new NatsServer(port, ['--name', `n${i}`, '--cluster_name', 'ringpipe', '--cluster', `nats://127.0.0.1:${clusterPorts[i]}`, '--routes', routes]),
  );
  await Promise.all(nodes.map((n) => n.start()));
  await replicatedStreamsPossible(nodes, 90_000);
  return nodes;
}

/** Waits until the cluster has elected its JetStream leader and can place a stream of 3 replicas. */
async function replicatedStreamsPossible(nodes: NatsServer[], timeoutMs: number): Promise<void> {
  const nc = await natsConnect({ servers: nodes.map((n) => n.url), maxReconnectAttempts: -1 });
  const end = Date.now() + timeoutMs;
  let last: unknown;
  try {
    while (Date.now() < end) {
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: 'READY', subjects: ['ready'], num_replicas: 3 });
        await jsm.streams.delete('READY');
        return;
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    throw new Error(`the JetStream cluster did not become ready: ${String(last)}`);
  } finally {
    await nc.close();
  }
}
