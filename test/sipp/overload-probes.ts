import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { httpClient } from '../integration/api/http-client';
import type { SippResult } from '../support/sipp';
import type { CopyRig } from './copy-call-rig';

/** Either shed (503 + Retry-After) or carried through (183, CMR ringing, CANCEL, 487). */
export const OVERLOAD_SCENARIO = 'uac-cmr-call-overload-487-or-503.xml';

/** How a run of OVERLOAD_SCENARIO ended, from its scenario screen: 503s received, and 183s (calls admitted). */
export function shedAndAdmitted(result: SippResult): { shed: number; admitted: number } {
  const received = (name: string) => result.messages.find((m) => m.direction === 'recv' && m.name === name)?.count ?? 0;
  return { shed: received('503'), admitted: received('183') };
}

/** The server's count of 5xx responses sent, from GET /metrics. */
export async function serverErrorsSent(rig: CopyRig): Promise<number> {
  const { app } = rig.rig;
  const answer = await httpClient(app.httpAddress, app.config.http.apiToken)({ method: 'GET', path: '/metrics' });
  const m = /^cmr_sip_responses_sent_total\{status="5xx"\} (\d+)/m.exec(answer.text);
  return m ? Number(m[1]) : 0;
}

/** The server's count of new calls refused for `reason`, from GET /metrics. */
export async function callsRefused(rig: CopyRig, reason: string): Promise<number> {
  const { app } = rig.rig;
  const answer = await httpClient(app.httpAddress, app.config.http.apiToken)({ method: 'GET', path: '/metrics' });
  const m = new RegExp(`^cmr_calls_refused_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(answer.text);
  return m ? Number(m[1]) : 0;
}

/** Polls an asynchronous `check` every 50 ms until it holds; fails the test after `ms`. */
export async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const polls = Math.ceil(ms / 50);
  for (let i = 0; i < polls; i++) {
    if (await check()) return;
    await delay(50);
  }
  assert.fail(`timed out after ${ms} ms waiting for ${what}`);
}

/** Samples the calls in progress every 20 ms until stopped, and keeps the highest count seen. */
export function watchCallsInProgress(rig: CopyRig): { stop(): number } {
  let most = 0;
  const timer = setInterval(() => (most = Math.max(most, rig.rig.app.calls.activeCount)), 20);
  return {
    stop: () => {
      clearInterval(timer);
      return most;
    },
  };
}

/**
 * Stops the far ends (told to serve more calls than came) and asserts that none of their calls failed
 * and that each took `calls` calls (the callee's and the media server's side of every admitted call).
 * A call whose last message (the ACK of the 487) is still in flight when SIPp stops counts as taken.
 */
export async function assertFarEndsCompleted(rig: CopyRig, calls: number): Promise<void> {
  const ends = await rig.rig.stopFarEnds();
  for (const [name, end] of Object.entries(ends)) {
    const stats = end?.stats;
    const detail = `${end?.errorTrace.slice(0, 600)}`;
    assert.equal(stats?.failedCalls, 0, `no failed call at the ${name}: ${detail}`);
    assert.equal(stats.successfulCalls + stats.currentCalls, calls, `the ${name} took every admitted call: ${detail}`);
  }
}
