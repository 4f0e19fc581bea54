import { createHash } from 'node:crypto';

export interface Tally {
  received: number;
  unique: number;
  lost: number;
  duplicates: number;
  corrupt: number;
  /** Writers whose first deliveries of each message were not in the order written. */
  outOfOrder: string[];
}

/** Counts what a reader printed against `perWriter` messages from each of `writers`. */
export function tally(output: string, writers: string[], perWriter: number): Tally {
  const lines = output.split('\n').filter((l) => l !== '');
  const seen = new Map<string, number[]>(writers.map((w) => [w, []]));
  const firsts = new Set<string>();
  let corrupt = 0;
  for (const line of lines) {
    const parts = line.split(' ');
    const sum = parts.pop()!;
    const body = parts.join(' ');
    const [writer, seqText] = parts;
    if (createHash('sha1').update(body).digest('hex').slice(0, 12) !== sum || !seen.has(writer!)) {
      corrupt++;
      continue;
    }
    const key = `${writer} ${seqText}`;
    if (firsts.has(key)) continue;
    firsts.add(key);
    seen.get(writer!)!.push(Number(seqText));
  }
  const outOfOrder = [...seen].filter(([, seqs]) => seqs.some((s, i) => i > 0 && s <= seqs[i - 1]!)).map(([w]) => w);
  const unique = firsts.size;
  return { received: lines.length, unique, lost: writers.length * perWriter - unique, duplicates: lines.length - corrupt - unique, corrupt, outOfOrder };
}
