// What the waits run at once (src/wait/run-list.ts), the tasks due at the end of an event-loop
// turn (src/wait/turn-end.ts), and the yield of the CPU after a wake (src/wait/cpu-handoff.ts).
import { describe, expect, it } from 'vitest';
import { wokePeer, yieldAfterWake } from '../src/wait/cpu-handoff.js';
import { RunList } from '../src/wait/run-list.js';
import { turnEnd } from '../src/wait/turn-end.js';

describe('RunList', () => {
  it('runs what it holds in order and empties; an item added meanwhile waits for the next run', () => {
    const list = new RunList<string>();
    const ran: string[] = [];
    list.add('a');
    list.add('b');
    list.runAll((item) => {
      ran.push(item);
      if (item === 'a') list.add('c');
    });
    expect(ran).toEqual(['a', 'b']);
    expect(list.size).toBe(1);
    list.runAll((item) => ran.push(item));
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(list.size).toBe(0);
  });

  it('takes an item off, keeping the others in order', () => {
    const list = new RunList<number>();
    for (const n of [1, 2, 3, 4]) list.add(n);
    expect(list.remove(2)).toBe(true);
    expect(list.remove(2)).toBe(false);
    expect(list.toArray()).toEqual([1, 3, 4]);
    list.runAll(() => {});
    expect(list.remove(3), 'an item that ran is no longer held').toBe(false);
  });

  it('runs every item even if some throw, then throws the first exception', () => {
    const list = new RunList<number>();
    for (const n of [1, 2, 3]) list.add(n);
    const ran: number[] = [];
    expect(() =>
      list.runAll((n) => {
        ran.push(n);
        if (n !== 3) throw new Error(`item ${n}`);
      }),
    ).toThrow('item 1');
    expect(ran).toEqual([1, 2, 3]);
    expect(list.size).toBe(0);
    list.add(4);
    expect(list.toArray(), 'the list is usable after a run that threw').toEqual([4]);
  });
});

describe('turnEnd', () => {
  it("runs its tasks at the end of the event loop's turn, and a task added there at the end of the next", async () => {
    const ran: string[] = [];
    let again = true;
    const task = {
      turnEnded(): void {
        ran.push('task');
        if (again) {
          again = false;
          turnEnd.add(task);
        }
      },
    };
    turnEnd.add(task);
    turnEnd.add({ turnEnded: () => ran.push('other') });
    expect(ran, 'nothing runs in the turn that added them').toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['task', 'other']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['task', 'other', 'task']);
  });
});

describe('yieldAfterWake', () => {
  it('lets the CPU go once after a wake, and not again until the next', () => {
    let yields = 0;
    const yieldCpu = (): void => void yields++;
    yieldAfterWake(yieldCpu);
    wokePeer();
    yieldAfterWake(undefined);
    expect(yields, 'a transport without a yield makes none').toBe(0);
    yieldAfterWake(yieldCpu);
    yieldAfterWake(yieldCpu);
    expect(yields).toBe(1);
    wokePeer();
    yieldAfterWake(yieldCpu);
    expect(yields).toBe(2);
  });
});
