import { AssertionError } from 'node:assert';
import { setTimeout as delay } from 'node:timers/promises';
import {
  assertSippSuccess,
  runSipp,
  type SippResult,
  type SippRunOptions,
  type SippTransport,
} from '../../support/sipp';

/**
 * Short RFC 3261 timers for the server and the UAS, so Timer J/H/I/L end within seconds (64*T1 = 6.4 s).
 * Not with packet loss: SIPp's scenarios retransmit from T1 = 500 ms, so a server with a shorter T1
 * forgets a transaction (Timer J) while the client may still retransmit its request.
 */
export const FAST_TIMERS = { t1Ms: 100, t2Ms: 400, t4Ms: 500 } as const;

/** How long after its last message a UDP transaction may live with `FAST_TIMERS` (64*T1), plus slack. */
export const FAST_TIMERS_DRAIN_MS = 64 * FAST_TIMERS.t1Ms + 2000;

export interface ScenarioCheck extends Partial<SippRunOptions> {
  scenario: string;
  transport: SippTransport;
  /** The loopback port of the server under test. */
  port: number;
}

/**
 * Runs one strict SIPp scenario against a server on 127.0.0.1 and fails the test, with SIPp's
 * traces and counters in the message, unless every call of it succeeded.
 */
export async function expectScenarioPasses(check: ScenarioCheck): Promise<SippResult> {
  const { scenario, transport, port, ...options } = check;
  const result = await runSipp({
    scenario,
    transport,
    target: { host: '127.0.0.1', port },
    timeoutMs: 20_000,
    recvTimeoutMs: 5000,
    ...options,
  });
  assertSippSuccess(result, `${transport.toUpperCase()} to 127.0.0.1:${port}`);
  return result;
}

/**
 * Polls `check` every 20 ms until it returns true; fails with `what` and the last `describe()`
 * after `timeoutMs`. For server state that settles after the wire exchange (timers, dialogs).
 */
export async function eventually(
  what: string,
  check: () => boolean,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<void> {
  const polls = Math.max(1, Math.ceil(timeoutMs / 20));
  for (let i = 0; i < polls; i++) {
    if (check()) return;
    await delay(20);
  }
  if (check()) return;
  const detail = describe();
  throw new AssertionError({ message: `${what}: not so after ${timeoutMs} ms${detail ? ` (${detail})` : ''}` });
}
