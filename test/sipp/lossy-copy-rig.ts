import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { subscriberIdentifier } from '../../src/charging/nchf-charging-data';
import { httpClient } from '../integration/api/http-client';
import { FakeChfServer, type LedgerEntry } from '../support/fake-chf-server';
import { FakePortalServer } from '../support/fake-portal-server';
import { LossyUdpRelay, type RelayCounts } from '../support/lossy-udp-relay';
import { freePort, runSipp, startSipp, type SippResult, type SippRun, type SippRunOptions } from '../support/sipp';
import { startTestApp, type TestApp } from '../support/test-app';
import { aSubscriber, provisionCmr } from './b2bua-call-rig';
import { OWNER, TONE } from './copy-call-rig';

/**
 * Online copies under UDP packet loss on every leg: SIPp as caller (`uac-cmr-copy-loss-487`, one
 * caller per call), called party (`uas-loss-no-answer`) and media server (`uas-media-server-loss-200`),
 * each behind a seeded LossyUdpRelay in front of the server's UDP port or of the SIPp far end. The
 * relay of the caller leg uses `seed`, the callee's `seed + 1`, the media server's `seed + 2`. The
 * test CHF and portal are reached over HTTP without loss. Side effects are read back from the CHF
 * ledger, the portal and the HTTP API.
 */

/** RFC 3261 Timers B and F (64*T1, T1 = 500 ms) in SIPp's terms: INVITE sent at 0, 0.5, 1.5, 3.5 ... 31.5 s. */
export const RFC_RETRANSMISSIONS = { max: 10, maxInvite: 6, maxNonInvite: 10 } as const;

/**
 * The server's no-answer timer in the rig: longer than any call that completes (its caller lingers
 * 33 s after a result that loss may delay by up to 64*T1), so only a call whose caller vanished hits it.
 */
const NO_ANSWER_MS = 90_000;

/**
 * How long the server may legitimately hold a call: a caller whose INVITE got through but who never
 * heard an answer (every 183 lost, so it gave up and never CANCELs) is ended by the no-answer timer,
 * and the CANCEL of its callee leg, to a far end already stopped, is given up after 64*T1 (RFC 3261 §9.1).
 */
export const LONGEST_HOLD_MS = NO_ANSWER_MS + 64 * 500;

/** The caller of call `n` (1-based, SIPp's call number) in `uac-cmr-copy-loss-487`. */
export const callerOf = (n: number): string => `+1555003${n}`;

export interface LossyCopyRigOptions {
  /** Share of datagrams each relay drops, in each direction. */
  lossPercent: number;
  /** The seed of the caller leg's relay (the callee's is seed + 1, the media server's seed + 2). */
  seed: number;
  /** Calls the caller places and the far ends expect. */
  calls: number;
  /**
   * How long the caller lingers after the result before it cancels, so no repeated result can reach
   * it after its CANCEL (default 33 s: the server's MESSAGE transaction lasts 64*T1).
   */
  callerLingerSeconds?: number;
  /** How long the far ends stay for repeated requests after their last answer (default 8 s). */
  farEndLingerSeconds?: number;
  /** App configuration overrides (charging, portal, copy...), merged over the rig's. */
  app?: Record<string, unknown>;
}

/** What a caller saw of its copy: the outcome in the result MESSAGE, by caller. */
export type SeenOutcomes = Map<string, string>;

export interface CopyRecordView {
  requester: string;
  outcome: string;
  chargeReference: string | null;
}

export class LossyCopyRig {
  private constructor(
    readonly app: TestApp,
    readonly chf: FakeChfServer,
    readonly portal: FakePortalServer,
    readonly relays: { caller: LossyUdpRelay; callee: LossyUdpRelay; mediaServer: LossyUdpRelay },
    private readonly farEnds: { callee: SippRun; mediaServer: SippRun },
    private readonly options: LossyCopyRigOptions,
  ) {}

