// The shared test vectors of docs/vectors/ring-vectors.json, run through the TypeScript ring.
// The C core checks the same file (driver/core/tests/test_vectors.c).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADER_SIZE, MODE_BYTE, MODE_MESSAGE, maxBytePiece, maxMessage } from '../src/ring/layout.js';
import { BUSY, EMPTY, Ring, TOO_SMALL } from '../src/ring/ring.js';

interface Op {
  op: 'attach' | 'write' | 'reserve' | 'read' | 'end' | 'detach' | 'crash' | 'eof';
  pid?: number;
  role?: 'none' | 'reader' | 'writer';
  slot?: number;
  data?: string;
  len?: number;
  max?: number;
  expect?: string | boolean;
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

function run(c: Case): Uint8Array {
  const segment = new ArrayBuffer(HEADER_SIZE + c.capacity);
  const dead = new Set<number>();
  Ring.init(segment, c.capacity, c.mode === 'byte' ? MODE_BYTE : MODE_MESSAGE);
  const ring = new Ring(segment, { alive: (pid) => !dead.has(pid), yieldCpu: () => {}, wake: () => {} });
  const token = (slot: number) => ring.tokenOf(slot);

  const records = (data: Buffer): Buffer[] => {
    if (c.mode === 'message') return [data];
    const max = maxBytePiece(c.capacity);
    const pieces: Buffer[] = [];
    for (let at = 0; at < data.length; at += max) pieces.push(data.subarray(at, at + max));
    return pieces;
  };

  c.ops.forEach((op, index) => {
    const where = `${c.name} op ${index} (${op.op})`;
    switch (op.op) {
      case 'attach': {
        const slot = ring.attach(op.pid!);
        expect(slot, where).toBeGreaterThanOrEqual(0);
        if (op.role === 'writer') ring.setWriter(slot);
        if (op.role === 'reader') ring.setReader(slot);
        break;
      }
      case 'write':
      case 'reserve': {
        ring.setWriter(op.slot!);
        const data = op.op === 'write' ? Buffer.from(op.data!, 'hex') : Buffer.alloc(op.len!);
        let outcome: string;
        if (c.mode === 'message' && data.length > maxMessage(c.capacity)) {
          outcome = 'too_big';
        } else {
          const pieces = records(data);
          const done = op.op === 'write' ? ring.writeMany(token(op.slot!), pieces, 0) : ring.reserve(token(op.slot!), pieces, 0);
          outcome = done === pieces.length ? 'ok' : 'full';
        }
        if (op.expect !== undefined) expect(outcome, where).toBe(op.expect);
        break;
      }
      case 'read': {
        ring.setReader(op.slot!);
        const got = ring.read(token(op.slot!), op.max ?? Number.POSITIVE_INFINITY, true);
        const outcome = typeof got !== 'number' ? 'ok' : got === EMPTY ? 'empty' : got === BUSY ? 'busy' : got === TOO_SMALL ? 'too_small' : String(got);
        expect(outcome, where).toBe(op.expect);
        if (typeof got !== 'number') expect(got.toString('hex'), where).toBe(op.data);
        break;
      }
      case 'end':
        ring.endWriting(op.slot!);
        break;
      case 'detach':
        ring.detach(op.slot!);
        break;
      case 'crash':
        dead.add(op.pid!);
        break;
      case 'eof':
        expect(ring.isEof(true), where).toBe(op.expect);
        break;
    }
  });
  return new Uint8Array(segment);
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
    expect(vectors.version).toBe(1);
    expect(vectors.cases.length).toBeGreaterThan(10);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = run(c);
    const want = expectedImage(c);
    const differs = got.findIndex((byte, i) => byte !== want[i]);
    expect(differs === -1 ? 'identical' : `first difference at 0x${differs.toString(16)}: got ${got[differs]}, want ${want[differs]}`).toBe('identical');
  });
});
