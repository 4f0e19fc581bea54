import { describe, expect, it } from 'vitest';
import { sddlFor } from '../src/platform/windows/security.js';
import { ringBase } from '../src/backends/windows-shm/name-page.js';

// What the shm backend's descriptors grant, read as SDDL (the objects themselves are
// checked under Wine, driver/windows/test/security-wine.mjs).

const USER = 'S-1-5-21-1-2-3-1001';

describe('sddlFor', () => {
  it('grants Authenticated Users the section when the pipe is shared', () => {
    expect(sddlFor('section', 0o666, USER)).toBe(`O:${USER}D:P(A;;0xf001f;;;${USER})(A;;0xf001f;;;SY)(A;;0x20007;;;AU)`);
    expect(sddlFor('section', 0o600, USER)).toBe(`O:${USER}D:P(A;;0xf001f;;;${USER})(A;;0xf001f;;;SY)`);
  });

  it('keeps the kept files and their folder owner-only, whatever the permissions', () => {
    for (const permissions of [0o600, 0o644, 0o666]) {
      expect(sddlFor('file', permissions, USER)).toBe(`O:${USER}D:P(A;;0x1f01ff;;;${USER})(A;;0x1f01ff;;;SY)`);
    }
  });
});

describe('ringBase', () => {
  it("names an incarnation's objects with its generation, 16 hex digits after #g", () => {
    expect(ringBase('Local\\ringpipe.A', 0x1an)).toBe('Local\\ringpipe.A#g000000000000001a');
    expect(ringBase('Local\\ringpipe.A', 0xffffffffffffffffn)).toBe('Local\\ringpipe.A#gffffffffffffffff');
  });
});
