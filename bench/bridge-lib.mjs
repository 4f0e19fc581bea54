// Helpers of the bridge benchmarks (bridge.mjs, bridge-from.mjs): processes' CPU time, a local nats-server's port.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect as tcp } from 'node:net';

/** Starts `command`, added to `children` (killed at the end); its output so far from out() and err(). */
export function started(command, args, children) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (t) => (out += t));
  child.stderr.setEncoding('utf8').on('data', (t) => (err += t));
  return { child, out: () => out, err: () => err };
}

/** User and system CPU time of a process so far, in ms, and its minor page faults (0 when it is gone). */
export function usage(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // minflt, utime, stime (clock ticks, USER_HZ 100)
    return { cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100, faults: Number(fields[7]) };
  } catch {
    return { cpuMs: 0, faults: 0 };
  }
}

export async function until(test, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

export async function listening(p) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const s = tcp(p, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nats-server did not start');
}
