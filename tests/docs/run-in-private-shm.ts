// Runs a shell script with a /dev/shm of its own (a mount namespace and a tmpfs; for a user other
// than root, inside a user namespace), so the docs' fixed pipe names meet neither other tests'
// pipes nor pipes left behind on the machine.
import { spawn, spawnSync } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const isRoot = process.getuid?.() === 0;
/** Without root, a user namespace gives the mount namespace, where the kernel allows them. */
const userNamespace = !isRoot && spawnSync('unshare', ['-r', '-m', 'true'], { timeout: 10_000 }).status === 0;

export function runScript(script: string, options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult> {
  const privateShm = 'mount -t tmpfs -o size=256M,mode=1777 tmpfs /dev/shm || exit 97\n';
  const [command, args] =
    isRoot || userNamespace
      ? ['unshare', [...(isRoot ? [] : ['-r']), '-m', '--propagation', 'private', 'bash', '-c', privateShm + script]]
      : ['bash', ['-c', script]];
  return new Promise((resolve) => {
    const child = spawn(command as string, args as string[], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }, options.timeoutMs ?? 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
