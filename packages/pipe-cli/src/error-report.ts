/** What a failed command prints: `ringpipe: MESSAGE` on stderr; with --json, one JSON object on stderr instead. */
export function reportError(message: string, exitCode: number, code: string | undefined, json: boolean): void {
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: { message, ...(code !== undefined ? { code } : {}), exitCode } })}\n`);
  } else {
    process.stderr.write(`ringpipe: ${message}\n`);
  }
}

/** Whether the command line asks for JSON output (`ls --json`, `stat NAME --json`), so errors come as JSON too. */
export function wantsJson(args: readonly string[]): boolean {
  const options = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined);
  const command = options.find((arg) => !arg.startsWith('-'));
  return (command === 'ls' || command === 'stat') && options.includes('--json');
}
