import { k32 } from '../../platform/windows/kernel32.js';

/** The size of the view at address (the whole mapping: views are mapped whole). */
export function viewSize(address: bigint): number {
  const info = Buffer.alloc(48);
  k32().VirtualQuery(address, info, info.length);
  return Number(info.readBigUInt64LE(24));
}
