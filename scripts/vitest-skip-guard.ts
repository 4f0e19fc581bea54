// A vitest reporter: with RINGPIPE_NO_SKIPS=1 (scripts/test.sh sets it), a test that skipped fails
// the run unless RINGPIPE_ALLOW_SKIP names it, one `part of its file and name: why` per line. A
// suite that cannot run on a CI machine (no nats-server, no unshare, not root) must not pass quietly.
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

interface Allowance {
  match: string;
  why: string;
}

function allowances(text: string | undefined): Allowance[] {
  return (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const colon = line.indexOf(': ');
      if (colon <= 0) throw new Error(`RINGPIPE_ALLOW_SKIP: "${line}" is not "part of a test's file and name: why it may skip"`);
      return { match: line.slice(0, colon), why: line.slice(colon + 2) };
    });
}

export default class SkipGuard implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env.RINGPIPE_NO_SKIPS !== '1') return;
    const allowed = allowances(process.env.RINGPIPE_ALLOW_SKIP);
    const refused: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const name = `${relative(process.cwd(), module.moduleId)} > ${test.fullName}`;
        const allowance = allowed.find((a) => name.includes(a.match));
        if (allowance) console.log(`skipped, allowed (${allowance.why}): ${name}`);
        else refused.push(name);
      }
    }
    if (refused.length === 0) return;
    console.error(`${refused.length} tests skipped that RINGPIPE_ALLOW_SKIP does not allow (RINGPIPE_NO_SKIPS=1):\n  ${refused.join('\n  ')}`);
    process.exitCode = 1;
  }
}
