// The shared test vectors, run through the TypeScript ring: docs/vectors/ring-vectors.json (written
// by the C core's generator) and docs/vectors/ring-spec-vectors.json (worked out by hand from
// docs/ring-format.md). The C core checks the same files (driver/core/tests/test_vectors.c).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, RingPipeError } from '../src/errors.js';
import { BELL_WAITER, HEADER_SIZE, MODE_BYTE, MODE_MESSAGE, OS_WAITER, Off, SLEEP_BELL, SLEEP_OS, sleeperKinds } from '../src/ring/layout.js';
import { BUSY, EMPTY, FULL, INVAL, LOCKED, OK, Ring, TOO_BIG, TOO_SMALL } from '../src/ring/ring.js';
import { initHeader } from '../src/ring/header.js';

interface Op {
  op: 'attach' | 'write' | 'reserve' | 'commit' | 'abandon' | 'read' | 'end' | 'detach' | 'crash' | 'hold' | 'poke' | 'eof' | 'wait' | 'unwait' | 'feed';
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
  /** feed: the owner token of the records the peer appends, and how many it appends at most. */
  token?: number;
  count?: number;
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

interface VectorFile {
  format: string;
  version: number;
  cases: Case[];
}
const load = (name: string): VectorFile => JSON.parse(readFileSync(new URL(`../../../docs/vectors/${name}`, import.meta.url), 'utf8')) as VectorFile;
const files = { 'ring-vectors.json': load('ring-vectors.json'), 'ring-spec-vectors.json': load('ring-spec-vectors.json') };

/** Every case each file must hold, in order: a case lost or renamed fails here. */
const CASES = {
  'ring-vectors.json': [
    'init_empty', 'init_empty_byte', 'one_message', 'doc_example', 'several_messages', 'wrap_payload', 'positions_go_round',
    'zero_length', 'full_ring', 'too_big', 'too_small', 'byte_split', 'byte_full', 'reserve_then_crash', 'detach_reuse',
    'eof_before_writer', 'eof_after_end', 'end_bumps_data_seq', 'crashed_writer_eof', 'crash_reuse', 'eof_latch',
    'corrupt_head_misaligned', 'corrupt_tail_misaligned', 'corrupt_used_over_capacity', 'corrupt_state_0',
    'corrupt_len_over_max_record', 'corrupt_size_over_used', 'corrupt_tail_skip_ge_len', 'corrupt_tail_skip_message',
    'corrupt_tail_skip_empty', 'corrupt_byte_len_0', 'reserved_not_writing', 'abandon_op', 'two_reservations_one_slot',
    'cursor_batch_committed', 'cursor_batch_not_committed', 'cursor_batch_other_owner', 'cursor_batch_span',
    'byte_partial_reads', 'byte_split_written', 'hold_write_lock', 'hold_read_lock', 'lock_of_unknown_token', 'wake_nobody',
    'wake_data_bell', 'wake_data_os_and_bell', 'wake_space_bell', 'wake_abandon_and_skip', 'wake_end_bell',
    'wake_crash_silent', 'wake_hostile_counts', 'wake_after_unwait',
  ],
  'ring-spec-vectors.json': [
    'spec_skip_limit', 'spec_commit_cas_fails', 'spec_byte_write_too_full_for_one_byte', 'spec_byte_partial_read_wakes_no_writer',
    'spec_attach_token_wrap', 'spec_counter_carry', 'spec_two_bells', 'spec_too_big_takes_no_writer_role',
    'spec_byte_reserve_0_is_inval', 'spec_token_0_is_nobodys', 'spec_skip_resets_tail_skip',
    'spec_reservation_of_an_ended_writer',
  ],
} as const;

const outcomeName = (code: number): string =>
  ({ [OK]: 'ok', [FULL]: 'full', [TOO_BIG]: 'too_big', [LOCKED]: 'locked', [EMPTY]: 'empty', [BUSY]: 'busy', [TOO_SMALL]: 'too_small', [INVAL]: 'inval' })[
    code
  ] ?? String(code);

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
  initHeader(segment, c.capacity, c.mode === 'byte' ? MODE_BYTE : MODE_MESSAGE);
  const woken = new Set<string>();
  const wake = (byteOffset: number, waiting: number): void => wakeNames(byteOffset, waiting).forEach((name) => woken.add(name));
  const i32 = new Int32Array(segment, 0, HEADER_SIZE / 4);
  // feed: a peer that appends a dead reservation (RESERVED, length 0) at head whenever the reader
  // asks about the feed slot's liveness while the ring holds one 8-byte record.
  const feed = { slot: -1, token: 0, left: 0 };
  const words = new Int32Array(segment);
  const alive = (slot: number): boolean => {
    const head = Atomics.load(i32, Off.head / 4);
    if (feed.left > 0 && slot === feed.slot && ((head - Atomics.load(i32, Off.tail / 4)) >>> 0) === 8) {
      const at = (HEADER_SIZE + (head & (c.capacity - 1))) / 4;
      Atomics.store(words, at, 1 << 30);
      Atomics.store(words, at + 1, feed.token);
      Atomics.store(i32, Off.head / 4, (head + 8) | 0);
      feed.left--;
    }
    return live.has(slot);
  };
  const ring = new Ring(segment, { alive, yieldCpu: () => {}, wake, lockAttempts: 4 });
  const bytes = new Uint8Array(segment);

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
      case 'commit': {
        const outcome = orCorrupt(() => outcomeName(ring.commit(op.slot!, Buffer.from(op.data!, 'hex'))));
        if (op.expect !== undefined) expect(outcome, where).toBe(op.expect);
        break;
      }
      case 'feed':
        Object.assign(feed, { slot: op.slot!, token: op.token!, left: op.count! });
        break;
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
        expect(orCorrupt(() => ring.eof(op.slot!, true)), where).toBe(op.expect);
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
  const which = op.on === 'data' ? Off.dataSeq : Off.spaceSeq;
  if (op.op === 'wait') ring.beginWait(which, kind);
  else ring.endWait(which, kind);
}

function expectedImage(c: Case): Uint8Array {
  const image = new Uint8Array(HEADER_SIZE + c.capacity);
  for (const run of c.image) {
    const [offset, hex] = run.split(':') as [string, string];
    image.set(Buffer.from(hex, 'hex'), parseInt(offset, 16));
  }
  return image;
}

describe.each(Object.entries(files))('shared ring vectors: %s', (fileName, vectors) => {
  it('is a file of ours, of this format version, with every case', () => {
    expect(vectors.format).toBe('ringpipe ring vectors');
    expect(vectors.version).toBe(3);
    expect(vectors.cases.map((c) => c.name)).toEqual(CASES[fileName as keyof typeof CASES]);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = run(c);
    const want = expectedImage(c);
    const differs = got.findIndex((byte, i) => byte !== want[i]);
    expect(differs === -1 ? 'identical' : `first difference at 0x${differs.toString(16)}: got ${got[differs]}, want ${want[differs]}`).toBe('identical');
  });
});
