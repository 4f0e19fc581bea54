import { listPipes, statPipe } from '@ringpipe/client';
import { pipeDetails, pipeTable } from '../output.js';

export function lsCommand(flags: { json?: boolean }): void {
  const pipes = listPipes();
  process.stdout.write(flags.json ? `${JSON.stringify(pipes)}\n` : pipeTable(pipes));
}

export function statCommand(name: string, flags: { json?: boolean }): void {
  const info = statPipe(name);
  process.stdout.write(flags.json ? `${JSON.stringify(info)}\n` : pipeDetails(info));
}