  static async start(options: LossyCopyRigOptions): Promise<LossyCopyRig> {
    const cleanup: (() => Promise<unknown>)[] = [];
    try {
      const chf = await FakeChfServer.start();
      cleanup.push(() => chf.close());
      const portal = await FakePortalServer.start();
      cleanup.push(() => portal.close());
      const farEnd = async (scenario: string, seed: number) => {
        const port = await freePort('udp', '127.0.0.1');
        const relay = await LossyUdpRelay.start({ target: { host: '127.0.0.1', port }, seed, ...impairment(options) });
        cleanup.push(() => relay.close());
        const run = await startSipp({
          scenario,
          transport: 'udp',
          localPort: port,
          calls: options.calls,
          globals: { advertised_port: String(relay.port), linger_s: String(options.farEndLingerSeconds ?? 8) },
          ...sippTimes(options),
        });
        cleanup.push(() => run.stop());
        await run.whenListening();
        return { relay, run };
      };
      const callee = await farEnd('uas-loss-no-answer.xml', options.seed + 1);
      const mediaServer = await farEnd('uas-media-server-loss-200.xml', options.seed + 2);
      const overrides = options.app ?? {};
      const app = await startTestApp({
        ...overrides,
        sip: { port: 0, transports: ['udp'] },
        // The caller lingers after its copy: the call rings for longer than the test default allows.
        b2bua: { lingerSeconds: 1, noAnswerTimeoutMs: NO_ANSWER_MS, nextHop: `sip:127.0.0.1:${callee.relay.port}` },
        media: { server: `sip:127.0.0.1:${mediaServer.relay.port}` },
        charging: { url: chf.url, timeoutMs: 1000, ...(overrides.charging as object | undefined) },
        portal: {
          url: portal.url,
          pollIntervalMs: 100,
          maxBackoffMs: 1000,
          ...(overrides.portal as object | undefined),
        },
      });
      cleanup.push(() => app.stop());
      const caller = await LossyUdpRelay.start({
        target: { host: '127.0.0.1', port: app.sipPort('udp') },
        seed: options.seed,
        ...impairment(options),
      });
      cleanup.push(() => caller.close());
      await provisionCmr(app, OWNER, [TONE]);
      for (let n = 1; n <= options.calls; n++) {
        await app.store.putSubscriber(aSubscriber(callerOf(n)));
        chf.setBalance(callerOf(n), 1000);
      }
      return new LossyCopyRig(
        app,
        chf,
        portal,
        { caller, callee: callee.relay, mediaServer: mediaServer.relay },
        { callee: callee.run, mediaServer: mediaServer.run },
        options,
      );
    } catch (err) {
      for (const undo of cleanup.reverse()) await undo().catch(() => undefined);
      throw err;
    }
  }

  /** Places every call through the caller leg's relay (SIPp sends to it with -rsa) and returns SIPp's result. */
  async callAll(options: Partial<SippRunOptions> = {}): Promise<SippResult> {
    return runSipp(await this.callerOptions(options));
  }

  /** Starts placing the calls and returns while they run. */
  async startCalls(options: Partial<SippRunOptions> = {}): Promise<SippRun> {
    return startSipp(await this.callerOptions(options));
  }

