import type { PipeInfo } from '@ringpipe/client';
import type { BridgeStatus } from '@ringpipe/bridge/status';

export type ListedPipe = PipeInfo & { bridges: BridgeStatus[] };

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

const BRIDGE_COLUMNS: Array<[string, (b: BridgeStatus) => string]> = [
  ['BRIDGE', (b) => b.name],
  ['DIRECTION', (b) => b.direction],
  ['SERVER', (b) => b.server],
  ['STATE', (b) => b.state],
  ['LAG', (b) => String(b.lag)],
  ['MESSAGES', (b) => String(b.messages)],
  ['PID', (b) => String(b.pid)],
];

/** Each pipe with the bridges running on it (a shared-memory pipe's bridges, a driver pipe's, by name). */
export function withBridges(pipes: PipeInfo[], bridges: BridgeStatus[]): ListedPipe[] {
  return pipes.map((p) => ({ ...p, bridges: bridges.filter((b) => b.name === p.name) }));
}

export function pipeTable(pipes: PipeInfo[]): string {
  return table(COLUMNS, pipes);
}

export function bridgeTable(bridges: BridgeStatus[]): string {
  return table(BRIDGE_COLUMNS, bridges);
}

function table<T>(columns: Array<[string, (row: T) => string]>, items: T[]): string {
  const rows = [columns.map(([title]) => title), ...items.map((item) => columns.map(([, cell]) => cell(item)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
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
