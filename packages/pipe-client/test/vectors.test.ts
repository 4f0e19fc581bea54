// The shared test vectors of docs/vectors/ring-vectors.json, run through the TypeScript ring.
// The C core checks the same file (driver/core/tests/test_vectors.c).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, RingPipeError } from '../src/errors.js';
import { BELL_WAITER, HEADER_SIZE, MODE_BYTE, MODE_MESSAGE, OS_WAITER, Off, SLEEP_BELL, SLEEP_OS, sleeperKinds } from '../src/ring/layout.js';
import { BUSY, EMPTY, FULL, LOCKED, OK, Ring, TOO_BIG, TOO_SMALL } from '../src/ring/ring.js';

interface Op {
  op: 'attach' | 'write' | 'reserve' | 'abandon' | 'read' | 'end' | 'detach' | 'crash' | 'hold' | 'poke' | 'eof' | 'wait' | 'unwait';
  pid?: number;
  role?: 'none' | 'reader' | 'writer';
  slot?: number;
  data?: string;
  len?: number;
  max?: number;
  lock?: 'read' | 'write';
  offset?: string;
  written?: number;
  expect?: string | boolean;
  on?: 'data' | 'space';
  kind?: 'os' | 'bell';
  /** Which sleepers the op's wake reached: data-os, data-bell, space-os, space-bell. */
  wakes?: string[];
}
interface Case {
  name: string;
  capacity: number;
  mode: 'message' | 'byte';
  ops: Op[];
  image: string[];
}

const file = new URL('../../../docs/vectors/ring-vectors.json', import.meta.url);
const vectors = JSON.parse(readFileSync(file, 'utf8')) as { format: string; version: number; cases: Case[] };

const outcomeName = (code: number): string =>
  ({ [OK]: 'ok', [FULL]: 'full', [TOO_BIG]: 'too_big', [LOCKED]: 'locked', [EMPTY]: 'empty', [BUSY]: 'busy', [TOO_SMALL]: 'too_small' })[code] ?? String(code);

/** Runs `step`, turning ERR_RINGPIPE_CORRUPT into the outcome "corrupt". */
function orCorrupt<T>(step: () => T): T | 'corrupt' {
  try {
    return step();
  } catch (err) {
    if (err instanceof RingPipeError && err.code === ErrorCode.Corrupt) return 'corrupt';
    throw err;
  }
}

/** The "wakes" names of one platform wake: the word's side, and the sleepers its waiting count says to wake. */
function wakeNames(byteOffset: number, waiting: number): string[] {
  const side = byteOffset === Off.dataSeq ? 'data' : 'space';
  const sleepers = sleeperKinds(waiting);
  return [...((sleepers & SLEEP_OS) !== 0 ? [`${side}-os`] : []), ...((sleepers & SLEEP_BELL) !== 0 ? [`${side}-bell`] : [])];
}

