import type { Clock } from './clock';
import type { AppConfig } from './config/schema';
import type { Logger } from './observability/logger';
import { SipStack } from './sip/sip-stack';
import type { UserAgentDelegate } from './sip/ua/user-agent';

export interface AppDeps {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface RunningApp {
  readonly sip: SipStack;
  stop(): Promise<void>;
}

/** Until the B2BUA takes calls, the server answers what it can by itself. */
function signalingDelegate(logger: Logger): UserAgentDelegate {
  return {
    onInvite: (invite) => {
      logger.info('INVITE refused: no call handling yet', { callId: invite.request.callId });
      invite.reject(480, { reason: 'Temporarily Unavailable' });
    },
    onRequest: (incoming) => {
      if (incoming.method === 'MESSAGE' || incoming.method === 'INFO') incoming.respond(200);
      else incoming.respond(501, { reason: 'Not Implemented' });
    },
  };
}

/** The composition root: the only place where adapters are built and wired together. */
export async function startApp(deps: AppDeps): Promise<RunningApp> {
  const { config, logger, clock } = deps;
  const sip = await SipStack.start({
    config: config.sip,
    logger: logger.child({ component: 'sip' }),
    clock,
    delegate: signalingDelegate(logger.child({ component: 'app' })),
  });
  logger.info('SIP listening', { addresses: sip.addresses() });
  return {
    sip,
    stop: async () => {
      await sip.close();
    },
  };
}
