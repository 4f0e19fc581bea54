import { readFileSync } from 'node:fs';
import { ErrorCode } from '@ringpipe/client';
import { Command, CommanderError, Option } from 'commander';
import { BRIDGE_MISSING, bridgeInstalled } from './bridge-package.js';
import type { CliContext } from './cli-context.js';
import { lsCommand, rmCommand, statCommand } from './commands/info.js';
import { readCommand } from './commands/read.js';
import { writeCommand } from './commands/write.js';
import { reportError, wantsJson } from './error-report.js';
import { EXIT_NO_READERS, EXIT_USAGE, exitCodeFor } from './exit-codes.js';
import { interrupted } from './keys.js';
import { capacity, choice, integer, octal, owner, size } from './flag-values.js';

/** The options of a command that opens a pipe: how to create it, and where. */
function openOptions(command: Command, bytesMode: boolean): Command {
  const defaults = bytesMode ? 'default 1M, 4M with --bytes' : 'default 1M';
  return command
    .option('--capacity <size>', `ring size when this call creates the pipe: 4k to 1G, e.g. 65536, 64k, 1M, 1MiB (${defaults})`, capacity)
    .option('--permissions <octal>', 'permission bits when this call creates the pipe (default 600)', octal('--permissions'))
    .option(
      '--owner <user>',
      process.platform === 'win32'
        ? "join a pipe of this user (a SID such as S-1-5-21-...-1001); by default only one's own or SYSTEM's"
        : "join a pipe of this user (name or uid); by default only one's own or root's",
      owner('--owner'),
    )
    .option('--ttl <ms>', 'when this call creates the pipe: how long it may keep unread messages once no handle has it', integer('--ttl', 1))
    .addOption(new Option('--backend <backend>', 'where the ring lives: auto, shm or driver').argParser(choice('--backend', ['auto', 'shm', 'driver'])).default('auto'));
}

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** The `ringpipe` command line; parsing it runs the command asked for. */
export function createCli(context: CliContext): Command {
  const program = new Command('ringpipe')
    .description('Named ring-buffer pipes between processes on one machine')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text) => reportError(text.trim().replace(/^error: /, ''), EXIT_USAGE, undefined, context.json) });

  const write = program
    .command('write')
    .description('send TEXT as one message, or stdin one message per line (at a terminal, a prompt per line)')
    .argument('<name>', 'pipe name (case-insensitive)')
    .argument('[text...]', 'the message; without it, read stdin')
    .option('--bytes', 'byte mode: send stdin raw instead of one message per line')
    .option('--wait', 'before exiting, wait until readers have taken everything this command wrote');
  openOptions(write, true).action(writeCommand);

  const read = program
    .command('read')
    .description('print messages, one per line, until every writer has left (at a terminal, one per Enter)')
    .argument('<name>', 'pipe name (case-insensitive)')
    .option('--count <n>', 'stop after n messages (byte mode: n chunks)', integer('--count', 1))
    .option('--follow', 'keep waiting after the writers have left')
    .option('--bytes', 'byte mode: print raw bytes, no newline per message')
    .option('--no-prompt', 'at a terminal, print messages as they come instead of one per Enter');
  openOptions(read, true).action(readCommand);

  const bridgeCmd = program
    .command('bridge')
    .description('carry the pipe across hosts through a NATS JetStream stream: --to publishes its messages, --from writes them into it (needs @ringpipe/bridge)')
    .argument('<name>', 'pipe name (case-insensitive; one NATS subject token: no ".")')
    .option('--to <url>', 'publish the local pipe\'s messages to JetStream at nats://HOST:PORT (comma-separated for a cluster)')
    .option('--from <url>', 'write the stream\'s messages into the local pipe, through the consumer every --from bridge shares')
    .option('--replicas <n>', 'copies of each message in a cluster, when this bridge creates the stream (1 to 5)', integer('--replicas', 1, 5))
    .addOption(new Option('--storage <kind>', 'stream storage, when this bridge creates the stream: file or memory').argParser(choice('--storage', ['file', 'memory'])).default('file'))
    .option('--max-age <ms>', 'stream limit: how long a message may wait (0: none)', integer('--max-age', 0))
    .option('--max-bytes <size>', 'stream limit in bytes (units as --capacity); when full, --to waits', size('--max-bytes', 1))
    .option('--max-msgs <n>', 'stream limit in messages; when full, --to waits', integer('--max-msgs', 1))
    .option('--duplicate-window <ms>', 'how long JetStream remembers message ids (at least 100; default 120000)', integer('--duplicate-window', 100))
    .option('--window <n>', '--to: publishes in flight at most (1 to 4096; default 256)', integer('--window', 1, 4096))
    .option('--batch <n>', '--from: messages committed to the pipe together at most (1 to 4096; default 256)', integer('--batch', 1, 4096))
    .option('--user <user>', 'NATS user')
    .option('--password-file <file>', 'NATS password: the first line of this file (or set RINGPIPE_NATS_PASSWORD)')
    .option('--token-file <file>', 'NATS token: the first line of this file (or set RINGPIPE_NATS_TOKEN)')
    .option('--creds <file>', 'NATS credentials file')
    // Refused with a message that says where secrets go instead; not shown in the help.
    .addOption(new Option('--password <password>').hideHelp())
    .addOption(new Option('--token <token>').hideHelp());
  // Loaded only for `bridge`: the other commands need neither the bridge nor NATS.
  openOptions(bridgeCmd, false).action(async (name: string, flags: import('./commands/bridge.js').BridgeFlags) => {
    if (!bridgeInstalled()) throw new Error(BRIDGE_MISSING);
    await (await import('./commands/bridge.js')).bridgeCommand(name, flags, context);
  });

  program
    .command('ls')
    .description('list open and kept pipes: name, capacity, bytes used, readers, writers, totals, unread messages and bytes, how long kept; then the bridges running on them')
    .option('--json', 'print JSON (errors too, on stderr)')
    .action(lsCommand);

  program
    .command('stat')
    .description('show one pipe in detail')
    .argument('<name>', 'pipe name (case-insensitive)')
    .option('--json', 'print JSON (errors too, on stderr)')
    .action(statCommand);

  program
    .command('rm')
    .description('remove a pipe: open handles keep the old one, the unread messages of a kept pipe are discarded')
    .argument('<name>', 'pipe name (case-insensitive)')
    .option('--owner <user>', "a pipe of this user (name or uid); by default one's own", owner('--owner'))
    .addOption(new Option('--backend <backend>', 'where the ring lives: auto, shm or driver').argParser(choice('--backend', ['auto', 'shm', 'driver'])).default('auto'))
    .action(rmCommand);

  return program;
}

export type { CliContext } from './cli-context.js';

/** Runs the command line `argv` (as process.argv: node, script, arguments...); resolves to the exit code. */
export async function run(argv: readonly string[] = process.argv): Promise<number> {
  const json = wantsJson(argv.slice(2));
  const stop = new AbortController();
  let graceful = false;
  // Ctrl-C or a kill: exit through process.exit, whose 'exit' hook detaches open pipes, so none is left behind.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (graceful && !stop.signal.aborted) stop.abort();
    else if (signal === 'SIGINT') interrupted();
    else process.exit(143);
  };
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    // A closed stdout (`ringpipe read X | head`) ends the reader quietly.
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  };
  // Kept for the rest of the process: a pipe still closing after the command is detached at exit all the same.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);
  const program = createCli({ signal: stop.signal, stopOnSignal: () => (graceful = true), json });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
    // `write` whose readers have left ends quietly, as a FIFO's writer does (stdin may still be open, so exit now).
    if (code === ErrorCode.NoReaders) process.exit(EXIT_NO_READERS);
    const exitCode = exitCodeFor(err);
    reportError(err instanceof Error ? err.message : String(err), exitCode, typeof code === 'string' ? code : undefined, json);
    return exitCode;
  }
}
