import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { becomes } from '../../../../tests/support/index.js';

/**
 * A terminal as a person has one: a tmux session on a private server running COMMAND through
 * sh, typed into with send-keys and read with capture-pane. After the command ends the pane
 * shows `[exit N]` and stays open.
 */
export class Terminal {
  private readonly dir = mkdtempSync(join(tmpdir(), 'ringpipe-tmux-'));
  private readonly socket = join(this.dir, 'socket');
  /** Every byte the program wrote to the terminal, escape sequences included. */
  readonly rawLog = join(this.dir, 'raw');

  constructor(command: string, size = { width: 100, height: 20 }) {
    const shell = `${command}; echo "[exit $?]"; exec sleep 600`;
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(size.width), '-y', String(size.height), shell);
    this.tmux('pipe-pane', '-o', `cat >> ${this.rawLog}`);
  }

  /** Types TEXT as keys (taken literally), then Enter when asked. */
  type(text: string, enter = true): void {
    if (text) this.tmux('send-keys', '-l', text);
    if (enter) this.tmux('send-keys', 'Enter');
  }

  /** Sends one named key, such as C-d. */
  key(name: string): void {
    this.tmux('send-keys', name);
  }

  /** The visible screen, one string per line, trailing blanks removed. */
  screen(): string[] {
    return this.tmux('capture-pane', '-p').replace(/\n+$/, '').split('\n');
  }

  raw(): string {
    return readFileSync(this.rawLog, 'latin1');
  }

  /** Waits until the screen satisfies CHECK; after 30 s throws with the screen in the message. */
  async waitFor(what: string, check: (screen: string[]) => boolean): Promise<string[]> {
    let screen: string[] = [];
    if (await becomes(() => check((screen = this.screen())), { timeoutMs: 30_000, everyMs: 20 })) return screen;
    throw new Error(`the terminal never showed ${what}; it shows:\n${this.screen().join('\n')}`);
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private tmux(...args: string[]): string {
    const { TMUX: _outer, ...env } = process.env; // a private server even when the tests run inside tmux
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', env });
  }
}

/** Why terminal tests cannot run here, or undefined when tmux is installed. */
export function tmuxMissing(): string | undefined {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'tmux is not installed: bash scripts/apt-install.sh tmux (scripts/test.sh does)';
  }
}
