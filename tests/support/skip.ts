/** A skip that shows: a warning on stderr and the reason beside the skipped test. */
export function skipLoudly(ctx: { skip(note?: string): never; task: { name: string } }, reason: string): never {
  process.stderr.write(`SKIPPED "${ctx.task.name}": ${reason}\n`);
  return ctx.skip(reason);
}
