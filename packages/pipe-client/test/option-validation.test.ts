// Bad options are ERR_RINGPIPE_BAD_OPTION naming the field; an absent driver is ERR_RINGPIPE_BACKEND_UNAVAILABLE.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPipe, ErrorCode, RingPipeError } from '../src/index.js';

describe('options', () => {
  it.each([
    ['mode', { mode: 'stream' }],
    ['capacity', { capacity: 100 }],
    ['capacity', { capacity: 2 ** 31 }],
    ['capacity', { capacity: 4096.5 }],
    ['backend', { backend: 'tcp' }],
    ['access', { access: 'append' }],
    ['permissions', { permissions: 0o1777 }],
    ['follow', { follow: 'yes' }],
    ['colour', { colour: 'red' }],
  ])('name the bad field %s', (field, options) => {
    try {
      createPipe('OPTS', options as never);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RingPipeError);
      expect((err as RingPipeError).code).toBe(ErrorCode.BadOption);
      expect((err as Error).message).toContain(`"${field}"`);
    }
  });

  it.skipIf(existsSync('/dev/ringpipe'))('reports the driver backend as unavailable when /dev/ringpipe is missing', () => {
    try {
      createPipe('DRV', { backend: 'driver' });
      expect.unreachable();
    } catch (err) {
      expect((err as RingPipeError).code).toBe(ErrorCode.BackendUnavailable);
      expect((err as Error).message).toMatch(/\/dev\/ringpipe does not exist/);
      expect((err as Error).message).toMatch(/ringpipe\.ko/);
    }
  });
});
