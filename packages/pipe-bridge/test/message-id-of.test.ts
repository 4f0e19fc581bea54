import { afterAll, describe, expect, it } from 'vitest';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { messageIdOf } from '../src/message-id-of.js';
import { freePort, NatsServer, skipReason } from './helpers/nats-server.js';

const reason = skipReason();
if (reason) console.warn(`SKIPPED messageIdOf against a real server: ${reason}`);

describe.skipIf(reason !== undefined)("--from's message id, found in the header bytes", () => {
  let server: NatsServer | undefined;
  afterAll(async () => server?.kill9());

  it('is what the client decodes, whatever the headers around it, and is found without asking the client to decode them', async () => {
    server = new NatsServer(await freePort());
    await server.start();
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'IDS', subjects: ['ids'] });
      await jsm.consumers.add('IDS', { durable_name: 'c', ack_policy: AckPolicy.Explicit });
      const js = jetstream(nc);
      const cases: Array<Array<[string, string]>> = [
        [],
        [['Other', 'x']],
        [['Other', 'Nats-Msg-Id: not this']],
        [['nats-msg-id', 'other case']],
        [['X-Nats-Msg-Id', 'a suffix']],
        [['Other', 'y'], ['Nats-Msg-Id', 'after another']],
        [['Nats-Msg-Id', 'ünïcode ✓']],
      ];
      await js.publish('ids', 'no headers at all');
      for (const [i, extra] of cases.entries()) {
        const h = natsHeaders();
        for (const [k, v] of extra) h.append(k, v);
        await js.publish('ids', `case ${i}`, { headers: h, msgID: `id-${i}` });
        await js.publish('ids', `case ${i} without an id`, { headers: h });
      }
      const consumer = await js.consumers.get('IDS', 'c');
      const seen: Array<string | undefined> = [];
      // publish() adds the id to the headers it is given: the second of a case may carry it, and be dropped as a duplicate.
      const stored = (await jsm.streams.info('IDS')).state.messages;
      for (let n = 0; n < stored; n++) {
        const m = (await consumer.next({ expires: 5_000 })) as JsMsg;
        // What the fast path reads: were it gone, messageIdOf would still be right, but slow.
        expect((m as unknown as { msg: { _rdata: unknown; _msg: { hdr: unknown } } }).msg._rdata).toBeInstanceOf(Uint8Array);
        const expected = m.headers?.get('Nats-Msg-Id') || undefined;
        const decoded = (m as unknown as { msg: { _headers?: unknown } }).msg;
        delete decoded._headers;
        expect(messageIdOf(m)).toBe(expected);
        seen.push(messageIdOf(m));
        m.ack();
      }
      expect(seen).toEqual(expect.arrayContaining([undefined, ...cases.map((_, i) => `id-${i}`)]));
    } finally {
      await nc.close();
    }
  }, 30_000);
});
