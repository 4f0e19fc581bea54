import { randomBytes } from 'node:crypto';
import koffi from 'koffi';
import { winError } from '../../platform/windows/errors.js';
import type { FileIdentity } from '../../platform/windows/kept-files.js';
import { FILE_MAP_READ, FILE_MAP_WRITE, SECTION_JOIN, SECTION_STAT, closeHandle, k32 } from '../../platform/windows/kernel32.js';
import { createError, createSection, type Trust } from '../../platform/windows/named-objects.js';
import { checkOwner } from '../../platform/windows/security.js';
import { viewSize } from './view.js';

// The name page Local\ringpipe.NAME: which incarnation of the pipe the name stands for.
// Every handle keeps it open, so it lives while the pipe has a handle. It is written under
// BASE#lock only, and read as untrusted (any value is only a name to look for):
//
//   0  u32  magic 'RPNM'
//   8  u64  generation: the incarnation's objects are BASE#gGGGGGGGGGGGGGGGG...; 0 = none
//  16  u32  volume serial of the incarnation's kept file
//  24  u64  file index of that file (which file a last closer may remove)
//
// removePipe sets the generation to 0: open handles keep their incarnation's objects, the
// next opener makes a new one. Nothing of the page is in the ring format.

const PAGE = 4096;
const MAGIC = 0x4d4e5052;

export const ringBase = (base: string, generation: bigint): string => `${base}#g${generation.toString(16).padStart(16, '0')}`;

export const newGeneration = (): bigint => randomBytes(8).readBigUInt64LE(0) | 1n;

export class NamePage {
  private readonly view: DataView;

  private constructor(
    private readonly section: bigint,
    private readonly address: bigint,
  ) {
    this.view = new DataView(koffi.view(address, 32) as ArrayBuffer);
  }

  /** The page of `base`, made (zero: no incarnation) or joined if its owner is trusted. */
  static open(base: string, trust: Trust): NamePage {
    return NamePage.map(createSection(base, PAGE, trust).h, FILE_MAP_READ | FILE_MAP_WRITE, base);
  }

  /** The page of `base`, if there is one of a trusted owner (another type's object under the name: UNTRUSTED). */
  static peek(base: string, owners: readonly string[], write = false): NamePage | undefined {
    const h = k32().OpenFileMappingW(write ? SECTION_JOIN : SECTION_STAT, 0, base) as bigint;
    if (h === 0n) {
      const err = k32().GetLastError() as number;
      if (err === 2) return undefined;
      throw createError(`opening ${base}`, err);
    }
    try {
      checkOwner(h, owners, base);
    } catch (err) {
      closeHandle(h);
      throw err;
    }
    return NamePage.map(h, write ? FILE_MAP_READ | FILE_MAP_WRITE : FILE_MAP_READ, base);
  }

  private static map(section: bigint, access: number, base: string): NamePage {
    const address = k32().MapViewOfFile(section, access, 0, 0, 0) as bigint;
    if (address === 0n || viewSize(address) < 32) {
      const err = winError(`MapViewOfFile of ${base}`);
      if (address !== 0n) k32().UnmapViewOfFile(address);
      closeHandle(section);
      throw err;
    }
    return new NamePage(section, address);
  }

  get generation(): bigint {
    return this.view.getUint32(0, true) === MAGIC ? this.view.getBigUint64(8, true) : 0n;
  }

  get file(): FileIdentity {
    return { volume: this.view.getUint32(16, true), index: this.view.getBigUint64(24, true) };
  }

  /** Makes `generation` (0: none) the name's incarnation, kept in `file`. */
  set(generation: bigint, file: FileIdentity = { volume: 0, index: 0n }): void {
    this.view.setUint32(16, file.volume, true);
    this.view.setBigUint64(24, file.index, true);
    this.view.setBigUint64(8, generation, true);
    this.view.setUint32(0, MAGIC, true);
  }

  close(): void {
    k32().UnmapViewOfFile(this.address);
    closeHandle(this.section);
  }
}
