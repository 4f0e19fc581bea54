import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/ringpipe.js', import.meta.url));

const children = new Set<ReturnType<typeof spawn>>();

/** Kills every command still running, so that a failed test leaves no process behind. */
export function killCommands(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

export interface Run {
  child: ReturnType<typeof spawn>;
  done: Promise<{ code: number; stdout: Buffer; stderr: string }>;
  /** What the command printed on stdout so far. */
  stdoutSoFar(): string;
  /** What the command printed on stderr so far. */
  stderrSoFar(): string;
}

/** Runs `ringpipe ARGS` (or another command), with INPUT on its stdin when given, and ENV added to the environment. */
export function ringpipe(args: string[], input?: string | Buffer, command: string[] = [process.execPath, CLI], env: Record<string, string> = {}): Run {
  const [file, ...rest] = command;
  const child = spawn(file!, [...rest, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', ...env } });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  if (input !== undefined) child.stdin.end(input);
  const done = once(child, 'close').then(([code]) => ({ code: code as number, stdout: Buffer.concat(out), stderr }));
  return { child, done, stdoutSoFar: () => Buffer.concat(out).toString(), stderrSoFar: () => stderr };
}

/** Waits until `ringpipe stat NAME` shows at least `handles` handles on the pipe. */
export async function handlesAttached(name: string, handles = 1): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { code, stdout } = await ringpipe(['stat', name, '--json']).done;
    if (code === 0 && JSON.parse(stdout.toString()).handles >= handles) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${handles} handles attached to ${name}`);
}

/** Waits until `ringpipe stat NAME` shows a reader on the pipe. */
export const readerAttached = (name: string): Promise<void> => handlesAttached(name, 1);

export const unique = (prefix: string): string => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
