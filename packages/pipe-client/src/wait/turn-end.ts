import { RunList } from './run-list.js';

/** Something that runs at the end of an event loop turn (TurnEnd.add), as an object: nothing is allocated per call. */
export interface AtTurnEnd {
  turnEnded(): void;
}

/**
 * The tasks due at the end of the event loop's current turn (its check phase, after I/O), run by
 * one setImmediate for all of them: a poll's next look and a bell's second ring cost no closure
 * and no Immediate each. A task added while they run is due at the end of the next turn.
 */
class TurnEnd {
  private readonly due = new RunList<AtTurnEnd>();
  private scheduled = false;

  add(task: AtTurnEnd): void {
    this.due.add(task);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.due.runAll(turnEnded);
  };
}

const turnEnded = (task: AtTurnEnd): void => task.turnEnded();

export const turnEnd = new TurnEnd();
