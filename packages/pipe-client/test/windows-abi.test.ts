// The TypeScript mirror of the Windows driver's ABI (src/backends/windows-driver/abi.ts) against
// driver/include/ringpipe_win_abi.h itself: a C program prints every size, offset and code, compiled
// here with the host cc (the header holds only fixed-size integers, so the layout is the same as on Windows).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/support/index.js';
import * as abi from '../src/backends/windows-driver/abi.js';

const header = resolve(__dirname, '../../../driver/include/ringpipe_win_abi.h');
const dir = tempDir('abi');

const fields: Record<string, Record<string, string>> = {
  ringpipe_bind_in: { abiVersion: 'abi_version', flags: 'flags', capacity: 'capacity', mode: 'mode', perm: 'perm', nameLen: 'name_len', name: 'name', ttlMs: 'ttl_ms' },
  ringpipe_bind_out: { abiVersion: 'abi_version', capacity: 'capacity', mode: 'mode', slot: 'slot', token: 'token', created: 'created', maxRecord: 'max_record', name: 'name' },
  ringpipe_name: { nameLen: 'name_len', name: 'name' },
  ringpipe_pipe_info: {
    name: 'name', refs: 'refs', owner: 'owner', perm: 'perm', capacity: 'capacity', mode: 'mode', used: 'used', head: 'head', tail: 'tail',
    attached: 'attached', readers: 'readers', writers: 'writers', writersEver: 'writers_ever', abandoned: 'abandoned',
    readersWaiting: 'readers_waiting', writersWaiting: 'writers_waiting', dataSeq: 'data_seq', spaceSeq: 'space_seq',
    pendingReads: 'pending_reads', pendingWrites: 'pending_writes', pendingWaits: 'pending_waits', memory: 'memory', mapped: 'mapped',
    ringStatus: 'ring_status', msgsIn: 'msgs_in', bytesIn: 'bytes_in', msgsOut: 'msgs_out', bytesOut: 'bytes_out',
    kept: 'kept', ttlMs: 'ttl_ms', keptSinceMs: 'kept_since_ms',
  },
  ringpipe_list_in: { entrySize: 'entry_size' },
  ringpipe_list_header: { count: 'count', returned: 'returned' },
  ringpipe_map_out: { address: 'address', length: 'size', memory: 'memory', slot: 'slot', token: 'token', capacity: 'capacity', mode: 'mode' },
  ringpipe_wait_in: { which: 'which', seq: 'seq' },
  ringpipe_version: { abiVersion: 'abi_version', pipes: 'pipes', allocations: 'allocations', memory: 'memory', kept: 'kept', charged: 'charged', limit: 'limit' },
};
const mirrors: Record<string, Record<string, number>> = {
  ringpipe_bind_in: abi.BindIn, ringpipe_bind_out: abi.BindOut, ringpipe_name: abi.NameIn, ringpipe_pipe_info: abi.PipeInfo,
  ringpipe_list_in: abi.ListIn, ringpipe_list_header: abi.ListHeader, ringpipe_map_out: abi.MapOut, ringpipe_wait_in: abi.WaitIn, ringpipe_version: abi.Version,
};
const codes: Record<string, string> = {
  bind: 'IOCTL_RINGPIPE_BIND', stat: 'IOCTL_RINGPIPE_STAT', list: 'IOCTL_RINGPIPE_LIST', map: 'IOCTL_RINGPIPE_MAP', unmap: 'IOCTL_RINGPIPE_UNMAP',
  endWrite: 'IOCTL_RINGPIPE_END_WRITE', wait: 'IOCTL_RINGPIPE_WAIT', wake: 'IOCTL_RINGPIPE_WAKE', version: 'IOCTL_RINGPIPE_VERSION',
  remove: 'IOCTL_RINGPIPE_REMOVE',
};

function fromHeader(): Record<string, number> {
  const lines: string[] = [];
  for (const [struct, map] of Object.entries(fields)) {
    lines.push(`printf("${struct}.size %zu\\n", sizeof(struct ${struct}));`);
    for (const [ts, c] of Object.entries(map)) lines.push(`printf("${struct}.${ts} %zu\\n", offsetof(struct ${struct}, ${c}));`);
  }
  for (const [ts, c] of Object.entries(codes)) lines.push(`printf("ioctl.${ts} %u\\n", (unsigned)${c});`);
  for (const c of ['RINGPIPE_ABI_VERSION', 'RINGPIPE_NAME_FIELD', 'RINGPIPE_BIND_CREATE', 'RINGPIPE_BIND_EXCL', 'RINGPIPE_BIND_READ',
    'RINGPIPE_BIND_WRITE', 'RINGPIPE_BIND_WRITER_NOW', 'RINGPIPE_BIND_FOLLOW', 'RINGPIPE_WAKE_DATA', 'RINGPIPE_WAKE_SPACE',
    'RINGPIPE_MEMORY_MDL', 'RINGPIPE_MEMORY_SECTION']) lines.push(`printf("${c} %u\\n", (unsigned)${c});`);
  const src = join(dir, 'abi.c');
  writeFileSync(src, `#include <stddef.h>\n#include <stdio.h>\n#include "${header}"\nint main(void) {\n${lines.join('\n')}\nreturn 0;\n}\n`);
  execFileSync('cc', ['-std=c11', '-Wall', '-Werror', '-o', join(dir, 'abi'), src]);
  const out = execFileSync(join(dir, 'abi'), { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => { const [k, v] = l.split(' '); return [k!, Number(v)]; }));
}

describe('Windows driver ABI (src/backends/windows-driver/abi.ts vs driver/include/ringpipe_win_abi.h)', () => {
  const c = fromHeader();

  it('has the same struct sizes and field offsets', () => {
    for (const [struct, map] of Object.entries(fields)) {
      expect(mirrors[struct]!.size, `${struct} size`).toBe(c[`${struct}.size`]);
      for (const ts of Object.keys(map)) expect(mirrors[struct]![ts], `${struct}.${ts}`).toBe(c[`${struct}.${ts}`]);
    }
  });

  it('has the same IOCTL codes and constants', () => {
    for (const ts of Object.keys(codes)) expect(abi.IOCTL[ts as keyof typeof abi.IOCTL], ts).toBe(c[`ioctl.${ts}`]);
    expect(abi.ABI_VERSION).toBe(c.RINGPIPE_ABI_VERSION);
    expect(abi.NAME_FIELD).toBe(c.RINGPIPE_NAME_FIELD);
    expect([abi.BIND.create, abi.BIND.excl, abi.BIND.read, abi.BIND.write, abi.BIND.writerNow, abi.BIND.follow]).toEqual([
      c.RINGPIPE_BIND_CREATE, c.RINGPIPE_BIND_EXCL, c.RINGPIPE_BIND_READ, c.RINGPIPE_BIND_WRITE, c.RINGPIPE_BIND_WRITER_NOW, c.RINGPIPE_BIND_FOLLOW,
    ]);
    expect([abi.WAKE_DATA, abi.WAKE_SPACE, abi.MEMORY_MDL, abi.MEMORY_SECTION]).toEqual([
      c.RINGPIPE_WAKE_DATA, c.RINGPIPE_WAKE_SPACE, c.RINGPIPE_MEMORY_MDL, c.RINGPIPE_MEMORY_SECTION,
    ]);
  });
});
