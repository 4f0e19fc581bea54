import { ErrorCode, RingPipeError } from './errors.js';
import { lookupUser } from './users.js';

export const MIN_CAPACITY = 4096;
export const MAX_CAPACITY = 2 ** 30;
export const DEFAULT_CAPACITY = 2 ** 20;

export interface PipeOptions {
  /** 'message' keeps write boundaries; 'byte' is a byte stream. Default: the existing pipe's mode, else 'message'. */
  mode?: 'message' | 'byte' | undefined;
  /** Ring size in bytes, rounded up to a power of two. Only the first opener's value counts. */
  capacity?: number | undefined;
  /** Where the ring lives: 'shm' (shared memory), 'driver' (the kernel driver), or 'auto'. */
  backend?: 'auto' | 'shm' | 'driver' | undefined;
  /** Which sides of the Duplex this handle uses. */
  access?: 'read' | 'write' | 'readwrite' | undefined;
  /** Permission bits of a pipe this handle creates (like a file's mode). */
  permissions?: number | undefined;
  /**
   * The low-latency mode: microseconds a waiting handle spins on the ring (blocking its
   * event loop) before it polls and sleeps; trades a core for latency. 0 (default): off.
   */
  spin?: number | undefined;
  /** Keep reading after every writer has left, instead of ending. */
  follow?: boolean | undefined;
  /**
   * Who must own an existing pipe for this handle to join it: a uid or a user name (on
   * Windows: a SID string, S-1-5-21-...). Default: the caller itself (root-owned pipes, on
   * Windows SYSTEM-owned ones, are trusted too). A pipe of anyone else is refused.
   */
  owner?: number | string | undefined;
}

type Checked = Required<Omit<PipeOptions, 'mode' | 'owner'>> & Pick<PipeOptions, 'mode' | 'owner'>;

export type ResolvedOptions = Omit<Checked, 'owner'> & {
  /** The uid an existing pipe must belong to (besides root); undefined: the caller's own. */
  owner: number | undefined;
  /** Windows: the SID an existing pipe's objects must belong to (besides SYSTEM); undefined: the caller's own. */
  ownerSid: string | undefined;
};

/** A field's check: the reason it fails, or undefined when the value is good. */
type Check = (value: unknown) => string | undefined;

const oneOf =
  (...choices: string[]): Check =>
  (value) =>
    choices.includes(value as string) ? undefined : `expected one of ${choices.map((c) => `"${c}"`).join('|')}`;

const integer =
  (min: number, max: number): Check =>
  (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a number, got ${describe(value)}`;
    if (!Number.isInteger(value)) return `expected an integer, got ${value}`;
    if (value < min) return `expected a number >= ${min}, got ${value}`;
    if (value > max) return `expected a number <= ${max}, got ${value}`;
    return undefined;
  };

const USER_NAME = /^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/;

const CHECKS: Record<keyof PipeOptions, Check> = {
  mode: oneOf('message', 'byte'),
  capacity: integer(MIN_CAPACITY, MAX_CAPACITY),
  backend: oneOf('auto', 'shm', 'driver'),
  access: oneOf('read', 'write', 'readwrite'),
  permissions: integer(0, 0o777),
  spin: integer(0, 10_000),
  follow: (value) => (typeof value === 'boolean' ? undefined : `expected a boolean, got ${describe(value)}`),
  owner: (value) => {
    if (typeof value === 'string') return USER_NAME.test(value) ? undefined : `expected a user name (letters, digits, . _ -), got "${value}"`;
    return integer(0, 0xfffffffe)(value) && `expected a uid (an integer from 0 to ${0xfffffffe}) or a user name, got ${describe(value)}`;
  },
};

const DEFAULTS = { capacity: DEFAULT_CAPACITY, backend: 'auto', access: 'readwrite', permissions: 0o600, spin: 0, follow: false } as const;

function describe(value: unknown): string {
  if (value === null || Array.isArray(value)) return value === null ? 'null' : 'an array';
  return typeof value === 'string' ? `"${value}"` : typeof value === 'number' ? String(value) : `a ${typeof value}`;
}

function badOption(field: string, why: string): RingPipeError {
  return new RingPipeError(ErrorCode.BadOption, `invalid option "${field}": ${why}`);
}

/** The options checked field by field (an unset field takes its default); throws BAD_OPTION naming the first bad one. */
function check(options: unknown): Checked {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw badOption('(options)', `expected an object, got ${describe(options)}`);
  const given = options as Record<string, unknown>;
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(CHECKS, key));
  if (unknown.length > 0) throw badOption(unknown.join(','), `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);
  for (const [field, checkField] of Object.entries(CHECKS)) {
    const why = given[field] === undefined ? undefined : checkField(given[field]);
    if (why) throw badOption(field, why);
  }
  const set = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  return { ...DEFAULTS, ...set } as Checked;
}

const SID = /^S-1-\d+(-\d+)+$/;

export function resolveOptions(options: unknown): ResolvedOptions {
  const { owner, ...rest } = check(options ?? {});
  if (process.platform === 'win32') return { ...rest, capacity: nextPowerOfTwo(rest.capacity), owner: undefined, ownerSid: ownerSid(owner) };
  return { ...rest, capacity: nextPowerOfTwo(rest.capacity), owner: ownerUid(owner), ownerSid: undefined };
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

function ownerUid(owner: number | string | undefined): number | undefined {
  if (owner === undefined || typeof owner === 'number') return owner;
  const uid = lookupUser(owner);
  if (uid === undefined) throw new RingPipeError(ErrorCode.BadOption, `invalid option "owner": no user named ${owner}`);
  return uid;
}

function ownerSid(owner: number | string | undefined): string | undefined {
  if (owner === undefined) return undefined;
  if (typeof owner === 'string' && SID.test(owner)) return owner;
  throw new RingPipeError(ErrorCode.BadOption, `invalid option "owner": on Windows, a SID string such as S-1-5-21-...-1001 (got ${String(owner)})`);
}
