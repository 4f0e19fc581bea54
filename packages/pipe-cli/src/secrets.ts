import { readFileSync } from 'node:fs';
import { UsageError } from './exit-codes.js';

/**
 * A secret from the file a flag names (its first line), else from an environment variable:
 * never from the command line, which every user of the machine sees in `ps`.
 */
export function secret(file: string | undefined, fileFlag: string, variable: string): string | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`${fileFlag}: cannot read ${file}: ${(err as Error).message}`);
    }
    return text.split(/\r?\n/, 1)[0]!;
  }
  const value = process.env[variable];
  return value === undefined || value === '' ? undefined : value;
}

/** The error for a secret given on the command line (`what`: the flag, or where in the command line). */
export function secretOnCommandLine(what: string, fileFlag: string, variable: string): UsageError {
  return new UsageError(`${what} is not taken on the command line, where other users see it (ps): set ${variable}, or give a file with ${fileFlag}`);
}
