// The bells (docs/ring-format.md, Waiting and Bells): the FIFOs beside a segment on which a
// sleeping Node handle waits in its own event loop, rung by TypeScript and C wakers alike.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { chownSync, closeSync, constants, existsSync, openSync, readSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { skipLoudly, sleep, uniqueName, until } from '../../../tests/support/index.js';
import { BELL_WAITER, OS_WAITER } from '../src/ring/layout.js';
import { yieldAfterWake } from '../src/wait/cpu-handoff.js';
import { killPeersAndClose, open } from './helpers/pipes.js';
import { startPeer } from './helpers/processes.js';
import { Off, peekU32, pokeU32, shmPath } from './helpers/segment-file.js';

const CORE = fileURLToPath(new URL('../../../driver/core', import.meta.url));
const RP_SHM = `${CORE}/build/rp_shm`;
const NOBODY = 65534;

beforeAll(() => {
  execFileSync('make', ['-s', '-C', CORE, 'build/rp_shm'], { stdio: 'inherit' });
});
afterEach(killPeersAndClose);

/** Waits until the event loop's turn that called it has ended (its setImmediate callbacks ran). */
const turnEnd = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
const bellOf = (name: string, word: 'data' | 'space' = 'data'): string => `${shmPath(name)}.${statSync(shmPath(name)).ino}.${word}.bell`;
const filesOf = (name: string): string[] => readdirSync('/dev/shm').filter((f) => `/dev/shm/${f}`.startsWith(shmPath(name)));

/** A reader asleep on its pipe's bell, a writer beside it, and the reader's next message. */
async function readerAsleep(): Promise<{ name: string; reader: ReturnType<typeof open>; writer: ReturnType<typeof open>; got: Promise<unknown[]> }> {
  const name = uniqueName('BELL');
  const reader = open(name, { access: 'read' });
  const writer = open(name, { access: 'write' });
  const got = once(reader, 'data');
  await until('the reader sleeps on the bell', () => peekU32(name, Off.readersWaiting) === BELL_WAITER);
  return { name, reader, writer, got };
}

/** Reads what is in the bell now, as a peer that may open it could: the number of rings. */
function drainBell(path: string): number {
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  try {
    return readSync(fd, Buffer.alloc(65536));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
    throw err;
  } finally {
    closeSync(fd);
  }
}

