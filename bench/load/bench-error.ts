import { AppError } from '../../src/errors';

/** A failure of the bench itself (a tool missing, a process that would not start), with a `BENCH.*` code. */
export class BenchError extends AppError {}