function run(c: Case): Uint8Array {
  const segment = new ArrayBuffer(HEADER_SIZE + c.capacity);
  const live = new Set<number>();
  Ring.init(segment, c.capacity, c.mode === 'byte' ? MODE_BYTE : MODE_MESSAGE);
  const woken = new Set<string>();
  const wake = (byteOffset: number, waiting: number): void => wakeNames(byteOffset, waiting).forEach((name) => woken.add(name));
  const ring = new Ring(segment, { alive: (slot) => live.has(slot), yieldCpu: () => {}, wake, lockAttempts: 4 });
  const bytes = new Uint8Array(segment);
  const i32 = new Int32Array(segment, 0, HEADER_SIZE / 4);

  c.ops.forEach((op, index) => {
    const where = `${c.name} op ${index} (${op.op})`;
    woken.clear();
    switch (op.op) {
      case 'attach': {
        const slot = ring.firstFreeSlot();
        expect(slot, where).toBeGreaterThanOrEqual(0);
        live.add(slot);
        ring.attach(slot, op.pid!);
        if (op.role === 'writer') ring.setWriter(slot);
        if (op.role === 'reader') ring.setReader(slot);
        break;
      }
      case 'write':
      case 'reserve': {
        const data = op.op === 'write' ? Buffer.from(op.data!, 'hex') : Buffer.alloc(op.len!);
        const cursor = { index: 0, offset: 0 };
        const outcome = orCorrupt(() => {
          // A byte-mode write goes on while records fit, as the client's writer does.
          let result = op.op === 'write' ? ring.write(op.slot!, [data], cursor) : ring.reserve(op.slot!, [data], cursor);
          while (op.op === 'write' && result === OK && cursor.index < 1) result = ring.write(op.slot!, [data], cursor);
          return result === OK && cursor.index < 1 ? 'full' : outcomeName(result);
        });
        if (op.expect !== undefined) expect(outcome, where).toBe(op.expect);
        if (op.written !== undefined) expect(cursor.index === 1 ? data.length : cursor.offset, where).toBe(op.written);
        break;
      }
      case 'abandon': {
        const outcome = orCorrupt(() => outcomeName(ring.abandon(op.slot!)));
        if (op.expect !== undefined) expect(outcome, where).toBe(op.expect);
        break;
      }
      case 'read': {
        ring.setReader(op.slot!);
        const got = orCorrupt(() => ring.read(op.slot!, op.max ?? Number.POSITIVE_INFINITY, true));
        const outcome = typeof got === 'number' ? outcomeName(got) : got === 'corrupt' ? got : 'ok';
        expect(outcome, where).toBe(op.expect);
        if (Buffer.isBuffer(got)) expect(got.toString('hex'), where).toBe(op.data);
        break;
      }
      case 'end':
        ring.endWriting(op.slot!);
        break;
      case 'detach':
        ring.detach(op.slot!);
        live.delete(op.slot!);
        break;
      case 'crash':
        live.delete(op.slot!);
        break;
      case 'hold':
        Atomics.store(i32, (op.lock === 'read' ? Off.rlock : Off.wlock) / 4, ring.tokenOf(op.slot!));
        break;
      case 'poke':
        bytes.set(Buffer.from(op.data!, 'hex'), parseInt(op.offset!, 16));
        break;
      case 'eof':
        expect(orCorrupt(() => ring.isEof(op.slot!, true)), where).toBe(op.expect);
        break;
      case 'wait':
      case 'unwait':
        waitStep(ring, op);
        break;
    }
    if (op.wakes !== undefined) expect([...woken].sort(), where).toEqual([...op.wakes].sort());
  });
  return bytes;
}

/** `wait` counts a sleeper of that kind on the side's waiting count, `unwait` takes it away. */
function waitStep(ring: Ring, op: Op): void {
  const kind = op.kind === 'bell' ? BELL_WAITER : OS_WAITER;
  if (op.op === 'wait') {
    if (op.on === 'data') ring.beginReadWait(kind);
    else ring.beginWriteWait(kind);
  } else if (op.on === 'data') {
    ring.endReadWait(kind);
  } else {
    ring.endWriteWait(kind);
  }
}

function expectedImage(c: Case): Uint8Array {
  const image = new Uint8Array(HEADER_SIZE + c.capacity);
  for (const run of c.image) {
    const [offset, hex] = run.split(':') as [string, string];
    image.set(Buffer.from(hex, 'hex'), parseInt(offset, 16));
  }
  return image;
}

describe('shared ring vectors', () => {
  it('is a file of ours, of this format version', () => {
    expect(vectors.format).toBe('ringpipe ring vectors');
    expect(vectors.version).toBe(2);
    expect(vectors.cases.length).toBeGreaterThan(10);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = run(c);
    const want = expectedImage(c);
    const differs = got.findIndex((byte, i) => byte !== want[i]);
    expect(differs === -1 ? 'identical' : `first difference at 0x${differs.toString(16)}: got ${got[differs]}, want ${want[differs]}`).toBe('identical');
  });
});