describe('the bells', () => {
  it("are FIFOs with the pipe's permissions, and go with the pipe", async () => {
    const name = uniqueName('BELL');
    const writer = open(name, { access: 'write', permissions: 0o640 });
    for (const word of ['data', 'space'] as const) {
      const bell = statSync(bellOf(name, word));
      expect(bell.isFIFO()).toBe(true);
      expect(bell.mode & 0o777).toBe(0o640);
      expect(bell.uid).toBe(process.geteuid!());
    }
    writer.destroy();
    await once(writer, 'close');
    expect(filesOf(name)).toEqual([]);
  });

  it('a sleeping reader counts itself as a bell sleeper, and a write wakes it; a writer for room likewise', async () => {
    const { name, reader, writer, got } = await readerAsleep();
    writer.write('ding');
    expect(String((await got)[0])).toBe('ding');
    reader.destroy();
    await once(reader, 'close');
    expect(peekU32(name, Off.readersWaiting), 'a closed handle counts itself out').toBe(0);

    const small = uniqueName('BELL');
    const fills = open(small, { access: 'write', capacity: 4096 });
    const empties = open(small, { access: 'read' });
    empties.pause();
    let written = 0;
    while (fills.write(Buffer.alloc(1000))) written++;
    // More than the ring holds: the writer must wait for room.
    await until('the writer sleeps on the bell', () => peekU32(small, Off.writersWaiting) === BELL_WAITER);
    const drained = once(fills, 'drain');
    empties.resume();
    await drained;
    expect(peekU32(small, Off.writersWaiting)).toBe(0);
    expect(written).toBeGreaterThan(0);
  });

  it('a write that wakes a sleeper makes the next poll turn let the CPU go; one that wakes nobody does not', async () => {
    let yields = 0;
    const countYield = (): void => void yields++;
    const name = uniqueName('BELL');
    const writer = open(name, { access: 'write' });
    open(name, { access: 'read' }); // attached, not reading: nobody sleeps
    yieldAfterWake(countYield);
    yields = 0;
    writer.write('unheard');
    yieldAfterWake(countYield);
    expect(yields, 'nobody was woken').toBe(0);

    const { writer: toReader, got } = await readerAsleep();
    toReader.write('ding');
    yieldAfterWake(countYield);
    yieldAfterWake(countYield);
    expect(yields, 'one yield for the wake').toBe(1);
    await got;
  });

  it('TypeScript and C writers ring the data bell for bell sleepers only', async () => {
    const name = uniqueName('BELL');
    const holder = open(name, { access: 'write', capacity: 1 << 20 });
    const bell = bellOf(name);
    const writeOnce = {
      typescript: () => holder.write('x'),
      c: () => execFileSync(RP_SHM, ['send', name, '1', '64']),
    };
    for (const [who, write] of Object.entries(writeOnce)) {
      for (const [waiting, rings] of [
        [BELL_WAITER, true],
        [OS_WAITER, false],
        [0, false],
        [BELL_WAITER + OS_WAITER, true],
      ] as const) {
        drainBell(bell);
        pokeU32(name, Off.readersWaiting, waiting);
        write();
        await turnEnd(); // a TypeScript waker's second ring of a turn comes at its end
        expect(drainBell(bell) > 0, `${who} writer, readers_waiting ${waiting.toString(16)}`).toBe(rings);
      }
    }
    pokeU32(name, Off.readersWaiting, 0);
  });

  it('a waker rings a bell at most once at once and once more at the end of its turn, however many writes the turn holds', async () => {
    const name = uniqueName('BELL');
    const writer = open(name, { access: 'write', capacity: 1 << 20 });
    const bell = bellOf(name);
    await turnEnd();
    drainBell(bell);
    pokeU32(name, Off.readersWaiting, BELL_WAITER);
    for (let i = 0; i < 1000; i++) writer.write('x');
    expect(drainBell(bell), 'rung at the first write').toBe(1);
    await turnEnd();
    expect(drainBell(bell), 'rung again at the end of the turn, for a sleeper that began after the first ring').toBe(1);
    await turnEnd();
    expect(drainBell(bell), 'nothing due any more').toBe(0);
    // One write in a turn: one ring, none at its end.
    writer.write('y');
    await turnEnd();
    expect(drainBell(bell)).toBe(1);
    pokeU32(name, Off.readersWaiting, 0);
  });

  it('a handle that finds no bells it trusts sleeps on the futex, and is still woken', async (ctx) => {
    if (process.geteuid?.() !== 0) return skipLoudly(ctx, 'needs root to give a FIFO to another uid');
    const name = uniqueName('BELL');
    const writer = open(name, { access: 'write' });
    const bell = bellOf(name);
    unlinkSync(bell);
    execFileSync('mkfifo', ['-m', '666', bell]);
    chownSync(bell, NOBODY, NOBODY);
    const reader = open(name, { access: 'read' });
    const got = once(reader, 'data');
    await until('the reader sleeps on the futex', () => peekU32(name, Off.readersWaiting) === OS_WAITER);
    writer.write('still here');
    expect(String((await got)[0])).toBe('still here');
    expect(drainBell(bell)).toBe(0);
    unlinkSync(bell);
  });

  it('the bells of a pipe whose handles all died go with its file when the name is opened again', async () => {
    const name = uniqueName('BELL');
    // Nothing unread: the next open replaces the file (a pipe with unread messages would be kept).
    const holder = startPeer(['hold', name, '8192', '0']);
    await holder.ready;
    const oldBells = [bellOf(name, 'data'), bellOf(name, 'space')];
    holder.child.kill('SIGKILL');
    await holder.done;
    expect(oldBells.map((bell) => existsSync(bell))).toEqual([true, true]);
    open(name, { access: 'write' });
    expect(oldBells.map((bell) => existsSync(bell))).toEqual([false, false]);
    const lockFile = `${shmPath(name)}.${statSync(shmPath(name)).ino}.lock`;
    const expected = [shmPath(name), bellOf(name, 'data'), bellOf(name, 'space'), lockFile].map((path) => path.slice('/dev/shm/'.length));
    expect(filesOf(name).sort()).toEqual(expected.sort());
  });

  it('a bell a peer filled costs a sleeper one wake, not one per 256 bytes', async () => {
    const name = uniqueName('BELLFULL');
    const reader = open(name, { access: 'read' });
    open(name, { access: 'write' }); // attached and silent: the reader keeps waiting
    // Count the reader's sleeps on its bell (each wake, spurious or not, ends one).
    type Bell = { sleep: (...args: unknown[]) => unknown };
    const bell = (reader as unknown as { endpoint: { transport: { bells: { of: (which: number) => Bell } } } }).endpoint.transport.bells.of(Off.dataSeq);
    const sleepOnBell = bell.sleep;
    let sleeps = 0;
    bell.sleep = (...args: unknown[]) => (sleeps++, sleepOnBell.apply(bell, args));
    const pending = reader.readBatch(1);
    pending.catch(() => {});
    await until('the reader sleeping', () => sleeps > 0);
    const fd = openSync(bellOf(name), constants.O_RDWR | constants.O_NONBLOCK);
    let rung = 0;
    try {
      for (;;) rung += writeSync(fd, Buffer.alloc(4096, 1));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('EAGAIN');
    } finally {
      closeSync(fd);
    }
    expect(rung).toBeGreaterThanOrEqual(65536);
    const before = sleeps;
    // Time for the reader to take every ring, one way or the other (256 wakes take a few ms).
    await sleep(400);
    expect(drainBell(bellOf(name))).toBe(0);
    // One wake for the full bell (two, if a re-check of 250 ms fell in between); 256 without the drain.
    expect(sleeps - before).toBeLessThanOrEqual(3);
  });

  it('a reader woken by its bell sleeps again with the FIFO still watched: no pause and resume per message', async () => {
    const name = uniqueName('BELLKEEP');
    const reader = open(name, { access: 'read' });
    const writer = open(name, { access: 'write' });
    const got: string[] = [];
    reader.on('data', (m: Buffer) => got.push(String(m)));
    await until('the reader sleeps on the bell', () => peekU32(name, Off.readersWaiting) === BELL_WAITER, { everyMs: 2 });
    // Each pause or resume of a bell's socket is a change of the event loop's watch (epoll_ctl).
    let toggles = 0;
    const { pause, resume } = Socket.prototype;
    Socket.prototype.pause = function (this: Socket) {
      toggles++;
      return pause.call(this);
    };
    Socket.prototype.resume = function (this: Socket) {
      toggles++;
      return resume.call(this);
    };
    try {
      for (let i = 0; i < 50; i++) {
        writer.write(`m${i}`);
        await until(`message ${i} read and the reader asleep again`, () => got.length === i + 1 && peekU32(name, Off.readersWaiting) === BELL_WAITER, { everyMs: 2 });
      }
    } finally {
      Socket.prototype.pause = pause;
      Socket.prototype.resume = resume;
    }
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    // A look of the peer watch (once a second) may end one sleep early: a pause and a resume each.
    expect(toggles).toBeLessThanOrEqual(4);
  });
});
