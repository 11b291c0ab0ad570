import { createApiServer, type ApiServer } from './api/api-server';
import { operationsRoutes } from './api/routes/operations-routes';
import { CallRegistry } from './calls/call-registry';
import type { Clock, TimerHandle } from './clock';
import type { CmrStore } from './cmr/ports/cmr-store.port';
import { CopyConsent } from './cmr/copy-consent';
import type { CrashPoint } from './cmr/copy-attempt';
import { CopyRecovery } from './cmr/copy-recovery';
import { CopyService } from './cmr/copy-service';
import { RingingMediaService } from './cmr/ringing-media-service';
import { createChargingGateway } from './charging/create-charging-gateway';
import { MeteredChargingGateway } from './charging/metered-charging-gateway';
import { createPortalFeed } from './portal/create-portal-feed';
import { Metrics } from './observability/metrics';
import { EventLoopProbe } from './observability/event-loop-probe';
import { Admission } from './calls/admission';
import type { Call } from './calls/call';
import type { AppConfig } from './config/schema';
import type { Logger } from './observability/logger';
import { redactingLogger } from './observability/redacting-logger';
import { secretValues } from './config/secret-values';
import { B2bua } from './sip/b2bua/b2bua';
import { CopyController } from './sip/copy/copy-controller';
import { COPY_REQUEST_TYPE } from './sip/copy/copy-request-body';
import { SipStack } from './sip/sip-stack';
import type { UserAgentDelegate } from './sip/ua/user-agent';
import { createStore } from './store/create-store';

export interface AppDeps {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The test hook of `testing.crashAt`, built by main.ts (the only module that may kill the process). */
  readonly crashPoint?: CrashPoint;
}

