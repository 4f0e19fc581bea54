// Creating and checking a header (driver/core/rp_ring.c: rp_ring_init, rp_ring_check_header), for
// callers with no ring yet: a creator before anyone can see the segment, an opener that learns
// from the header page how much to map.
import { ErrorCode, RingPipeError } from '../errors.js';
import { HEADER_SIZE, LINE0_ZERO_FROM, MAGIC, MODE_BYTE, MODE_MESSAGE, Off, SLOT_COUNT, SLOT_OFFSET, VERSION } from './layout.js';

/** Writes a fresh header into a segment that nobody else can see yet. */
export function initHeader(segment: ArrayBuffer, capacity: number, mode: number, ttlMs = 0): void {
  new Uint8Array(segment, 0, HEADER_SIZE).fill(0);
  const view = new DataView(segment);
  view.setUint16(Off.version, VERSION, true);
  view.setUint16(Off.headerSize, HEADER_SIZE, true);
  view.setUint32(Off.capacity, capacity, true);
  view.setUint32(Off.mode, mode, true);
  view.setUint32(Off.slotCount, SLOT_COUNT, true);
  view.setUint32(Off.slotOffset, SLOT_OFFSET, true);
  view.setUint32(Off.dataOffset, HEADER_SIZE, true);
  view.setBigUint64(Off.ttlMs, BigInt(ttlMs), true);
  view.setUint32(Off.magic, MAGIC, true);
}

/** Checks line 0 of a header that another process wrote (the header page alone is enough); ERR_RINGPIPE_CORRUPT otherwise. */
export function checkHeader(header: ArrayBuffer): { capacity: number; mode: number } {
  const bad = (why: string): never => {
    throw new RingPipeError(ErrorCode.Corrupt, `not a ringpipe segment of format version ${VERSION}: ${why}`);
  };
  if (header.byteLength < HEADER_SIZE) bad('shorter than its header');
  const view = new DataView(header);
  if (view.getUint32(Off.magic, true) !== MAGIC) bad('bad magic');
  const version = view.getUint16(Off.version, true);
  if (version !== VERSION) bad(`it has version ${version}${version < VERSION ? ', made by an older ringpipe' : ''}`);
  const capacity = view.getUint32(Off.capacity, true);
  const mode = view.getUint32(Off.mode, true);
  if (capacity < 64 || capacity > 2 ** 30 || (capacity & (capacity - 1)) !== 0) bad(`capacity ${capacity}`);
  if (mode !== MODE_MESSAGE && mode !== MODE_BYTE) bad(`mode ${mode}`);
  if (
    view.getUint16(Off.headerSize, true) !== HEADER_SIZE ||
    view.getUint32(Off.slotCount, true) !== SLOT_COUNT ||
    view.getUint32(Off.slotOffset, true) !== SLOT_OFFSET ||
    view.getUint32(Off.dataOffset, true) !== HEADER_SIZE
  ) {
    bad('layout fields');
  }
  for (let at = LINE0_ZERO_FROM; at < 64; at += 4) {
    if (at !== Off.ttlMs && at !== Off.ttlMs + 4 && view.getUint32(at, true) !== 0) bad(`reserved bytes at ${at}`);
  }
  return { capacity, mode };
}
