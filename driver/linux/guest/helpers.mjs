// Shared by the guest tests: where things are inside the qemu guest.
import { spawn } from 'node:child_process';

export const ROOT = process.env.RINGPIPE_ROOT ?? '/opt/ringpipe';
export const RPTEST = `${ROOT}/bin/rptest`;
export const CLI = `${ROOT}/node_modules/@ringpipe/cli/bin/ringpipe.js`;
export const CLIENT = `${ROOT}/node_modules/@ringpipe/client/dist/index.js`;

/** Runs a command; resolves with its exit code, signal, stdout and stderr. */
export function run(cmd, args, options = {}) {
  const { input, ...rest } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...rest });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Resolves once `child`'s stdout has printed `text`. */
export function waitFor(child, text) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d) => {
      seen += d;
      if (seen.includes(text)) {
        child.stdout.off('data', onData);
        resolve(seen);
      }
    };
    child.stdout.on('data', onData);
    child.on('close', () => reject(new Error(`exited before printing ${text}: ${seen}`)));
  });
}

export const PEER = new URL('./peer.mjs', import.meta.url).pathname;

/** Starts peer.mjs; `io` picks the driver transport of the child. */
export function startPeer(args, { io = 'mapped', uid, gid, env: extra = {} } = {}) {
  const env = { ...process.env, RINGPIPE_DRIVER_IO: io, ...extra };
  const child = spawn(process.execPath, [PEER, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
    cwd: ROOT,
    ...(uid !== undefined ? { uid, gid: gid ?? uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const done = new Promise((resolve) =>
    child.on('close', (code, signal) => {
      const json = stdout.split('\n').filter((l) => l.startsWith('{')).pop();
      resolve({ code, signal, stdout, stderr, result: json ? JSON.parse(json) : undefined });
    }),
  );
  return {
    child,
    done,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

/** Checks a reader's messages "ID:i": per writer in order, no gap, no duplicate; returns counts per writer. */
export function perWriter(messages) {
  const next = new Map();
  for (const m of messages) {
    const [id, seq] = m.split(':');
    const want = next.get(id) ?? 0;
    if (Number(seq) !== want) throw new Error(`writer ${id}: got ${seq}, expected ${want}`);
    next.set(id, want + 1);
  }
  return Object.fromEntries(next);
}
