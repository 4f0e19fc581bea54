// Bad options are ERR_RINGPIPE_BAD_OPTION naming the field; an absent driver is ERR_RINGPIPE_BACKEND_UNAVAILABLE.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName } from '../../../tests/support/index.js';
import { createPipe, ErrorCode, RingPipeError } from '../src/index.js';
import { killPeersAndClose, openPair } from './helpers/pipes.js';

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

describe('the options of one call', () => {
  afterEach(killPeersAndClose);

  it('are checked whether given or not: a bad one rejects the call naming the field, undefined and null are none', async () => {
    const { reader, writer } = openPair(uniqueName('CALLOPTS'));
    const bad = [{ colour: 'red' }, { signal: 'stop' }] as never[];
    for (const options of bad) {
      await expect(writer.writeInPlace(2, (view) => view.write('no'), options)).rejects.toMatchObject({ code: ErrorCode.BadOption });
      await expect(reader.readInto(Buffer.alloc(8), options)).rejects.toMatchObject({ code: ErrorCode.BadOption });
      await expect(reader.readBatch(8, options)).rejects.toMatchObject({ code: ErrorCode.BadOption });
      await expect(reader.readView(options)).rejects.toMatchObject({ code: ErrorCode.BadOption, message: expect.stringMatching(/"(colour|signal)"/) });
    }
    await writer.writeInPlace(2, (view) => view.write('ok'), undefined);
    await writer.writeInPlace(2, (view) => view.write('ok'), null as never);
    const target = Buffer.alloc(8);
    expect(await reader.readInto(target, undefined)).toBe(2);
    expect(await reader.readInto(target, null as never)).toBe(2);
    expect(String(target.subarray(0, 2))).toBe('ok');
  });
});
