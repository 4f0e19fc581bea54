import type { PipeInfo } from '@ringpipe/client';

const COLUMNS: Array<[string, (p: PipeInfo) => string]> = [
  ['NAME', (p) => p.name],
  ['BACKEND', (p) => p.backend],
  ['MODE', (p) => p.mode],
  ['CAPACITY', (p) => String(p.capacity)],
  ['USED', (p) => String(p.usedBytes)],
  ['READERS', (p) => String(p.readers)],
  ['WRITERS', (p) => String(p.writers)],
  ['HANDLES', (p) => String(p.handles)],
  ['MSGS IN', (p) => String(p.messagesIn)],
  ['MSGS OUT', (p) => String(p.messagesOut)],
];

export function pipeTable(pipes: PipeInfo[]): string {
  const rows = [COLUMNS.map(([title]) => title), ...pipes.map((p) => COLUMNS.map(([, cell]) => cell(p)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export function pipeDetails(p: PipeInfo): string {
  const lines: Array<[string, string | number]> = [
    ['name', p.name],
    ['backend', p.backend],
    ['mode', p.mode],
    ['capacity', p.capacity],
    ['used bytes', p.usedBytes],
    ['handles', p.handles],
    ['readers', p.readers],
    ['writers', p.writers],
    ['writers ever', p.writersEver],
    ['messages in', p.messagesIn],
    ['bytes in', p.bytesIn],
    ['messages out', p.messagesOut],
    ['bytes out', p.bytesOut],
    ['abandoned', p.abandoned],
  ];
  return lines.map(([key, value]) => `${(key + ':').padEnd(14)}${value}`).join('\n') + '\n';
}
