// The TypeScript mirror of the Linux driver's ABI (src/backends/linux-driver/abi.ts) against the C header itself:
// a tiny C program built from driver/include/ringpipe_linux_abi.h prints every number.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/support/index.js';
import * as abi from '../src/backends/linux-driver/abi.js';

const INCLUDE = fileURLToPath(new URL('../../../driver/include', import.meta.url));

const PROGRAM = `
#include <stddef.h>
#include <stdio.h>
#include "ringpipe_linux_abi.h"
#define N(x) printf("\\"%s\\": %llu,\\n", #x, (unsigned long long)(x))
#define O(s, f) printf("\\"%s.%s\\": %zu,\\n", #s, #f, offsetof(struct s, f))
int main(void) {
  printf("{\\n");
  N(RINGPIPE_ABI_VERSION); N(RINGPIPE_NAME_MAX);
  N(RINGPIPE_BIND_CREATE); N(RINGPIPE_BIND_EXCL); N(RINGPIPE_BIND_FOLLOW);
  N(RINGPIPE_MODE_ANY); N(RINGPIPE_MODE_MESSAGE); N(RINGPIPE_MODE_BYTE);
  N(RINGPIPE_RECV_EOF); N(RINGPIPE_INFO_KEPT); N(RINGPIPE_USAGE_SELF);
  N(RINGPIPE_ROLE_WRITE_BEGIN); N(RINGPIPE_ROLE_WRITE_END); N(RINGPIPE_ROLE_READ_BEGIN); N(RINGPIPE_ROLE_READ_END);
  N(RINGPIPE_WAKE_DATA); N(RINGPIPE_WAKE_SPACE);
  N(RINGPIPE_IOC_VERSION); N(RINGPIPE_IOC_BIND); N(RINGPIPE_IOC_STAT); N(RINGPIPE_IOC_LIST);
  N(RINGPIPE_IOC_ROLE); N(RINGPIPE_IOC_WAKE); N(RINGPIPE_IOC_WANT); N(RINGPIPE_IOC_RECV);
  N(RINGPIPE_IOC_REMOVE); N(RINGPIPE_IOC_USAGE);
  N(sizeof(struct ringpipe_bind));
  O(ringpipe_bind, name); O(ringpipe_bind, name_len); O(ringpipe_bind, flags); O(ringpipe_bind, perm);
  O(ringpipe_bind, capacity); O(ringpipe_bind, mode); O(ringpipe_bind, slot); O(ringpipe_bind, token);
  O(ringpipe_bind, max_record); O(ringpipe_bind, created); O(ringpipe_bind, owner_uid); O(ringpipe_bind, ttl_ms);
  N(sizeof(struct ringpipe_info));
  O(ringpipe_info, name); O(ringpipe_info, uid); O(ringpipe_info, perm); O(ringpipe_info, refs);
  O(ringpipe_info, capacity); O(ringpipe_info, mode); O(ringpipe_info, used); O(ringpipe_info, attached);
  O(ringpipe_info, readers); O(ringpipe_info, writers); O(ringpipe_info, writers_ever);
  O(ringpipe_info, abandoned); O(ringpipe_info, corrupt); O(ringpipe_info, msgs_in);
  O(ringpipe_info, bytes_in); O(ringpipe_info, msgs_out); O(ringpipe_info, bytes_out);
  O(ringpipe_info, flags); O(ringpipe_info, unread_msgs); O(ringpipe_info, unread_bytes);
  O(ringpipe_info, kept_since_ms); O(ringpipe_info, ttl_ms);
  N(sizeof(struct ringpipe_stat)); O(ringpipe_stat, name); O(ringpipe_stat, name_len); O(ringpipe_stat, info);
  N(sizeof(struct ringpipe_list)); O(ringpipe_list, entries); O(ringpipe_list, max); O(ringpipe_list, count); O(ringpipe_list, entry_size);
  N(sizeof(struct ringpipe_remove)); O(ringpipe_remove, name); O(ringpipe_remove, name_len);
  N(sizeof(struct ringpipe_usage)); O(ringpipe_usage, uid); O(ringpipe_usage, pipes); O(ringpipe_usage, bytes);
  N(sizeof(struct ringpipe_recv)); O(ringpipe_recv, buf); O(ringpipe_recv, size); O(ringpipe_recv, len);
  O(ringpipe_recv, flags);
  printf("\\"end\\": 0}\\n");
  return 0;
}
`;

