// A client process for the guest tests. The transport comes from RINGPIPE_DRIVER_IO (mapped or syscall).
//   peer.mjs write NAME ID COUNT [wait] sends "ID:i" for i < COUNT, then ends; prints {"written":COUNT};
//                                       with "wait": opens, prints "ready", writes after a stdin line
//   peer.mjs flood NAME ID              sends "ID:i" until killed; prints "ready" after the first 100
//   peer.mjs read NAME [wait]           with "wait": opens, prints "ready", reads only after a stdin line;
//                                       reads until EOF and prints {"messages":[...]}
//   peer.mjs try NAME ACCESS [PERMS]    opens (ACCESS read|write|readwrite, creating with PERMS octal),
//                                       prints {"ok":true,"io":...} or {"ok":false,"code":...}, then
//                                       keeps it open until stdin closes (RP_WRITE: writes that message first)
// RP_OWNER=uid trusts that uid's existing pipes (the owner option); RP_PERMS sets permissions.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createPipe } from '@ringpipe/client';

const [cmd, name, ...rest] = process.argv.slice(2);
const perms = () => parseInt(process.env.RP_PERMS ?? '600', 8);
/** RP_OWNER: the uid whose existing pipe this peer trusts besides its own and root's (option owner). */
const owner = process.env.RP_OWNER ? Number(process.env.RP_OWNER) : undefined;
/** Whether this process maps a /dev/ringpipe ring (the mapped transport) rather than using system calls. */
const mapped = () => readFileSync('/proc/self/maps', 'latin1').includes('/dev/ringpipe');
const out = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function send(pipe, id, count) {
  for (let i = 0; count === undefined || i < count; i++) {
    if (!pipe.write(`${id}:${i}`)) await once(pipe, 'drain');
    if (i === 99 && count === undefined) process.stdout.write('ready\n');
  }
}

if (cmd === 'write') {
  const [id, count, wait] = rest;
  const pipe = createPipe(name, { backend: 'driver', access: 'write', permissions: perms(), owner });
  if (wait === 'wait') {
    process.stdout.write('ready\n');
    await once(process.stdin, 'data');
  }
  await send(pipe, id, Number(count));
  pipe.end();
  await once(pipe, 'finish');
  out({ written: Number(count) });
  process.exit(0); // stdin may still be open
} else if (cmd === 'flood') {
  const pipe = createPipe(name, { backend: 'driver', access: 'write', owner });
  await send(pipe, rest[0], undefined);
} else if (cmd === 'read') {
  const pipe = createPipe(name, { backend: 'driver', access: 'read', capacity: 4096, permissions: perms(), owner });
  if (rest[0] === 'wait') {
    process.stdout.write('ready\n');
    await once(process.stdin, 'data');
  }
  const messages = [];
  const wasMapped = mapped();
  for await (const message of pipe) messages.push(message.toString());
  out({ messages, mapped: wasMapped });
  process.exit(0);
} else if (cmd === 'try') {
  const [access, perms] = rest;
  try {
    const pipe = createPipe(name, { backend: 'driver', access, permissions: perms ? parseInt(perms, 8) : 0o600, owner });
    if (access !== 'read' && process.env.RP_WRITE) pipe.write(process.env.RP_WRITE);
    out({ ok: true, backend: pipe.backend, mapped: mapped() });
    process.stdin.resume();
    await once(process.stdin, 'end');
    pipe.destroy();
  } catch (err) {
    out({ ok: false, code: err.code, message: err.message });
  }
  process.exit(0);
} else {
  process.stderr.write(`usage: peer.mjs write|flood|read|try NAME ...\n`);
  process.exit(2);
}
