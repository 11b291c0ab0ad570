import assert from 'node:assert/strict';
import type { Resource } from '../../src/cmr/model';
import type { AppConfig } from '../../src/config/schema';
import type { Dialog } from '../../src/sip/dialog/dialog';
import { FakeChfServer, type LedgerEntry } from '../support/fake-chf-server';
import { FakePortalServer } from '../support/fake-portal-server';
import type { SippResult, SippRun, SippRunOptions, SippTransport } from '../support/sipp';
import {
  aResource,
  aSubscriber,
  assertAllSucceeded,
  B2buaRig,
  CALLER,
  CMR_CALLED,
  provisionCmr,
  until,
  type FarEnd,
} from './b2bua-call-rig';

/** The owner of the ringing media: the called party of every copy scenario (`-s`). */
export const OWNER = CMR_CALLED;
/** The caller, in the From of every `uac-cmr-copy-*` scenario: the one who copies. */
export { CALLER };
/** A third subscriber, neither caller nor called: sends the forged out-of-dialog request. */
export const STRANGER = '+15550002003';
/** What the owner's playlist presents: 1.50 USD. */
export const TONE: Resource = aResource('copy-tone', {
  title: 'Copy Tone',
  price: { amountMinor: 150, currency: 'USD' },
});

export interface CopyRigOptions {
  transport: SippTransport;
  /** The called party; by default it rings until the caller cancels (`uas-no-answer.xml`). */
  callee?: FarEnd;
  /** `copy.*` overrides (requireConfirmation, consentTimeoutMs, graceMs...). */
  copy?: Partial<AppConfig['copy']>;
  /** The caller's balance at the test CHF, in minor units. */
  balanceMinor?: number;
  /** Calls the default callee and the media server take before they exit (default 1). */
  calls?: number;
  /**
   * `charging.*` overrides, merged over the test CHF's (`kind: 'http'` on its URL): e.g. `kind:
   * 'diameter'` with `diameter.peers` to charge through an OCS instead (the test CHF then sees nothing).
   */
  charging?: ChargingOverrides;
  /** The owner's default playlist (default: TONE alone). */
  playlist?: Resource[];
  /** `b2bua.*` overrides (maxCalls...); nextHop is the rig's. */
  b2bua?: Partial<AppConfig['b2bua']>;
}

/** `charging.*` keys to override, `charging.diameter.*` key by key. */
export type ChargingOverrides = Partial<Omit<AppConfig['charging'], 'diameter'>> & {
  diameter?: Partial<AppConfig['charging']['diameter']>;
};

/** A page of the HTTP API, as the routes answer it. */
interface Page<T> {
  items: T[];
}

export interface CopyRecordView {
  requester: string;
  owner: string;
  resourceId: string;
  trigger: string;
  outcome: string;
}

/** The caller's dialog as the server holds it, in RFC 4538 Target-Dialog terms from the caller's side. */
export interface CallerDialogTags {
  callId: string;
  /** The caller's own tag (its From tag). */
  localTag: string;
  /** The server's tag on the caller's dialog (the To tag of the 183). */
  remoteTag: string;
}

/**
 * The B2BUA rig (SIPp as caller, called party and media server) with what a copy needs around it:
 * the test CHF holding the caller's balance, the test portal, the owner playing TONE, and the caller
 * and a stranger provisioned as CMR subscribers. Side effects are read back from the CHF ledger,
 * the portal and the HTTP API.
 */
export class CopyRig {
  private constructor(
    readonly rig: B2buaRig,
    readonly chf: FakeChfServer,
    readonly portal: FakePortalServer,
  ) {}

  static async start(options: CopyRigOptions): Promise<CopyRig> {
    const chf = await FakeChfServer.start();
    const portal = await FakePortalServer.start();
    let rig: B2buaRig;
    try {
      rig = await B2buaRig.start({
        transport: options.transport,
        callee: options.callee ?? { scenario: 'uas-no-answer.xml', options: { calls: options.calls ?? 1 } },
        mediaServer: { scenario: 'uas-media-server-200.xml', options: { calls: options.calls ?? 1 } },
        app: {
          charging: { url: chf.url, timeoutMs: 1000, ...options.charging },
          portal: { url: portal.url, pollIntervalMs: 100, maxBackoffMs: 1000 },
          copy: options.copy ?? {},
          b2bua: options.b2bua ?? {},
        },
      });
    } catch (err) {
      await chf.close();
      await portal.close();
      throw err;
    }
    const copyRig = new CopyRig(rig, chf, portal);
    try {
      await provisionCmr(rig.app, OWNER, options.playlist ?? [TONE]);
      await rig.app.store.putSubscriber(aSubscriber(CALLER));
      await rig.app.store.putSubscriber(aSubscriber(STRANGER));
      chf.setBalance(CALLER, options.balanceMinor ?? 1000);
    } catch (err) {
      await copyRig.stop();
      throw err;
    }
    return copyRig;
  }

