// A reference model of the ringpipe ring format, written from docs/ring-format.md alone (not from
// either implementation), to check the expected results of the shared test vectors. One process,
// one thread: every "atomic" access is a plain DataView access, every compare-and-swap a load and
// a compare. Section names in the comments are those of docs/ring-format.md.

export const HEADER_SIZE = 4096;
export const SLOT_COUNT = 128;
export const OS_WAITER = 1;
export const BELL_WAITER = 0x10000;
const LOCK_ATTEMPTS = 4; // "Test vectors": lock attempts are bounded at 4

const RESERVED = 1;
const COMMITTED = 2;
const ABANDONED = 3;
const WRITER = 1;
const READER = 2;

// Header page
const MAGIC = 0, VERSION = 4, HEADER_SIZE_OFF = 6, CAPACITY = 8, MODE = 12, SLOT_COUNT_OFF = 16, SLOT_OFFSET = 20, DATA_OFFSET = 24;
const HEAD = 64, WLOCK = 68, SPACE_SEQ = 72, MSGS_IN = 80, BYTES_IN = 88;
const CURSOR = 96, CURSOR_NEXT = 104, CURSOR_FROM = 112, CURSOR_TO = 116, CURSOR_OWNER = 120, READERS_WAITING = 124;
const TAIL = 128, TAIL_SKIP = 132, RLOCK = 136, DATA_SEQ = 140, ABANDONED_COUNT = 148;
const MSGS_OUT = 152, BYTES_OUT = 160, WRITERS_WAITING = 168;
const ATTACH_SEQ = 192, WRITERS_EVER = 196;
const SLOTS = 256;
const PID = 0, TOKEN = 4, ROLE = 8, WRITING = 12;

/** An outcome that ends an operation early. */
class Outcome {
  constructor(name) {
    this.name = name;
  }
}
const stop = (name) => {
  throw new Outcome(name);
};

const align8 = (n) => (n + 7) & ~7;
const hex = (bytes) => Buffer.from(bytes).toString('hex');

export class RingModel {
  /** A fresh segment: all zero, then line 0 of the header page. */
  constructor(capacity, mode) {
    this.capacity = capacity;
    this.byteMode = mode === 'byte';
    this.bytes = new Uint8Array(HEADER_SIZE + capacity);
    this.view = new DataView(this.bytes.buffer);
    this.maxRecord = this.byteMode ? capacity / 2 - 8 : capacity - 8;
    this.live = new Set(); // the platform's liveness, never read from the segment
    this.latch = new Map(); // slot -> the reader's own memory of "some writer attached once"
    this.lastReserve = new Map(); // slot -> { pos, len } of its last `reserve`
    this.feed = { slot: -1, token: 0, left: 0 };
    this.woken = [];
    this.u32(MAGIC, 0x50495052);
    this.view.setUint16(VERSION, 3, true);
    this.view.setUint16(HEADER_SIZE_OFF, HEADER_SIZE, true);
    this.u32(CAPACITY, capacity);
    this.u32(MODE, this.byteMode ? 2 : 1);
    this.u32(SLOT_COUNT_OFF, SLOT_COUNT);
    this.u32(SLOT_OFFSET, SLOTS);
    this.u32(DATA_OFFSET, HEADER_SIZE);
  }

  // --- words ---

  u32(off, value) {
    if (value === undefined) return this.view.getUint32(off, true);
    this.view.setUint32(off, value >>> 0, true);
    return value >>> 0;
  }

  /** Adds to a 64-bit counter stored as (lo, hi). */
  add64(off, n) {
    const sum = this.u32(off) + n;
    this.u32(off, sum);
    this.u32(off + 4, this.u32(off + 4) + Math.floor(sum / 2 ** 32));
  }

  u64(off) {
    return BigInt(this.u32(off)) | (BigInt(this.u32(off + 4)) << 32n);
  }

  slotWord(slot, field, value) {
    return this.u32(SLOTS + slot * 16 + field, value);
  }

  dataAt(pos) {
    return HEADER_SIZE + (pos & (this.capacity - 1));
  }

  // --- liveness (Slots, "Liveness"; the `feed` peer of "Test vectors") ---

