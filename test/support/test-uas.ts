import { systemClock } from '../../src/clock';
import type { SipConfig } from '../../src/config/schema';
import type { Dialog } from '../../src/sip/dialog/dialog';
import { SipStack } from '../../src/sip/sip-stack';
import type { IncomingInvite } from '../../src/sip/ua/incoming-invite';
import type { IncomingRequest } from '../../src/sip/ua/incoming-request';
import { testConfig, testLogger } from './test-app';

export type UasBehaviour =
  { kind: 'answer'; ringMs: number } | { kind: 'ring-forever' } | { kind: 'reject'; status: number };

/** Answers a request other than INVITE that the UA core passes on (outside a dialog: `dialog` null). */
export type UasRequestHandler = (request: IncomingRequest, dialog: Dialog | null) => void;

export interface TestUasOptions {
  /** Requests other than INVITE; without it the UA core answers them (501 outside a dialog, 200 inside). */
  onRequest?: UasRequestHandler;
  /** Overrides of the `sip` config section (e.g. shorter `timers` so transactions end sooner). */
  sip?: Record<string, unknown>;
}

/** A handler that answers every MESSAGE 200 (an instant-messaging endpoint) and anything else 501. */
export const answerMessages200: UasRequestHandler = (request) =>
  void request.respond(request.method === 'MESSAGE' ? 200 : 501);

export const TEST_SDP = Buffer.from(
  'v=0\r\no=uas 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n',
);

/**
 * A called party built on our own stack, so SIPp (as the caller) exercises our UAS side end to end:
 * it rings, then answers, rejects, or rings until cancelled, and records what happened.
 */
export class TestUas {
  readonly events: string[] = [];
  readonly endedDialogs: Dialog[] = [];
  /** Methods of the requests passed to `onRequest`, in arrival order (empty without a handler). */
  readonly requests: string[] = [];

  private constructor(
    readonly stack: SipStack,
    private behaviour: UasBehaviour,
  ) {}

  static async start(behaviour: UasBehaviour, options: TestUasOptions = {}): Promise<TestUas> {
    let uas: TestUas | null = null;
    const onRequest = options.onRequest;
    const config: SipConfig = testConfig(options.sip ? { sip: { port: 0, ...options.sip } } : {}).sip;
    const stack = await SipStack.start({
      config,
      logger: testLogger(),
      clock: systemClock,
      delegate: {
        onInvite: (invite) => uas?.onInvite(invite),
        // Without a handler the UA core answers by itself (501 outside a dialog, 200 inside one).
        ...(onRequest && {
          onRequest: (request: IncomingRequest, dialog: Dialog | null) => {
            uas?.requests.push(request.method);
            onRequest(request, dialog);
          },
        }),
        onDialogEnded: (dialog, why) => {
          uas?.events.push(`ended:${why}`);
          uas?.endedDialogs.push(dialog);
        },
      },
    });
    uas = new TestUas(stack, behaviour);
    return uas;
  }

  set(behaviour: UasBehaviour): void {
    this.behaviour = behaviour;
  }

  port(protocol: 'udp' | 'tcp'): number {
    const bound = this.stack.addresses().find((a) => a.protocol === protocol);
    if (!bound) throw new Error(`no ${protocol} transport`);
    return bound.port;
  }

  /** How many of `events` equal `event` (e.g. `invite`, `ack`, `cancelled`). */
  count(event: string): number {
    return this.events.filter((e) => e === event).length;
  }

  /** The INVITEs received, newest last, to check what the caller's side put in them. */
  readonly invites: IncomingInvite['request'][] = [];
  /** The same, as the UA handed them over. */
  readonly incoming: IncomingInvite[] = [];

  private onInvite(invite: IncomingInvite): void {
    this.invites.push(invite.request);
    this.incoming.push(invite);
    this.events.push('invite');
    const b = this.behaviour;
    if (b.kind === 'reject') return void invite.reject(b.status);
    invite.progress(180);
    invite.handlers = {
      onCancel: () => this.events.push('cancelled'),
      onAck: () => this.events.push('ack'),
      onAckTimeout: () => this.events.push('ack-timeout'),
    };
    if (b.kind === 'answer') {
      setTimeout(() => {
        if (!invite.finalSent) invite.accept({ body: TEST_SDP, contentType: 'application/sdp' });
      }, b.ringMs).unref();
    }
  }

  stop(): Promise<void> {
    return this.stack.close();
  }
}