export interface RunningApp {
  readonly sip: SipStack;
  readonly api: ApiServer;
  readonly store: CmrStore;
  readonly calls: CallRegistry;
  /** Where the HTTP API listens (port 0 in the config binds an ephemeral one). */
  readonly httpAddress: { host: string; port: number };
  /** Stops taking calls (503) and waits for calls in progress, hanging up what is left at the deadline. */
  drain(deadlineMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Body types each method takes: SDP for sessions, DTMF and copy requests for INFO, text and copy requests for MESSAGE. */
const SIP_BODIES: Readonly<Record<string, readonly string[]>> = {
  INVITE: ['application/sdp', 'multipart/mixed'],
  UPDATE: ['application/sdp'],
  PRACK: ['application/sdp'],
  INFO: ['application/dtmf-relay', 'application/dtmf', COPY_REQUEST_TYPE],
  MESSAGE: ['text/plain', COPY_REQUEST_TYPE],
};

/** A call's outcome for the calls counter: answered, or how it ended before that. */
function callOutcome(call: Call): string {
  if (call.answeredAt !== null) return 'answered';
  const reason = call.endReason ?? '';
  if (reason.startsWith('caller cancelled')) return 'cancelled';
  if (reason.startsWith('no answer')) return 'no-answer';
  if (reason.startsWith('callee ')) return 'rejected';
  return 'failed';
}

/** The composition root: the only place where adapters are built and wired together. */
export async function startApp(deps: AppDeps): Promise<RunningApp> {
  const { config, clock } = deps;
  const logger = redactingLogger(deps.logger, secretValues(config));
  const store = await createStore(config.store, logger);
  const calls = new CallRegistry(config.b2bua, clock);
  const ringingMedia = new RingingMediaService(store);
  const loadProbe = new EventLoopProbe();
  const admission = new Admission(config.limits, loadProbe);
  let b2bua: B2bua | null = null;
  // The B2BUA needs the UA and the UA needs the B2BUA as its delegate: a forwarding delegate breaks the cycle.
  const delegate: UserAgentDelegate = {
    onInvite: (invite) => b2bua?.delegate.onInvite?.(invite),
    onRequest: (request, dialog) => b2bua?.delegate.onRequest?.(request, dialog),
    onDialogEnded: (dialog, why) => b2bua?.delegate.onDialogEnded?.(dialog, why),
  };
  let sip: SipStack | null = null;
  const portal = createPortalFeed(config.portal, { store, logger, clock });
  const metrics = new Metrics({
    activeCalls: () => calls.activeCount,
    outbox: () => store.outboxStats(),
    now: () => clock.now(),
    transport: () => sip?.transport.stats() ?? { received: 0, parseErrors: 0, errorsAnswered: 0, tcpConnections: 0 },
  });
  const charging = new MeteredChargingGateway(
    createChargingGateway(config.charging, logger, clock),
    (operation, result, seconds) => metrics.chargingAnswered(operation, result, seconds),
  );
  const copy = new CopyService({
    store,
    charging,
    clock,
    logger: logger.child({ component: 'copy' }),
    graceMs: config.copy.graceMs,
    onRecorded: () => portal.feed.wake(),
    onDecided: (trigger, outcome) => metrics.copyDecided(trigger, outcome),
    ...(deps.crashPoint ? { crashPoint: deps.crashPoint } : {}),
  });
  const recovery = new CopyRecovery({
    store,
    charging,
    clock,
    logger: logger.child({ component: 'copy-recovery' }),
    intervalMs: config.copy.recoveryIntervalMs,
    minAgeMs: config.copy.recoveryMinAgeMs,
    maxTries: config.copy.recoveryMaxTries,
    exclusive: (key, task) => copy.exclusive(key, task),
    onRecorded: () => portal.feed.wake(),
  });
  try {
    sip = await SipStack.start({
      config: config.sip,
      logger: logger.child({ component: 'sip' }),
      clock,
      delegate,
      metrics,
      acceptedBodies: SIP_BODIES,
    });
  } catch (err) {
    calls.close();
    await charging.close();
    await store.close();
    throw err;
  }
  let copier: CopyController | null = null;
  const sessions = new B2bua(
    {
      ua: sip.ua,
      registry: calls,
      clock,
      logger: logger.child({ component: 'b2bua' }),
      config,
      ringingMedia,
      admission,
    },
    {
      onCallerRequest: (request, call, early) => copier?.onCallerRequest(request, call, early) ?? false,
      onOutOfDialogRequest: (request) => copier?.onOutOfDialogRequest(request),
      onCallRefused: (reason) => metrics.callRefused(reason),
      onCallEnded: (call) => {
        admission.callEnded(call.id);
        // A call refused at the registry never started: cmr_calls_refused_total counts it.
        if (!call.endReason?.startsWith('refused')) metrics.callEnded(callOutcome(call));
        copier?.onCallEnded(call);
      },
    },
  );
  b2bua = sessions;
  copier = new CopyController({
    copy,
    consent: new CopyConsent({ timeoutMs: config.copy.consentTimeoutMs }),
    config,
    ua: sip.ua,
    calls: {
      byDialog: (dialog) => {
        const session = sessions.sessionForDialog(dialog);
        return session ? { call: session.call, callerDialog: session.callerDialog } : null;
      },
      callerDialog: (call) => sessions.sessionForCall(call.id)?.callerDialog ?? null,
    },
    clock,
    logger: logger.child({ component: 'copy' }),
    admission,
  });
  portal.feed.start();
  recovery.start();
  const api = createApiServer({ config: config.http, store, logger, clock });
  for (const module of operationsRoutes({ calls, store, charging, metrics, logger, logLevel: config.log.level })) {
    api.addRoutes(module);
  }
  let httpAddress: { host: string; port: number };
  try {
    httpAddress = await api.listen();
  } catch (err) {
    await sip.close();
    await recovery.stop();
    await portal.close();
    calls.close();
    await charging.close();
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
    drain: async (deadlineMs) => {
      sessions.refuseNewCalls(Math.max(1, Math.ceil(deadlineMs / 1000)));
      let timer: TimerHandle | null = null;
      const deadline = new Promise<'deadline'>(
        (resolve) => (timer = clock.setTimeout(() => resolve('deadline'), deadlineMs)),
      );
      const outcome = await Promise.race([calls.whenIdle().then(() => 'idle' as const), deadline]);
      if (timer) clock.clearTimeout(timer);
      if (outcome === 'deadline') {
        logger.warn('drain deadline passed: hanging up calls in progress', { calls: calls.activeCount });
        sessions.hangUpAll('server shutting down');
      }
    },
    stop: async () => {
      await api.close();
      await sip.close();
      await recovery.stop();
      await portal.close();
      calls.close();
      await charging.close();
      await store.close();
      loadProbe.dispose();
    },
  };
}