  isLive(slot) {
    const f = this.feed;
    if (f.left > 0 && slot === f.slot && ((this.u32(HEAD) - this.u32(TAIL)) >>> 0) === 8) {
      const head = this.u32(HEAD);
      this.u32(this.dataAt(head), RESERVED << 30);
      this.u32(this.dataAt(head) + 4, f.token);
      this.u32(HEAD, head + 8);
      f.left--;
    }
    return this.live.has(slot);
  }

  /** The live slots holding `token` (token 0 is nobody's). */
  liveSlotsOf(token) {
    if (token === 0) return [];
    const slots = [];
    for (let s = 0; s < SLOT_COUNT; s++) if (this.slotWord(s, TOKEN) === token && this.isLive(s)) slots.push(s);
    return slots;
  }

  tokenLive(token) {
    return this.liveSlotsOf(token).length > 0;
  }

  // --- waking (Waiting) ---

  /** "wake all of" a seq word: bump it, load the waiting count again, wake by its halves. */
  wakeAll(seqOff, waitingOff, side) {
    this.u32(seqOff, this.u32(seqOff) + 1);
    const waiting = this.u32(waitingOff);
    if ((waiting & 0xffff) !== 0) this.woken.push(`${side}-os`);
    if (waiting >>> 16 !== 0) this.woken.push(`${side}-bell`);
  }

  // --- locks (Operations, "Locks") ---

  lock(off, token) {
    for (let attempt = 1; attempt <= LOCK_ATTEMPTS; attempt++) {
      const holder = this.u32(off);
      if (holder === 0) {
        this.u32(off, token);
        return;
      }
      // The holder's liveness is looked at on the last attempt (the least the spec asks).
      if (attempt === LOCK_ATTEMPTS && !this.tokenLive(holder)) {
        this.u32(off, token);
        return;
      }
    }
    stop('locked');
  }

  // --- handles (Slots) ---

  attach(pid, role) {
    let slot = 0;
    while (slot < SLOT_COUNT && this.live.has(slot)) slot++;
    if (slot === SLOT_COUNT) throw new Error('no free slot');
    this.live.add(slot);
    let token = (this.u32(ATTACH_SEQ) + 1) >>> 0;
    if (token === 0) token = 1;
    this.u32(ATTACH_SEQ, token);
    this.slotWord(slot, TOKEN, token);
    this.slotWord(slot, ROLE, 0);
    this.slotWord(slot, WRITING, 0);
    this.slotWord(slot, PID, pid);
    this.latch.delete(slot);
    this.lastReserve.delete(slot);
    if (role === 'writer') this.takeWriterRole(slot);
    if (role === 'reader') this.takeReaderRole(slot);
    return slot;
  }

  takeWriterRole(slot) {
    const role = this.slotWord(slot, ROLE);
    if (role & WRITER) return;
    this.slotWord(slot, ROLE, role | WRITER);
    this.u32(WRITERS_EVER, this.u32(WRITERS_EVER) + 1);
  }

  takeReaderRole(slot) {
    const role = this.slotWord(slot, ROLE);
    if (!(role & READER)) this.slotWord(slot, ROLE, role | READER);
  }

  endWriting(slot) {
    const role = this.slotWord(slot, ROLE);
    if (!(role & WRITER)) return;
    this.slotWord(slot, ROLE, role & ~WRITER);
    this.wakeAll(DATA_SEQ, READERS_WAITING, 'data');
  }

  detach(slot) {
    this.endWriting(slot);
    this.slotWord(slot, ROLE, 0);
    this.slotWord(slot, TOKEN, 0);
    this.slotWord(slot, PID, 0);
    this.live.delete(slot);
  }

  crash(slot) {
    this.live.delete(slot);
  }

  // --- Write, reserve, commit, abandon (Operations, "Write", "Abandon") ---

  /** Records of a Write of `data`, already split (byte mode) and size-checked. */
  split(data) {
    if (!this.byteMode) return [data];
    const records = [];
    for (let at = 0; at < data.length; at += this.maxRecord) records.push(data.subarray(at, at + this.maxRecord));
    return records;
  }

