import koffi from 'koffi';
import { ErrorCode, RingPipeError } from '../../errors.js';
import { HEADER_SIZE, MODE_MESSAGE } from '../../ring/layout.js';
import { Ring } from '../../ring/ring.js';
import { checkHeader, initHeader } from '../../ring/header.js';
import { winError } from '../../platform/windows/errors.js';
import {
  fileInfo,
  keptFilePath,
  keptFolder,
  openKeptFile,
  removeKeptFile,
  sweepTombstones,
  type FileIdentity,
  type OpenFile,
} from '../../platform/windows/kept-files.js';
import { ERROR_ALREADY_EXISTS, FILE_MAP_READ, FILE_MAP_WRITE, PAGE_READWRITE, SECTION_JOIN, closeHandle, k32 } from '../../platform/windows/kernel32.js';
import { createError, type Trust } from '../../platform/windows/named-objects.js';
import { checkOwner, securityAttributes } from '../../platform/windows/security.js';
import { keptPastTtl } from '../linux-shm/segment.js';
import { NamePage, newGeneration, ringBase } from './name-page.js';
import { anySlotLive, slotLive } from './slot-liveness.js';
import { viewSize } from './view.js';

// Which ring an opener of an shm pipe attaches to (under BASE#lock): the live incarnation the
// name page names, else the pipe kept in the user's file (adopted, unless it holds nothing
// unread, is broken, or outlived its ttl: then replaced), else a new one.

export interface ShmRequest {
  capacity: number;
  mode: number | undefined;
  permissions: number;
  ttl: number;
}

/** One incarnation's ring section, mapped. */
export interface Incarnation {
  generation: bigint;
  /** The base name of its objects (slots, events, wait page). */
  base: string;
  section: bigint;
  address: bigint;
  length: number;
  /** This open made the ring (false: it joined or adopted one). */
  created: boolean;
  /** Its kept file, when this open made or adopted it (a joiner takes the page's word). */
  file?: FileIdentity;
  /** Its kept file's path, when this open made it (removed if the open fails). */
  madeFile?: string;
}

/** Slot liveness of the ring whose objects are at `base` (pid 0: never attached, or detached). */
export const shmAlive =
  (base: string) =>
  (slot: number, pid: number): boolean =>
    pid !== 0 && slotLive(base, slot);

export function unmapIncarnation(inc: { section: bigint; address: bigint }): void {
  k32().UnmapViewOfFile(inc.address);
  closeHandle(inc.section);
}

/** The incarnation to attach to (the caller holds BASE#lock and the name page). */
export function findIncarnation(canonical: string, base: string, page: NamePage, request: ShmRequest, trust: Trust): Incarnation {
  return joinLive(base, page, trust) ?? adoptOrCreate(canonical, base, request, trust);
}

/** The incarnation the page names, if a live handle has it. */
function joinLive(base: string, page: NamePage, trust: Trust): Incarnation | undefined {
  const generation = page.generation;
  if (generation === 0n) return undefined;
  const name = ringBase(base, generation);
  const h = k32().OpenFileMappingW(SECTION_JOIN, 0, name) as bigint;
  if (h === 0n) {
    const err = k32().GetLastError() as number;
    if (err === 2) return undefined;
    throw createError(`opening ${name}`, err);
  }
  try {
    checkOwner(h, trust.owners, name);
    // Its handles all left (a statPipe still holds the section): the kept file decides.
    if (!anySlotLive(name)) {
      closeHandle(h);
      return undefined;
    }
    return { generation, base: name, ...mapSection(h, name), created: false };
  } catch (err) {
    closeHandle(h);
    throw err;
  }
}

function mapSection(section: bigint, name: string): { section: bigint; address: bigint; length: number } {
  const address = k32().MapViewOfFile(section, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0) as bigint;
  if (address === 0n) throw winError(`MapViewOfFile of ${name}`);
  return { section, address, length: viewSize(address) };
}

function adoptOrCreate(canonical: string, base: string, request: ShmRequest, trust: Trust): Incarnation {
  const folder = keptFolder();
  const path = keptFilePath(folder, canonical);
  sweepTombstones(folder, canonical);
  const generation = newGeneration();
  const name = ringBase(base, generation);
  const kept = openKeptFile(path, false);
  if (kept) {
    const adopted = adopt(kept, name, trust);
    if (adopted) return { generation, base: name, ...adopted, created: false, file: kept.info };
    removeKeptFile(path);
  }
  const made = openKeptFile(path, true);
  if (!made) throw new RingPipeError(ErrorCode.Busy, `pipe ${canonical}'s file ${path} was made meanwhile by another process; try again`);
  try {
    const size = HEADER_SIZE + request.capacity;
    const mapped = mapSection(sectionOfFile(made.h, size, name, request.permissions), name);
    initHeader(koffi.view(mapped.address, size) as ArrayBuffer, request.capacity, request.mode ?? MODE_MESSAGE, request.ttl);
    return { generation, base: name, ...mapped, created: true, file: made.info, madeFile: path };
  } catch (err) {
    removeKeptFile(path);
    throw err;
  } finally {
    closeHandle(made.h);
  }
}

/**
 * The kept pipe in `file`, mapped as `name`, when it is one to adopt: a whole ring with
 * something unread, within its ttl. undefined when it is to be replaced. Closes the file.
 */
function adopt(file: OpenFile, name: string, trust: Trust): { section: bigint; address: bigint; length: number } | undefined {
  let section = 0n;
  let mapped: { section: bigint; address: bigint; length: number } | undefined;
  try {
    const header = Buffer.alloc(HEADER_SIZE);
    const got = Buffer.alloc(4);
    if (file.info.size < HEADER_SIZE || !k32().ReadFile(file.h, header, HEADER_SIZE, got, null) || got.readUInt32LE(0) !== HEADER_SIZE) return undefined;
    let capacity: number;
    try {
      ({ capacity } = checkHeader(header.buffer.slice(header.byteOffset, header.byteOffset + HEADER_SIZE) as ArrayBuffer));
    } catch {
      return undefined; // a broken file no handle has is no pipe
    }
    if (fileInfo(file.h, name).size !== HEADER_SIZE + capacity) return undefined;
    section = sectionOfFile(file.h, 0, name, trust.permissions);
    mapped = mapSection(section, name);
    const ring = new Ring(koffi.view(mapped.address, mapped.length) as ArrayBuffer, { alive: shmAlive(name), yieldCpu: () => {}, wake: () => {} });
    if (ring.unread().messages === 0 || keptPastTtl(ring.ttlMs, ring.keptSinceMs, Date.now())) {
      unmapIncarnation(mapped);
      mapped = undefined;
      return undefined;
    }
    return mapped;
  } catch (err) {
    if (mapped) unmapIncarnation(mapped);
    else closeHandle(section);
    if (err instanceof RingPipeError && err.code === ErrorCode.Corrupt) return undefined;
    throw err;
  } finally {
    closeHandle(file.h);
  }
}

/** A section named `name` over the file (`size` 0: the file's size; more grows the file). */
function sectionOfFile(file: bigint, size: number, name: string, permissions: number): bigint {
  const h = k32().CreateFileMappingW(file, securityAttributes('section', permissions), PAGE_READWRITE, 0, size, name) as bigint;
  const err = k32().GetLastError() as number;
  if (h === 0n) throw createError(name, err);
  if (err === ERROR_ALREADY_EXISTS) {
    closeHandle(h);
    throw new RingPipeError(ErrorCode.Untrusted, `${name} exists already (a name of a new incarnation, taken by someone else)`);
  }
  return h;
}
