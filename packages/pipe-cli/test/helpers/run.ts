import { fileURLToPath } from 'node:url';
import { run, until, type Run } from '../../../../tests/support/index.js';

export const CLI = fileURLToPath(new URL('../../bin/ringpipe.js', import.meta.url));

/** Runs `ringpipe ARGS` (or another command), with INPUT on its stdin when given, and ENV added to the environment. */
export function ringpipe(args: string[], input?: string | Buffer, command: string[] = [process.execPath, CLI], env: Record<string, string> = {}): Run {
  const [file, ...rest] = command;
  return run(file!, [...rest, ...args], { input, env: { FORCE_COLOR: '0', ...env } });
}

/** Waits until `ringpipe stat NAME` shows at least `handles` handles on the pipe. */
export async function handlesAttached(name: string, handles = 1): Promise<void> {
  const attached = async (): Promise<boolean> => {
    const { code, stdout } = await ringpipe(['stat', name, '--json']).done;
    return code === 0 && JSON.parse(stdout.toString()).handles >= handles;
  };
  await until(`${handles} handles attached to ${name}`, attached, { timeoutMs: 45_000, everyMs: 25 });
}

/** Waits until `ringpipe stat NAME` shows a reader on the pipe. */
export const readerAttached = (name: string): Promise<void> => handlesAttached(name, 1);
