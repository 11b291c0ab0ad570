import { AppError } from '../../src/errors';
import { freshSeed } from '../../test/support/fuzz/rng';

/** The command line of `npm run fuzz`. */
export interface FuzzArgs {
  readonly seed: number;
  readonly iterations: number;
  readonly seconds: number;
  /** Fuzz the parsers in this process instead of the running application over sockets. */
  readonly inProcess: boolean;
  readonly batchSize: number;
  /** Where a batch with a finding is written, one file per message. */
  readonly findingsDir: string;
}

export const USAGE = `usage: npm run fuzz -- [--seed N] [--iterations N] [--seconds N] [--in-process]
                                [--batch-size N] [--findings-dir DIR]
  --seed N          replay a run (default: a fresh seed, printed)
  --iterations N    at most N messages (sockets) or inputs (--in-process); default 1000000
  --seconds N       stop starting batches after N seconds; default 60
  --in-process      fuzz the SIP, copy-request, DTMF and SDP parsers in-process, no sockets
  --batch-size N    messages between two health checks (sockets); default 200
  --findings-dir D  where the batch of a finding is written; default .tmp/fuzz-findings`;

export class FuzzArgsError extends AppError {
  constructor(message: string) {
    super('FUZZ.ARGS', message);
  }
}

const LIMITS: Readonly<Record<string, [number, number]>> = {
  '--seed': [0, 0xffff_ffff],
  '--iterations': [1, 1e12],
  '--seconds': [1, 7 * 24 * 3600],
  '--batch-size': [1, 100_000],
};

export function parseFuzzArgs(argv: readonly string[]): FuzzArgs {
  const numbers: Record<string, number> = {};
  let inProcess = false;
  let findingsDir = '.tmp/fuzz-findings';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--in-process') {
      inProcess = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new FuzzArgsError(`${arg} needs a value`);
    if (arg === '--findings-dir') {
      findingsDir = value;
      continue;
    }
    const range = LIMITS[arg];
    if (!range) throw new FuzzArgsError(`unknown option ${arg}`);
    const n = Number(value);
    if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
      throw new FuzzArgsError(`${arg} must be an integer from ${range[0]} to ${range[1]}, not ${value}`);
    }
    numbers[arg] = n;
  }
  return {
    seed: numbers['--seed'] ?? freshSeed(),
    iterations: numbers['--iterations'] ?? 1_000_000,
    seconds: numbers['--seconds'] ?? 60,
    inProcess,
    batchSize: numbers['--batch-size'] ?? 200,
    findingsDir,
  };
}
