import { rmSync } from 'node:fs';
import { canonicalName, listPipes, removePipe, statPipe } from '@ringpipe/client';
import { runningBridges } from '../bridge-package.js';
import { bridgeTable, pipeDetails, pipeTable, withBridges } from '../output.js';

export function lsCommand(flags: { json?: boolean }): void {
  const pipes = withBridges(listPipes(), runningBridges());
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(pipes)}\n`);
    return;
  }
  const bridges = pipes.flatMap((p) => p.bridges);
  process.stdout.write(pipeTable(pipes) + (bridges.length > 0 ? `\n${bridgeTable(bridges)}` : ''));
}

export function statCommand(name: string, flags: { json?: boolean }): void {
  const info = statPipe(name);
  process.stdout.write(flags.json ? `${JSON.stringify(info)}\n` : pipeDetails(info));
}

export function rmCommand(name: string, flags: { backend: 'auto' | 'shm' | 'driver'; owner?: number | string }): void {
  removePipe(name, { backend: flags.backend, ...(flags.owner !== undefined ? { owner: flags.owner } : {}) });
  // The anchor of the ids a `--to` bridge gave the pipe's messages (@ringpipe/bridge, to-anchor.ts): no later pipe uses it.
  try {
    if (process.platform === 'linux') rmSync(`/dev/shm/ringpipe-to-anchor.${canonicalName(name)}`, { force: true });
  } catch {
    // another user's bridge wrote it: it names the removed pipe, which no later pipe takes for its own
  }
}
