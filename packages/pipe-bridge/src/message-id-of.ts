import type { JsMsg } from '@nats-io/jetstream';

/** `\r\nNats-Msg-Id:`: the header's key where a line starts. */
const KEY = [13, 10, ...Buffer.from('Nats-Msg-Id:')];
const utf8 = new TextDecoder();

/** Where the NATS client keeps a message's bytes: `_rdata` starts with the `hdr` header bytes (-1: none). */
interface RawMessage {
  _msg?: { hdr?: unknown };
  _rdata?: unknown;
}

/**
 * A message's `Nats-Msg-Id`, as `m.headers.get('Nats-Msg-Id')` (the first one, trimmed; undefined when
 * absent or empty), found in the header bytes without decoding them all (the full decode was a tenth
 * of `--from`'s work at 64 B). A client whose message does not hold its bytes as expected is asked the
 * usual way.
 */
export function messageIdOf(m: JsMsg): string | undefined {
  const raw = (m as unknown as { msg?: RawMessage }).msg;
  const hdr = raw?._msg?.hdr;
  const data = raw?._rdata;
  if (typeof hdr !== 'number' || !(data instanceof Uint8Array) || hdr > data.length) return m.headers?.get('Nats-Msg-Id') || undefined;
  const start = valueAt(data, hdr);
  if (start < 0) return undefined;
  let end = start;
  let ascii = true;
  while (end < hdr && !(data[end] === 13 && data[end + 1] === 10)) ascii &&= data[end++]! < 0x80;
  const value = data.subarray(start, end);
  return (ascii ? String.fromCharCode.apply(null, value as unknown as number[]) : utf8.decode(value)).trim() || undefined;
}

/** Where the first `Nats-Msg-Id` value starts in the first `length` bytes; -1: no such header. */
function valueAt(data: Uint8Array, length: number): number {
  const last = length - KEY.length;
  outer: for (let i = 0; i <= last; i++) {
    if (data[i] !== 13) continue;
    for (let k = 1; k < KEY.length; k++) if (data[i + k] !== KEY[k]) continue outer;
    return i + KEY.length;
  }
  return -1;
}
