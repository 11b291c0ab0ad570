import { systemClock } from '../../../src/clock';
import type { SipConfig } from '../../../src/config/schema';
import { silentLogger } from '../../../src/observability/logger';
import { SipStack } from '../../../src/sip/sip-stack';
import type { IncomingInvite } from '../../../src/sip/ua/incoming-invite';
import { FUZZ_SDP } from './sip-templates';

/** What a far end does with an INVITE: ring until cancelled, answer at once with SDP, or refuse. */
export type FarEndAnswer = 'ring' | 'answer' | 'reject';

/**
 * A called party or media server for long fuzz runs, on our own stack: it decides per INVITE and keeps
 * no history (TestUas records every request, which a run of hours would pile up).
 */
export class FarEndUas {
  private invitesSeen = 0;

  private constructor(private readonly stack: SipStack) {}

  static async start(options: {
    sip: SipConfig;
    decide: (invite: IncomingInvite) => FarEndAnswer;
  }): Promise<FarEndUas> {
    let uas: FarEndUas | null = null;
    const stack = await SipStack.start({
      config: { ...options.sip, port: 0, transports: ['udp', 'tcp'] },
      logger: silentLogger(),
      clock: systemClock,
      delegate: {
        onInvite: (invite) => {
          if (uas) uas.invitesSeen++;
          const answer = options.decide(invite);
          if (answer === 'reject') return void invite.reject(486, { reason: 'Busy Here' });
          if (answer === 'answer')
            return void invite.accept({ body: Buffer.from(FUZZ_SDP), contentType: 'application/sdp' });
          invite.progress(180);
        },
      },
    });
    uas = new FarEndUas(stack);
    return uas;
  }

  get invites(): number {
    return this.invitesSeen;
  }

  /** `sip:127.0.0.1:<udp port>`: where the application reaches this far end. */
  get uri(): string {
    const bound = this.stack.addresses().find((a) => a.protocol === 'udp');
    if (!bound) throw new Error('the far end listens on no UDP port');
    return `sip:127.0.0.1:${bound.port}`;
  }

  stop(): Promise<void> {
    return this.stack.close();
  }
}
