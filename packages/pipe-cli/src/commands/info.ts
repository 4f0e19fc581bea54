import { listPipes, removePipe, statPipe } from '@ringpipe/client';
import { forgetBridgedPipe, runningBridges } from '../bridge-package.js';
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
  forgetBridgedPipe(name);
}
