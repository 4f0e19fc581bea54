import { createInterface, type Interface } from 'node:readline';

/**
 * A line editor on the terminal for `read` and `write`, with the keys people press:
 * Ctrl-C exits 130 at once, leaving the cursor on a fresh line for the shell's prompt;
 * Ctrl-D ends the input at any moment, also with text typed on the line (`pending` keeps it).
 */
export function terminalKeys(prompt: string): { keys: Interface; pending: () => string } {
  const keys = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  keys.setPrompt(prompt);
  keys.on('SIGINT', interrupted);
  let pending = '';
  // Before readline's own handler, which deletes a character instead of ending when the line is not empty.
  process.stdin.prependListener('keypress', (_text: string | undefined, key: { ctrl?: boolean; name?: string } | undefined) => {
    if (!key?.ctrl || key.name !== 'd' || keys.line.length === 0) return;
    pending = keys.line;
    keys.close();
  });
  return { keys, pending: () => pending };
}

/** Ctrl-C: exit 130 (through process.exit, whose hook detaches open pipes), the shell's prompt on its own line. */
export function interrupted(): never {
  if (process.stderr.isTTY) process.stderr.write('\n');
  process.exit(130);
}
