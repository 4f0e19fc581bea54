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
  ['UNREAD', (p) => String(p.unreadMessages)],
  ['UNREAD BYTES', (p) => String(p.unreadBytes)],
  ['KEPT FOR', (p) => (p.kept ? keptFor(p.keptSince) : '-')],
];

/** How long a kept pipe has waited for a reader, as 45s, 12m, 3h or 2d ('?' before a lister stamped it). */
function keptFor(since: number | undefined, now = Date.now()): string {
  if (since === undefined) return '?';
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  return s < 172_800 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86_400)}d`;
}

/** Control characters (C0, DEL, C1) as \xHH: a name or a field from another user never reaches the terminal raw. */
export function escapeControls(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const BRIDGE_COLUMNS: Array<[string, (b: BridgeStatus) => string]> = [
  ['BRIDGE', (b) => b.name],
  ['DIRECTION', (b) => b.direction],
  ['SERVER', (b) => b.server],
  ['STATE', (b) => b.state],
  ['LAG', (b) => String(b.lag)],
  ['RATE', (b) => String(b.rate)],
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
  const rows = [columns.map(([title]) => title), ...items.map((item) => columns.map(([, cell]) => escapeControls(cell(item))))];
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
    ['kept', p.kept ? `yes, for ${keptFor(p.keptSince)}` : 'no'],
    ['unread', p.unreadMessages],
    ['unread bytes', p.unreadBytes],
    ['ttl', p.ttl === undefined ? 'none' : `${p.ttl} ms`],
  ];
  return lines.map(([key, value]) => `${(key + ':').padEnd(14)}${escapeControls(String(value))}`).join('\n') + '\n';
}