  /** Steps 1-3 of Write: returns the positions of the records made. */
  reserveRecords(slot, lens) {
    const token = this.slotWord(slot, TOKEN);
    this.slotWord(slot, WRITING, this.slotWord(slot, WRITING) + 1);
    try {
      this.lock(WLOCK, token);
    } catch (err) {
      this.slotWord(slot, WRITING, this.slotWord(slot, WRITING) - 1);
      throw err;
    }
    let head = this.u32(HEAD);
    const tail = this.u32(TAIL);
    let used = (head - tail) >>> 0;
    if (head % 8 !== 0 || tail % 8 !== 0 || used > this.capacity) {
      this.u32(WLOCK, 0);
      this.slotWord(slot, WRITING, this.slotWord(slot, WRITING) - 1);
      stop('corrupt');
    }
    const made = [];
    for (const len of lens) {
      const size = 8 + align8(len);
      if (used + size > this.capacity) break;
      this.u32(this.dataAt(head) + 4, token);
      this.u32(this.dataAt(head), (RESERVED << 30) | len);
      made.push({ pos: head, len });
      head = (head + size) >>> 0;
      used += size;
    }
    if (made.length === 0) {
      this.u32(WLOCK, 0);
      this.slotWord(slot, WRITING, this.slotWord(slot, WRITING) - 1);
      stop('full');
    }
    this.add64(MSGS_IN, made.length);
    this.add64(BYTES_IN, made.reduce((n, r) => n + r.len, 0));
    this.u32(HEAD, head);
    this.u32(WLOCK, 0);
    return made;
  }

  copyIn(pos, payload) {
    for (let i = 0; i < payload.length; i++) this.bytes[this.dataAt(pos + 8 + i)] = payload[i];
  }

  /** Compare-and-swap of word0 from RESERVED to `state`; false when it found anything else. */
  settleWord(rec, state) {
    const at = this.dataAt(rec.pos);
    if (this.u32(at) !== ((RESERVED << 30) | rec.len) >>> 0) return false;
    this.u32(at, (state << 30) | rec.len);
    return true;
  }

  /** Steps 5 and 6 of Write. */
  endWrite(slot) {
    this.slotWord(slot, WRITING, this.slotWord(slot, WRITING) - 1);
    if (this.u32(READERS_WAITING) !== 0) this.wakeAll(DATA_SEQ, READERS_WAITING, 'data');
  }

  write(slot, data) {
    if (!this.byteMode && data.length > this.maxRecord) return { expect: 'too_big' };
    this.takeWriterRole(slot);
    if (this.byteMode && data.length === 0) return { expect: 'ok', written: 0 };
    const records = this.split(data);
    const made = this.reserveRecords(slot, records.map((r) => r.length));
    let corrupt = false;
    made.forEach((rec, i) => {
      this.copyIn(rec.pos, records[i]);
      if (!this.settleWord(rec, COMMITTED)) corrupt = true;
    });
    this.endWrite(slot);
    const written = made.reduce((n, r) => n + r.len, 0);
    const expect = corrupt ? 'corrupt' : made.length < records.length ? 'full' : 'ok';
    return this.byteMode ? { expect, written } : { expect };
  }

  reserve(slot, len) {
    if (this.byteMode && len === 0) return { expect: 'inval' };
    if (len > this.maxRecord) return { expect: 'too_big' };
    this.takeWriterRole(slot);
    const [rec] = this.reserveRecords(slot, [len]);
    this.lastReserve.set(slot, rec);
    return { expect: 'ok' };
  }

  commit(slot, data) {
    const rec = this.lastReserve.get(slot);
    this.copyIn(rec.pos, data);
    const ok = this.settleWord(rec, COMMITTED);
    this.endWrite(slot);
    return { expect: ok ? 'ok' : 'corrupt' };
  }

  abandon(slot) {
    const ok = this.settleWord(this.lastReserve.get(slot), ABANDONED);
    this.endWrite(slot);
    return { expect: ok ? 'ok' : 'corrupt' };
  }

  // --- Read (Operations, "Read", "Cursor batch") ---

  /** Whether a cursor batch covers the dead writer's reservation at `pos` owned by `owner`. */
  covered(pos, owner) {
    const batchOwner = this.u32(CURSOR_OWNER);
    if (batchOwner === 0 || batchOwner !== owner) return false;
    const cursor = this.u64(CURSOR);
    const next = this.u64(CURSOR_NEXT);
    const from = this.u32(CURSOR_FROM);
    const to = this.u32(CURSOR_TO);
    if (this.u32(CURSOR_OWNER) !== batchOwner) return false;
    return cursor === next && ((pos - from) >>> 0) < ((to - from) >>> 0);
  }

