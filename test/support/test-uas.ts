import { systemClock } from '../../src/clock';
import type { Dialog } from '../../src/sip/dialog/dialog';
import { SipStack } from '../../src/sip/sip-stack';
import type { IncomingInvite } from '../../src/sip/ua/incoming-invite';
import { testConfig, testLogger } from './test-app';

export type UasBehaviour =
  { kind: 'answer'; ringMs: number } | { kind: 'ring-forever' } | { kind: 'reject'; status: number };

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

  private constructor(
    readonly stack: SipStack,
    private behaviour: UasBehaviour,
  ) {}

  static async start(behaviour: UasBehaviour): Promise<TestUas> {
    let uas: TestUas | null = null;
    const stack = await SipStack.start({
      config: testConfig().sip,
      logger: testLogger(),
      clock: systemClock,
      delegate: {
        onInvite: (invite) => uas?.onInvite(invite),
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

  private onInvite(invite: IncomingInvite): void {
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