let dir: string;
let c: Record<string, number>;

beforeAll(() => {
  dir = tempDir('abi');
  writeFileSync(join(dir, 'abi.c'), PROGRAM);
  execFileSync('cc', ['-std=c11', '-Wall', '-Werror', '-I', INCLUDE, '-o', join(dir, 'abi'), join(dir, 'abi.c')]);
  c = JSON.parse(execFileSync(join(dir, 'abi'), { encoding: 'utf8' }));
});

describe('src/backends/linux-driver/abi.ts matches driver/include/ringpipe_linux_abi.h', () => {
  it('constants', () => {
    expect(abi.ABI_VERSION).toBe(c.RINGPIPE_ABI_VERSION);
    expect(abi.NAME_MAX).toBe(c.RINGPIPE_NAME_MAX);
    expect([abi.BIND_CREATE, abi.BIND_EXCL, abi.BIND_FOLLOW]).toEqual([
      c.RINGPIPE_BIND_CREATE,
      c.RINGPIPE_BIND_EXCL,
      c.RINGPIPE_BIND_FOLLOW,
    ]);
    expect([abi.MODE_ANY, abi.MODE_MESSAGE, abi.MODE_BYTE]).toEqual([
      c.RINGPIPE_MODE_ANY,
      c.RINGPIPE_MODE_MESSAGE,
      c.RINGPIPE_MODE_BYTE,
    ]);
    expect(abi.RECV_EOF).toBe(c.RINGPIPE_RECV_EOF);
    expect(abi.INFO_KEPT).toBe(c.RINGPIPE_INFO_KEPT);
    expect(abi.USAGE_SELF).toBe(c.RINGPIPE_USAGE_SELF);
    expect([abi.ROLE_WRITE_BEGIN, abi.ROLE_WRITE_END, abi.ROLE_READ_BEGIN, abi.ROLE_READ_END]).toEqual([
      c.RINGPIPE_ROLE_WRITE_BEGIN,
      c.RINGPIPE_ROLE_WRITE_END,
      c.RINGPIPE_ROLE_READ_BEGIN,
      c.RINGPIPE_ROLE_READ_END,
    ]);
    expect([abi.WAKE_DATA, abi.WAKE_SPACE]).toEqual([c.RINGPIPE_WAKE_DATA, c.RINGPIPE_WAKE_SPACE]);
  });

  it.each(Object.keys(abi.Ioctl) as Array<keyof typeof abi.Ioctl>)('ioctl number %s', (name) => {
    expect(abi.Ioctl[name]).toBe(c[`RINGPIPE_IOC_${name}`]);
  });

  const structs = [
    ['ringpipe_bind', abi.Bind, { nameLen: 'name_len', maxRecord: 'max_record', ownerUid: 'owner_uid', ttlMs: 'ttl_ms' }],
    [
      'ringpipe_info',
      abi.Info,
      {
        writersEver: 'writers_ever',
        msgsIn: 'msgs_in',
        bytesIn: 'bytes_in',
        msgsOut: 'msgs_out',
        bytesOut: 'bytes_out',
        unreadMsgs: 'unread_msgs',
        unreadBytes: 'unread_bytes',
        keptSinceMs: 'kept_since_ms',
        ttlMs: 'ttl_ms',
      },
    ],
    ['ringpipe_stat', abi.Stat, { nameLen: 'name_len' }],
    ['ringpipe_list', abi.List, { entrySize: 'entry_size' }],
    ['ringpipe_remove', abi.Remove, { nameLen: 'name_len' }],
    ['ringpipe_usage', abi.Usage, {}],
    ['ringpipe_recv', abi.Recv, { bufSize: 'size' }],
  ] as const;

  it.each(structs)('struct %s: size and every field offset', (struct, layout, cNames) => {
    for (const [field, offset] of Object.entries(layout)) {
      const key = field === 'size' ? `sizeof(struct ${struct})` : `${struct}.${(cNames as Record<string, string>)[field] ?? field}`;
      expect(c[key], key).toBeDefined();
      expect(offset, key).toBe(c[key]);
    }
  });
});
