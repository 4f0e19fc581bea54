/** What the commands get from the process that runs them. */
export interface CliContext {
  /** Aborted by SIGINT or SIGTERM, once a command took them over with stopOnSignal(). */
  readonly signal: AbortSignal;
  /** From now on the first SIGINT or SIGTERM aborts `signal` instead of exiting at once (a second one exits). */
  stopOnSignal(): void;
  /** Errors as JSON: the command line asks for JSON output. */
  readonly json: boolean;
}