  get transport(): SippTransport {
    return this.rig.transport;
  }

  /** Runs a caller scenario to its end. */
  call(scenario: string, options: Partial<SippRunOptions> = {}): Promise<SippResult> {
    return this.rig.call(scenario, options);
  }

  /** Starts a caller scenario and returns while it runs. */
  startCall(scenario: string, options: Partial<SippRunOptions> = {}): Promise<SippRun> {
    return this.rig.startCall(scenario, options);
  }

  /** Runs a scenario outside the call (an out-of-dialog MESSAGE) against the server. */
  send(scenario: string, options: Partial<SippRunOptions> = {}): Promise<SippResult> {
    return this.rig.call(scenario, { timeoutMs: 10_000, ...options });
  }

  /** The debits the CHF booked for the caller. */
  charges(): LedgerEntry[] {
    return this.chf.debitsOf(CALLER);
  }

  /** The resource ids in the caller's library, from `GET /v1/subscribers/{id}/library`. */
  async library(identity = CALLER): Promise<string[]> {
    const answer = await this.rig.get(`/v1/subscribers/${encodeURIComponent(identity)}/library`);
    assert.equal(answer.status, 200, 'library read');
    return (answer.json as Page<{ resourceId: string }>).items.map((e) => e.resourceId);
  }

  /** The caller's copy history (every attempt, refused ones too), from `GET .../copies?role=requester`. */
  async copies(identity = CALLER): Promise<CopyRecordView[]> {
    const answer = await this.rig.get(`/v1/subscribers/${encodeURIComponent(identity)}/copies?role=requester`);
    assert.equal(answer.status, 200, 'copy history read');
    return (answer.json as Page<CopyRecordView>).items;
  }

  /** Waits until the caller hears the ringing media, then returns its dialog's tags. */
  async callerDialog(): Promise<CallerDialogTags> {
    await until(() => this.rig.calls()[0]?.phase === 'early-media', 'the call to present CMR media');
    const call = this.rig.calls()[0]!;
    let dialog: Dialog | undefined;
    await until(() => {
      dialog = [...this.rig.app.sip.ua.dialogs.values()].find((d) => d.id.callId === call.id && d.role === 'uas');
      return dialog !== undefined;
    }, "the caller's early dialog");
    return { callId: dialog!.id.callId, localTag: dialog!.id.remoteTag, remoteTag: dialog!.id.localTag };
  }

  /** Waits for the far ends of the call and asserts that the caller and both far ends succeeded. */
  async assertCallSucceeded(caller: SippResult): Promise<void> {
    assertAllSucceeded({ caller, ...(await this.rig.farEnds()) });
  }

  /** Waits until the portal accepted `count` records and returns them. */
  async portalRecords(count: number, timeoutMs = 5000): Promise<Record<string, unknown>[]> {
    await this.portal.waitForAccepted(count, timeoutMs);
    return this.portal.accepted.map((r) => r.body as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    try {
      await this.rig.stop();
    } finally {
      await this.chf.close();
      await this.portal.close();
    }
  }
}

/**
 * The server's MESSAGEs a SIPp caller received, in order, as `kind:outcome` (`offer:offered`,
 * `result:copied`, `cancelled:declined`...), each counted once even if retransmitted (same CSeq).
 */
export function resultOutcomes(trace: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const message of tracedMessages(trace, 'received')) {
    if (!message.startsWith('MESSAGE ')) continue;
    const cseq = /^CSeq:\s*(\d+)/im.exec(message)?.[1] ?? '';
    const m = /"kind":"([a-z-]+)","outcome":"([a-z-]+)"/.exec(message);
    if (seen.has(cseq) || !m) continue;
    seen.add(cseq);
    out.push(`${m[1]}:${m[2]}`);
  }
  return out;
}

/** The messages of one direction in a SIPp message trace, whole (start line, headers, body). */
export function tracedMessages(trace: string, direction: 'sent' | 'received'): string[] {
  const out: string[] = [];
  for (const block of trace.split(/^-{10,}[^\n]*\n/m)) {
    const m = /^\w+ message (sent|received)[^\n]*\n\n([\s\S]*)$/.exec(block);
    if (m?.[1] === direction && m[2] !== undefined) out.push(m[2]);
  }
  return out;
}

/** How many responses with `status` to the request with CSeq `cseq` (e.g. `3 INFO`) the caller received. */
export function responsesTo(trace: string, cseq: string, status: number): number {
  const cseqLine = new RegExp(`^CSeq:\\s*${cseq.replace(/\s+/g, '\\s+')}\\s*$`, 'im');
  return tracedMessages(trace, 'received').filter((m) => m.startsWith(`SIP/2.0 ${status} `) && cseqLine.test(m)).length;
}
