import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { lsCommand, statCommand } from './commands/info.js';
import { readCommand } from './commands/read.js';
import { writeCommand } from './commands/write.js';
import { EXIT_USAGE, exitCodeFor } from './exit-codes.js';

/** The options of a command that opens a pipe: how to create it, and where. */
function openOptions(command: Command): Command {
  return command
    .option('--capacity <bytes>', 'ring size when this call creates the pipe (default 1 MiB, 4 MiB with --bytes)', positiveInt)
    .option('--permissions <octal>', 'permission bits when this call creates the pipe', octal)
    .option('--owner <user>', "join a pipe of this user (name or uid); by default only one's own or root's", owner)
    .addOption(new Option('--backend <backend>', 'where the ring lives').choices(['auto', 'shm', 'driver']).default('auto'));
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function owner(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

function octal(value: string): number {
  if (!/^0?[0-7]{1,3}$/.test(value)) throw new InvalidArgumentError('expected octal permission bits such as 600 or 0660');
  return parseInt(value, 8);
}

const program = new Command('ringpipe')
  .description('Named ring-buffer pipes between processes on one machine')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`ringpipe: ${text.replace(/^error: /, '')}`) });

const write = program
  .command('write')
  .description('send TEXT as one message, or stdin one message per line (at a terminal, a prompt per line)')
  .argument('<name>', 'pipe name (case-insensitive)')
  .argument('[text...]', 'the message; without it, read stdin')
  .option('--bytes', 'byte mode: send stdin raw instead of one message per line');
openOptions(write).action(writeCommand);

const read = program
  .command('read')
  .description('print messages, one per line, until every writer has left (at a terminal, one per Enter)')
  .argument('<name>', 'pipe name (case-insensitive)')
  .option('--count <n>', 'stop after n messages (byte mode: n chunks)', positiveInt)
  .option('--follow', 'keep waiting after the writers have left')
  .option('--bytes', 'byte mode: print raw bytes, no newline per message')
  .option('--no-prompt', 'at a terminal, print messages as they come instead of one per Enter');
openOptions(read).action(readCommand);

const bridgeCmd = program
  .command('bridge')
  .description('carry the pipe across hosts through a NATS JetStream stream: --to publishes its messages, --from writes them into it')
  .argument('<name>', 'pipe name (case-insensitive; one NATS subject token: no ".")')
  .option('--to <url>', 'publish the local pipe\'s messages to JetStream at nats://HOST:PORT (comma-separated for a cluster)')
  .option('--from <url>', 'write the stream\'s messages into the local pipe, through the consumer every --from bridge shares')
  .option('--replicas <n>', 'copies of each message in a cluster, when this bridge creates the stream', positiveInt)
  .addOption(new Option('--storage <kind>', 'stream storage, when this bridge creates the stream').choices(['file', 'memory']).default('file'))
  .option('--max-age <ms>', 'stream limit: how long a message may wait (0: none)', nonNegativeInt)
  .option('--max-bytes <n>', 'stream limit in bytes; when full, --to waits', positiveInt)
  .option('--max-msgs <n>', 'stream limit in messages; when full, --to waits', positiveInt)
  .option('--duplicate-window <ms>', 'how long JetStream remembers message ids (default 120000)', positiveInt)
  .option('--window <n>', '--to: publishes in flight at most (default 256)', positiveInt)
  .option('--batch <n>', '--from: messages committed to the pipe together at most (default 256)', positiveInt)
  .option('--user <user>', 'NATS user')
  .option('--password <password>', 'NATS password')
  .option('--token <token>', 'NATS token')
  .option('--creds <file>', 'NATS credentials file');
// Loaded only for `bridge`: the other commands need neither the bridge nor NATS.
openOptions(bridgeCmd).action(async (...args: Parameters<typeof import('./commands/bridge.js').bridgeCommand>) =>
  (await import('./commands/bridge.js')).bridgeCommand(...args),
);

program
  .command('ls')
  .description('list open pipes: name, capacity, bytes used, readers, writers, totals; then the bridges running on them')
  .option('--json', 'print JSON')
  .action(lsCommand);

program
  .command('stat')
  .description('show one pipe in detail')
  .argument('<name>', 'pipe name (case-insensitive)')
  .option('--json', 'print JSON')
  .action(statCommand);

// Ctrl-C or a kill: exit through process.exit, whose 'exit' hook detaches open pipes, so none is left behind.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // A closed stdout (`ringpipe read X | head`) ends the reader quietly.
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
  } else {
    process.stderr.write(`ringpipe: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = exitCodeFor(err);
  }
}
