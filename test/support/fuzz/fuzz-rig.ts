import { startApp, type RunningApp } from '../../../src/app';
import { systemClock } from '../../../src/clock';
import type { Logger } from '../../../src/observability/logger';
import { aResource, aSubscriber } from '../cmr-fixtures';
import { FakeChfServer } from '../fake-chf-server';
import { FakePortalServer } from '../fake-portal-server';
import { testConfig } from '../test-app';
import { FarEndUas } from './far-end-uas';
import type { FuzzTransport } from './wire-endpoint';

/** The CMR subscriber every fuzz call rings: its ringing media presents while B rings. */
export const FUZZ_OWNER = '+15550008000';
/** What every copy of FUZZ_TONE charges. */
export const FUZZ_TONE_PRICE = { amountMinor: 150, currency: 'USD' } as const;
/** What the owner's playlist presents. */
export const FUZZ_TONE = aResource('fuzz-tone', { title: 'Fuzz Tone', price: { ...FUZZ_TONE_PRICE } });

/** Short RFC 3261 timers (64*T1 = 6.4 s), so transactions the fuzz leaves open end within a batch or two. */
const FAST_TIMERS = { t1Ms: 100, t2Ms: 400, t4Ms: 500 } as const;
/** The balance each caller starts with: several copies' worth. */
const BALANCE_MINOR = 10_000;

/**
 * The whole application in-process on free loopback ports, with what a copy needs around it: the test
 * CHF and portal, a called party that rings the owner's calls until cancelled (and refuses every other
 * INVITE, so mangled ones end at once), a media server that answers, the owner provisioned with
 * FUZZ_TONE, and callers made on demand with a balance at the CHF. Rate limits and per-source caps are
 * off: the fuzz sends far more than a handset would, all from 127.0.0.1.
 */
export class FuzzRig {
  private callers = 0;

  private constructor(
    readonly app: RunningApp,
    readonly chf: FakeChfServer,
    readonly portal: FakePortalServer,
    private readonly farEnds: readonly FarEndUas[],
  ) {}

  static async start(logger: Logger): Promise<FuzzRig> {
    const started: { stop(): Promise<void> }[] = [];
    try {
      const chf = await FakeChfServer.start();
      started.push({ stop: () => chf.close() });
      const portal = await FakePortalServer.start();
      started.push({ stop: () => portal.close() });
      const sip = testConfig({ sip: { port: 0, timers: FAST_TIMERS } }).sip;
      const callee = await FarEndUas.start({
        sip,
        decide: (invite) => (invite.request.uri.includes(FUZZ_OWNER) ? 'ring' : 'reject'),
      });
      started.push(callee);
      const mediaServer = await FarEndUas.start({ sip, decide: () => 'answer' });
      started.push(mediaServer);
      const config = testConfig({
        // Every fuzz client is 127.0.0.1: per-source caps would refuse the fuzz, not judge the server.
        sip: { port: 0, timers: FAST_TIMERS, limits: { maxConnectionsPerSource: 0 } },
        b2bua: { trustedPeers: ['127.0.0.1'], nextHop: callee.uri, noAnswerTimeoutMs: 600_000, lingerSeconds: 1 },
        media: { server: mediaServer.uri },
        charging: { url: chf.url, timeoutMs: 2000 },
        portal: { url: portal.url, pollIntervalMs: 100, maxBackoffMs: 1000 },
        limits: {
          invitesPerSecondPerSource: 0,
          maxNewCallsPerSecond: 0,
          maxCallsInProgressPerSource: 0,
          copiesPerMinutePerRequester: 0,
          maxEventLoopDelayMs: 0,
        },
      });
      const app = await startApp({ config, logger, clock: systemClock });
      const rig = new FuzzRig(app, chf, portal, [callee, mediaServer]);
      await app.store.putResource(FUZZ_TONE);
      await app.store.putSubscriber(aSubscriber(FUZZ_OWNER));
      await app.store.putRingingRules(FUZZ_OWNER, {
        rules: [],
        defaultPlaylist: { order: 'sequential', resourceIds: [FUZZ_TONE.id] },
      });
      return rig;
    } catch (err) {
      for (const s of started.reverse()) await s.stop();
      throw err;
    }
  }

  sipPort(transport: FuzzTransport): number {
    const bound = this.app.sip.addresses().find((a) => a.protocol === transport);
    if (!bound) throw new Error(`the application listens on no ${transport} port`);
    return bound.port;
  }

  /** A new CMR subscriber with a balance at the CHF: a caller who has copied nothing yet. */
  async newCaller(): Promise<string> {
    const identity = `+1555${String(7_000_000 + this.callers++).padStart(7, '0')}`;
    await this.app.store.putSubscriber(aSubscriber(identity, { libraryCapacity: 1000 }));
    this.chf.setBalance(identity, BALANCE_MINOR);
    return identity;
  }

  async stop(): Promise<void> {
    try {
      await this.app.stop();
    } finally {
      for (const end of this.farEnds) await end.stop();
      await this.chf.close();
      await this.portal.close();
    }
  }
}