  /** How many copy records the server has written so far, by outcome (from its store). */
  async outcomesSoFar(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await this.app.store.listCopyHistory(OWNER, 'owner', { limit: 200, ...(cursor ? { cursor } : {}) });
      for (const r of page.items) out.set(r.outcome, (out.get(r.outcome) ?? 0) + 1);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  private async callerOptions(options: Partial<SippRunOptions>): Promise<SippRunOptions> {
    const localPort = await freePort('udp', '127.0.0.1');
    const advertised = await this.relays.caller.peerPort({ host: '127.0.0.1', port: localPort });
    return {
      scenario: 'uac-cmr-copy-loss-487.xml',
      transport: 'udp',
      target: { host: '127.0.0.1', port: this.app.sipPort('udp') },
      localPort,
      serviceUser: OWNER,
      calls: this.options.calls,
      globals: { advertised_port: String(advertised), linger_s: String(this.options.callerLingerSeconds ?? 33) },
      // -l: every call may be up at once (SIPp's default limit assumes short calls).
      extraArgs: ['-rsa', `127.0.0.1:${this.relays.caller.port}`, '-l', String(this.options.calls)],
      ...sippTimes(this.options),
      ...options,
    };
  }

  /**
   * The far ends' results once they have taken every call, or at most their linger plus 64*T1 after
   * the callers are done (a call that failed before reaching them never comes): then they are
   * stopped, their finished calls counted.
   */
  async farEndResults(): Promise<{ callee: SippResult; mediaServer: SippResult }> {
    const graceMs = 1000 * ((this.options.farEndLingerSeconds ?? 8) + 32);
    const settle = async (run: SippRun): Promise<SippResult> => {
      const timer = setTimeout(() => void run.stop(), graceMs);
      try {
        return await run.result;
      } finally {
        clearTimeout(timer);
      }
    };
    const [callee, mediaServer] = await Promise.all([settle(this.farEnds.callee), settle(this.farEnds.mediaServer)]);
    return { callee, mediaServer };
  }

  /** Datagrams each relay saw, forwarded and dropped. */
  relayCounts(): Record<'caller' | 'callee' | 'mediaServer', RelayCounts> {
    return {
      caller: this.relays.caller.counts(),
      callee: this.relays.callee.counts(),
      mediaServer: this.relays.mediaServer.counts(),
    };
  }

  /** Every caller's copy records, from `GET /v1/subscribers/{id}/copies?role=requester`. */
  async copyRecords(): Promise<Map<string, CopyRecordView[]>> {
    const get = httpClient(this.app.httpAddress, this.app.config.http.apiToken);
    const out = new Map<string, CopyRecordView[]>();
    for (let n = 1; n <= this.options.calls; n++) {
      const path = `/v1/subscribers/${encodeURIComponent(callerOf(n))}/copies?role=requester`;
      const answer = await get({ method: 'GET', path });
      assert.equal(answer.status, 200, `copy history of ${callerOf(n)}`);
      out.set(callerOf(n), (answer.json as { items: CopyRecordView[] }).items);
    }
    return out;
  }

  /** The CHF's debits and refunds of one caller. */
  ledgerOf(caller: string): LedgerEntry[] {
    const subscriber = subscriberIdentifier(caller);
    return this.chf.ledger.filter((e) => e.subscriber === subscriber);
  }

  /** Waits until no call is in progress and no dialog is left: stragglers end by RFC 3261 timers. */
  async drained(ms: number): Promise<void> {
    const empty = () => this.app.calls.activeCount === 0 && this.app.sip.ua.counts.dialogs === 0;
    for (const deadline = Date.now() + ms; !empty() && Date.now() < deadline;) await delay(50);
    assert.ok(empty(), `calls or dialogs left after ${ms} ms: ${this.leftovers()}`);
  }

  /** The calls in progress and the dialogs the UA still holds, for a failure message. */
  private leftovers(): string {
    const calls = this.app.calls
      .values()
      .filter((c) => c.phase !== 'ended')
      .map((c) => `${c.id} ${c.phase}`);
    const dialogs = [...this.app.sip.ua.dialogs.values()].map((d) => `${d.id.callId} ${d.role} ${d.state}`);
    return `calls [${calls.join(', ')}], dialogs [${dialogs.join(', ')}]`;
  }

  async stop(): Promise<void> {
    await Promise.all([this.farEnds.callee.stop(), this.farEnds.mediaServer.stop()]);
    await this.app.stop();
    await Promise.all([
      this.relays.caller.close(),
      this.relays.callee.close(),
      this.relays.mediaServer.close(),
      this.chf.close(),
      this.portal.close(),
    ]);
  }
}

/**
 * Exactly one debit not refunded, the copied record's, when the caller's copy completed; none when it
 * did not (a charge whose copy failed must have been refunded, or never made).
 */
export function assertChargedOnceIfCopied(who: string, records: CopyRecordView[], ledger: LedgerEntry[]): void {
  const refunded = new Set(ledger.filter((e) => e.kind === 'refund').map((e) => e.reference));
  const standing = ledger.filter((e) => e.kind === 'debit' && !refunded.has(e.reference)).map((e) => e.reference);
  const copied = records.filter((r) => r.outcome === 'copied');
  assert.ok(copied.length <= 1, `${who}: ${copied.length} copied records`);
  assert.deepEqual(
    standing,
    copied.map((r) => r.chargeReference),
    `${who}: charged exactly once per completed copy`,
  );
}

/** Polls `check` every 50 ms until it holds; fails the test after `ms`. */
export async function pollUntil(check: () => Promise<boolean> | boolean, what: string, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await delay(50)) if (await check()) return;
  assert.ok(await check(), `timed out after ${ms} ms waiting for ${what}`);
}

/** The outcome each caller's result MESSAGE reported, from the scenario's log (`result: <caller> <outcome>`). */
export function seenOutcomes(actionLog: string): SeenOutcomes {
  const seen: SeenOutcomes = new Map();
  for (const m of actionLog.matchAll(/result: (\+\d+) ([a-z-]+)/g)) seen.set(m[1]!, m[2]!);
  return seen;
}

function impairment(options: LossyCopyRigOptions) {
  const link = { lossPercent: options.lossPercent };
  return { toTarget: link, fromTarget: link };
}

/** Bounds of each SIPp run: every call placed, lingered and ended by the RFC timers, with room to spare. */
function sippTimes(options: LossyCopyRigOptions): Partial<SippRunOptions> {
  const lingerMs = 1000 * ((options.callerLingerSeconds ?? 33) + (options.farEndLingerSeconds ?? 8));
  const runMs = 120_000 + lingerMs + 100 * options.calls;
  return {
    timeoutMs: runMs,
    sippTimeoutMs: runMs - 10_000,
    recvTimeoutMs: 60_000 + lingerMs,
    retransmissions: RFC_RETRANSMISSIONS,
  };
}