  read(slot, room) {
    this.takeReaderRole(slot);
    this.lock(RLOCK, this.slotWord(slot, TOKEN));
    const tailBefore = this.u32(TAIL);
    try {
      return this.readLocked(room);
    } finally {
      this.u32(RLOCK, 0);
      if (this.u32(TAIL) !== tailBefore && this.u32(WRITERS_WAITING) !== 0) this.wakeAll(SPACE_SEQ, WRITERS_WAITING, 'space');
    }
  }

  readLocked(room) {
    let skips = 0;
    const skip = (tail, size) => {
      if (skips === this.capacity / 8) stop('busy');
      this.u32(TAIL, tail + size);
      this.u32(TAIL_SKIP, 0);
      this.u32(ABANDONED_COUNT, this.u32(ABANDONED_COUNT) + 1);
      skips++;
    };
    for (;;) {
      // Step 2, after each skip too. The spec loads `head` in step 1 and says "go back to step 2";
      // read literally, a Read never sees a record reserved while it runs, so it could never be
      // "about to skip one more" after capacity / 8 skips, and the skip limit's "only peers that keep
      // making records to skip while it runs can get it there" would be empty. So `head` is loaded
      // again here (spec_skip_limit depends on it).
      const tail = this.u32(TAIL);
      const tailSkip = this.u32(TAIL_SKIP);
      const head = this.u32(HEAD);
      const used = (head - tail) >>> 0;
      if (head % 8 !== 0 || tail % 8 !== 0 || used > this.capacity) stop('corrupt');
      if (tailSkip !== 0 && (used === 0 || !this.byteMode)) stop('corrupt');
      if (used === 0) stop('empty');
      let seenAgain = false;
      // Step 3, entered again when a reservation's word0 changed under the Read.
      for (;;) {
        const word0 = this.u32(this.dataAt(tail));
        const state = word0 >>> 30;
        const len = word0 & 0x3fffffff;
        const size = 8 + align8(len);
        if (state === 0 || len > this.maxRecord || size > used) stop('corrupt');
        if (this.byteMode && (len === 0 || tailSkip >= len)) stop('corrupt');
        const owner = this.u32(this.dataAt(tail) + 4);
        let readAsCommitted = state === COMMITTED;
        if (state === ABANDONED) {
          skip(tail, size);
          break;
        }
        if (state === RESERVED) {
          const owners = this.liveSlotsOf(owner);
          if (owners.length === 0) {
            if (this.covered(tail, owner)) {
              readAsCommitted = true;
            } else if (this.u32(this.dataAt(tail)) !== word0) {
              if (seenAgain) stop('corrupt');
              seenAgain = true;
              continue;
            } else {
              skip(tail, size);
              break;
            }
          } else if (owners.some((s) => this.slotWord(s, WRITING) !== 0)) {
            stop('busy');
          } else {
            if (this.u32(this.dataAt(tail)) === word0 || seenAgain) stop('corrupt');
            seenAgain = true;
            continue;
          }
        }
        if (readAsCommitted) return this.take(tail, tailSkip, len, size, room);
      }
    }
  }

  /** Step 3, COMMITTED: consume the record at `tail` (or part of it, byte mode). */
  take(tail, tailSkip, len, size, room) {
    const copy = (from, n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = this.bytes[this.dataAt(tail + 8 + from + i)];
      return out;
    };
    if (!this.byteMode) {
      if (len > room) stop('too_small');
      const data = copy(0, len);
      this.u32(TAIL, tail + size);
      this.u32(TAIL_SKIP, 0);
      this.add64(MSGS_OUT, 1);
      this.add64(BYTES_OUT, len);
      return { expect: 'ok', data: hex(data) };
    }
    if (room === 0) stop('too_small');
    const n = Math.min(len - tailSkip, room);
    const data = copy(tailSkip, n);
    if (tailSkip + n === len) {
      this.u32(TAIL, tail + size);
      this.u32(TAIL_SKIP, 0);
      this.add64(MSGS_OUT, 1);
    } else {
      this.u32(TAIL_SKIP, tailSkip + n);
    }
    this.add64(BYTES_OUT, n);
    return { expect: 'ok', data: hex(data) };
  }

  // --- EOF (Waiting, "EOF") ---

