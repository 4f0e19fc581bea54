// Types of ring-model.mjs, for the TypeScript test that runs the vectors through it.
export interface VectorOp {
  op: string;
  [field: string]: unknown;
}
export interface VectorCase {
  name: string;
  capacity: number;
  mode: 'message' | 'byte';
  ops: VectorOp[];
  image: string[];
}
export interface OpResult {
  expect?: string | boolean;
  data?: string;
  written?: number;
  wakes: string[];
}
export declare const HEADER_SIZE: number;
export declare function runCase(c: VectorCase): { results: OpResult[]; image: Uint8Array };
export declare function imageOf(c: VectorCase): Uint8Array;
/** Every difference between a case's expected results and the model's; [] when they agree. */
export declare function compareCase(c: VectorCase): string[];
