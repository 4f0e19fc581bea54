// A hostile peer's view of a pipe's shared-memory file: raw reads and writes at byte offsets.
import { closeSync, openSync, readSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { Off, SLOT_COUNT, SLOT_OFFSET, SLOT_SIZE, SlotOff } from '../../src/ring/layout.js';

export const shmPath = (name: string): string => `/dev/shm/ringpipe.${name.toUpperCase()}`;

function withFile<T>(name: string, use: (fd: number) => T): T {
  const fd = openSync(shmPath(name), 'r+');
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

export function peekU32(name: string, offset: number): number {
  return withFile(name, (fd) => {
    const buf = Buffer.alloc(4);
    readSync(fd, buf, 0, 4, offset);
    return buf.readUInt32LE(0);
  });
}

export function poke(name: string, offset: number, bytes: Uint8Array): void {
  withFile(name, (fd) => writeSync(fd, bytes, 0, bytes.length, offset));
}

export function pokeU32(name: string, offset: number, value: number): void {
  const buf = Buffer.alloc(4);
  buf.writeUInt32LE(value >>> 0, 0);
  poke(name, offset, buf);
}

export const slotField = (slot: number, field: keyof typeof SlotOff): number => SLOT_OFFSET + slot * SLOT_SIZE + SlotOff[field];

/** The slot whose pid field is `pid`, or -1. */
export function slotOfPid(name: string, pid: number): number {
  for (let slot = 0; slot < SLOT_COUNT; slot++) if (peekU32(name, slotField(slot, 'pid')) === pid) return slot;
  return -1;
}

export { Off };

/** Removes a pipe's file and its bells, e.g. those a killed holder of another uid left behind. */
export function removePipeFiles(name: string): void {
  const file = shmPath(name).slice('/dev/shm/'.length);
  for (const entry of readdirSync('/dev/shm')) {
    if (entry === file || (entry.startsWith(`${file}.`) && entry.endsWith('.bell'))) rmSync(`/dev/shm/${entry}`, { force: true });
  }
}
