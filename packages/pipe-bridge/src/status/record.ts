import { tmpdir } from 'node:os';

/** What a running bridge says about itself, in its status file, for `ringpipe ls`. */
export interface BridgeStatus {
  /** The pipe's canonical name. */
  name: string;
  direction: 'to' | 'from';
  /** The JetStream stream. */
  stream: string;
  /** The server it is connected to, else the servers it tries: host:port, never credentials. */
  server: string;
  /** `retrying`: the last attempt (connect, set-up, publish) failed and none has succeeded since. */
  state: 'connecting' | 'running' | 'retrying' | 'draining';
  /** Why it is retrying, in state `retrying`. */
  retry?: string;
  /** See BridgeHandle.lag. */
  lag: number;
  /** Messages moved per second over the last status interval (about a second). */
  rate: number;
  messages: number;
  duplicates: number;
  /** The bridge's process. */
  pid: number;
}

/** What the file holds: the status and what tells whether its process still lives. */
export interface StatusRecord extends BridgeStatus {
  version: 1;
  /** Linux: the process's start time (clock ticks after boot) and PID namespace, so a reused pid is not taken for it. */
  started?: string;
  pidNamespace?: string;
}

/** /dev/shm on Linux (cleared at boot, like the pipes); elsewhere the temporary directory, which is the user's own on Windows. */
export const STATUS_DIR = process.platform === 'linux' ? '/dev/shm' : tmpdir();
const PREFIX = 'ringpipe-bridge.';
/** A status file is small; anything larger is not one. */
export const STATUS_MAX_BYTES = 16_384;

export function statusFileName(name: string, pid: number, serial: number): string {
  return `${PREFIX}${name}.${pid}.${serial}.json`;
}

/** The name and pid a status file's name claims, or undefined for any other file. */
export function parseStatusFileName(file: string): { name: string; pid: number } | undefined {
  const match = /^ringpipe-bridge\.([A-Z0-9_-]{1,64})\.([1-9]\d{0,9})\.\d{1,9}\.json$/.exec(file);
  return match ? { name: match[1]!, pid: Number(match[2]) } : undefined;
}

const STATES: ReadonlySet<string> = new Set(['connecting', 'running', 'retrying', 'draining']);
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
/** Printable ASCII, bounded: what a record may show on a terminal. */
const text = (v: unknown, max = 512): v is string => typeof v === 'string' && v.length <= max && /^[\x20-\x7e]*$/.test(v);

/** The record in `json`, if it is a well-formed one for the pipe and pid its file name claims; else undefined. */
export function parseStatusRecord(json: string, claimed: { name: string; pid: number }): StatusRecord | undefined {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof r !== 'object' || r === null) return undefined;
  const ok =
    r.version === 1 &&
    r.name === claimed.name &&
    r.pid === claimed.pid &&
    (r.direction === 'to' || r.direction === 'from') &&
    text(r.stream, 128) &&
    text(r.server) &&
    typeof r.state === 'string' &&
    STATES.has(r.state) &&
    (r.retry === undefined || text(r.retry)) &&
    count(r.lag) &&
    count(r.rate) &&
    count(r.messages) &&
    count(r.duplicates) &&
    (r.started === undefined || text(r.started, 32)) &&
    (r.pidNamespace === undefined || text(r.pidNamespace, 64));
  return ok ? (r as unknown as StatusRecord) : undefined;
}