  eof(slot) {
    if (this.u32(WRITERS_EVER) > 0) this.latch.set(slot, true);
    if (!this.latch.get(slot)) return false;
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (this.slotWord(s, TOKEN) !== 0 && this.slotWord(s, ROLE) & WRITER && this.isLive(s)) return false;
    }
    return this.u32(HEAD) === this.u32(TAIL);
  }

  // --- one vector op ---

  /** Runs one op of the "Test vectors" table; returns what the vectors check of it. */
  step(op) {
    this.woken = [];
    let result = {};
    try {
      result = this.dispatch(op) ?? {};
    } catch (err) {
      if (!(err instanceof Outcome)) throw err;
      result = { expect: err.name };
      if (this.byteMode && (op.op === 'write')) result.written = 0;
    }
    return { ...result, wakes: this.woken };
  }

  dispatch(op) {
    const data = () => Uint8Array.from(Buffer.from(op.data ?? '', 'hex'));
    switch (op.op) {
      case 'attach':
        this.attach(op.pid, op.role);
        return undefined;
      case 'write':
        return this.write(op.slot, data());
      case 'reserve':
        return this.reserve(op.slot, op.len);
      case 'commit':
        return this.commit(op.slot, data());
      case 'abandon':
        return this.abandon(op.slot);
      case 'read':
        return this.read(op.slot, op.max ?? Number.POSITIVE_INFINITY);
      case 'end':
        return this.endWriting(op.slot);
      case 'detach':
        return this.detach(op.slot);
      case 'crash':
        return this.crash(op.slot);
      case 'hold':
        this.u32(op.lock === 'read' ? RLOCK : WLOCK, this.slotWord(op.slot, TOKEN));
        return undefined;
      case 'poke':
        this.bytes.set(data(), parseInt(op.offset, 16));
        return undefined;
      case 'eof':
        return { expect: this.eof(op.slot) };
      case 'wait':
      case 'unwait': {
        const off = op.on === 'data' ? READERS_WAITING : WRITERS_WAITING;
        const kind = op.kind === 'bell' ? BELL_WAITER : OS_WAITER;
        this.u32(off, this.u32(off) + (op.op === 'wait' ? kind : -kind));
        return undefined;
      }
      case 'feed':
        this.feed = { slot: op.slot, token: op.token, left: op.count };
        return undefined;
      default:
        throw new Error(`unknown op ${op.op}`);
    }
  }
}

/** Runs a vector case through the model: each op's results, and the segment it leaves. */
export function runCase(c) {
  const ring = new RingModel(c.capacity, c.mode);
  const results = c.ops.map((op) => ring.step(op));
  return { results, image: ring.bytes };
}

/** The segment a case's `image` describes. */
export function imageOf(c) {
  const image = new Uint8Array(HEADER_SIZE + c.capacity);
  for (const run of c.image) {
    const [offset, data] = run.split(':');
    image.set(Buffer.from(data, 'hex'), parseInt(offset, 16));
  }
  return image;
}

/** Every difference between a case's expected results and the model's, as readable lines. */
export function compareCase(c) {
  const { results, image } = runCase(c);
  const diffs = [];
  c.ops.forEach((op, i) => {
    const got = results[i];
    const where = `op ${i} (${op.op})`;
    if (op.expect !== undefined && got.expect !== op.expect) diffs.push(`${where}: expect ${op.expect}, model ${got.expect}`);
    if (op.op === 'read' && op.expect === undefined) diffs.push(`${where}: read without expect`);
    if (op.op === 'read' && op.data !== undefined && got.data !== op.data) diffs.push(`${where}: data ${op.data}, model ${got.data}`);
    if (op.op === 'read' && op.data === undefined && got.data !== undefined) diffs.push(`${where}: no data, model ${got.data}`);
    if (op.written !== undefined && got.written !== op.written) diffs.push(`${where}: written ${op.written}, model ${got.written}`);
    if (op.wakes !== undefined && [...got.wakes].sort().join() !== [...op.wakes].sort().join())
      diffs.push(`${where}: wakes [${op.wakes}], model [${got.wakes}]`);
  });
  const want = imageOf(c);
  const at = image.findIndex((b, i) => b !== want[i]);
  if (at !== -1) diffs.push(`image: first difference at 0x${at.toString(16)}: model ${image[at]}, want ${want[at]}`);
  return diffs;
}
