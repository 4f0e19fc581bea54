import { Transform, type TransformCallback } from 'node:stream';

/**
 * Splits a byte stream into lines without decoding it: each line's bytes pass
 * unchanged, without their "\n" (or "\r\n"). A last line without "\n" counts too.
 */
export function byteLines(): Transform {
  let rest = Buffer.alloc(0);
  const strip = (line: Buffer): Buffer => (line.at(-1) === 0x0d ? line.subarray(0, -1) : line);
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a)) {
        this.push(strip(data.subarray(0, end)));
        data = data.subarray(end + 1);
      }
      rest = Buffer.from(data);
      callback();
    },
    flush(callback: TransformCallback) {
      if (rest.length > 0) this.push(strip(rest));
      callback();
    },
  });
}
