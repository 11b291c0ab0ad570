import { createApiServer, type ApiServer } from './api/api-server';
import { callRoutes } from './api/routes/call-routes';
import { healthRoutes } from './api/routes/health-routes';
import { CallRegistry } from './calls/call-registry';
import type { Clock } from './clock';
import type { CmrStore } from './cmr/ports/cmr-store.port';
import { RingingMediaService } from './cmr/ringing-media-service';
import type { AppConfig } from './config/schema';
import type { Logger } from './observability/logger';
import { B2bua } from './sip/b2bua/b2bua';
import { SipStack } from './sip/sip-stack';
import type { UserAgentDelegate } from './sip/ua/user-agent';
import { createStore } from './store/create-store';

export interface AppDeps {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface RunningApp {
  readonly sip: SipStack;
  readonly api: ApiServer;
  readonly store: CmrStore;
  readonly calls: CallRegistry;
  /** Where the HTTP API listens (port 0 in the config binds an ephemeral one). */
  readonly httpAddress: { host: string; port: number };
  stop(): Promise<void>;
}

/** The composition root: the only place where adapters are built and wired together. */
export async function startApp(deps: AppDeps): Promise<RunningApp> {
  const { config, logger, clock } = deps;
  const store = await createStore(config.store, logger);
  const calls = new CallRegistry(config.b2bua);
  const ringingMedia = new RingingMediaService(store);
  let b2bua: B2bua | null = null;
  // The B2BUA needs the UA and the UA needs the B2BUA as its delegate: a forwarding delegate breaks the cycle.
  const delegate: UserAgentDelegate = {
    onInvite: (invite) => b2bua?.delegate.onInvite?.(invite),
    onRequest: (request, dialog) => b2bua?.delegate.onRequest?.(request, dialog),
    onDialogEnded: (dialog, why) => b2bua?.delegate.onDialogEnded?.(dialog, why),
  };
  let sip: SipStack;
  try {
    sip = await SipStack.start({ config: config.sip, logger: logger.child({ component: 'sip' }), clock, delegate });
  } catch (err) {
    calls.close();
    await store.close();
    throw err;
  }
  b2bua = new B2bua({
    ua: sip.ua,
    registry: calls,
    clock,
    logger: logger.child({ component: 'b2bua' }),
    config,
    ringingMedia,
  });
  const api = createApiServer({ config: config.http, store, logger, clock });
  api.addRoutes(callRoutes(calls));
  api.addRoutes(healthRoutes({ store }));
  let httpAddress: { host: string; port: number };
  try {
    httpAddress = await api.listen();
  } catch (err) {
    await sip.close();
    calls.close();
    await store.close();
    throw err;
  }
  logger.info('started', { sip: sip.addresses(), http: httpAddress, store: config.store.kind });
  return {
    sip,
    api,
    store,
    calls,
    httpAddress,
    stop: async () => {
      await api.close();
      await sip.close();
      calls.close();
      await store.close();
    },
  };
}
