import { MAX_CAPACITY, MIN_CAPACITY } from '@ringpipe/client';
import { UsageError } from './exit-codes.js';

// Parsers of option values for commander: each names its flag in its error, in our words.

type Parser<T> = (value: string) => T;

/** K, M, G and KiB, MiB, GiB are powers of 1024; KB, MB, GB powers of 1000 (as GNU coreutils reads them). */
const UNITS: Record<string, number> = {
  '': 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  kb: 1e3,
  m: 2 ** 20,
  mib: 2 ** 20,
  mb: 1e6,
  g: 2 ** 30,
  gib: 2 ** 30,
  gb: 1e9,
};

/** A byte count with an optional unit: 4096, 4k, 64KiB, 1M, 1MiB, 2G. */
export function size(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (value) => {
    const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
    const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
    if (!match || unit === undefined) throw new UsageError(`${flag}: expected a size such as 4096, 64k, 1M or 1MiB (got "${value}")`);
    const bytes = Number(match[1]) * unit;
    if (!Number.isSafeInteger(bytes) || bytes < min || bytes > max) {
      throw new UsageError(`${flag}: ${value} is ${bytes} bytes; expected ${range(min, max, bytesText)}`);
    }
    return bytes;
  };
}

/** The ring size of a pipe the command creates. */
export const capacity = size('--capacity', MIN_CAPACITY, MAX_CAPACITY);

export function integer(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      const what = min === 1 && max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer ${range(min, max, String)}`;
      throw new UsageError(`${flag}: expected ${what} (got "${value}")`);
    }
    return n;
  };
}

export function octal(flag: string): Parser<number> {
  return (value) => {
    if (!/^0?[0-7]{1,3}$/.test(value)) throw new UsageError(`${flag}: expected octal permission bits such as 600 or 0660 (got "${value}")`);
    return parseInt(value, 8);
  };
}

/** A user name, or a uid. */
export function owner(flag: string): Parser<number | string> {
  return (value) => {
    if (/^\d+$/.test(value)) return integer(flag, 0, 0xfffffffe)(value);
    if (!/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/.test(value)) throw new UsageError(`${flag}: expected a user name or a uid (got "${value}")`);
    return value;
  };
}

export function choice<T extends string>(flag: string, choices: readonly T[]): Parser<T> {
  return (value) => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new UsageError(`${flag}: expected ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)} (got "${value}")`);
  };
}

function range(min: number, max: number, show: (n: number) => string): string {
  return max === Number.MAX_SAFE_INTEGER ? `at least ${show(min)}` : `${show(min)} to ${show(max)}`;
}

function bytesText(n: number): string {
  for (const [unit, factor] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= factor && n % factor === 0) return `${n / factor} ${unit}`;
  }
  return `${n} bytes`;
}
