// Shared by the guest tests: where things are inside the qemu guest.
import { spawn } from 'node:child_process';

export const ROOT = process.env.RINGPIPE_ROOT ?? '/opt/ringpipe';
export const RPTEST = `${ROOT}/bin/rptest`;
export const CLI = `${ROOT}/node_modules/@ringpipe/cli/dist/cli.js`;
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
