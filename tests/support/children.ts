import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';

const started = new Set<ChildProcess>();

/** spawn(), remembered so that killChildren() ends whatever a failed test left running. */
export function startChild(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, options);
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** For afterEach: SIGKILL to every child startChild() started that is still running. */
export function killChildren(): void {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
}

export interface Run {
  child: ChildProcess;
  /** Its exit code, all it printed on stdout and on stderr, once it has exited and closed them. */
  done: Promise<{ code: number; stdout: Buffer; stderr: string }>;
  stdoutSoFar(): string;
  stderrSoFar(): string;
}

export interface RunOptions {
  /** Written to its stdin, which is then closed; without it stdin stays open. */
  input?: string | Buffer;
  /** Added to the environment. */
  env?: Record<string, string>;
}

/** Runs COMMAND ARGS as a child (see startChild) with its stdin, stdout and stderr as pipes, collecting what it prints. */
export function run(command: string, args: readonly string[], { input, env = {} }: RunOptions = {}): Run {
  const child = startChild(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  if (input !== undefined) child.stdin!.end(input);
  const done = once(child, 'close').then(([code]) => ({ code: code as number, stdout: Buffer.concat(out), stderr }));
  return { child, done, stdoutSoFar: () => Buffer.concat(out).toString(), stderrSoFar: () => stderr };
}
