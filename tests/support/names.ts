/** A pipe name no other test and no other run uses: PREFIX-pid-random. */
export const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
