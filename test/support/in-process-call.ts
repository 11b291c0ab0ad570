import { systemClock } from '../../src/clock';
import { SipStack } from '../../src/sip/sip-stack';
import { aResource, aSubscriber } from './cmr-fixtures';
import { startTestApp, testConfig, testLogger, type TestApp } from './test-app';
import { TestUas, type UasBehaviour } from './test-uas';

/**
 * The server with every far end on our own stack in this process, on loopback: a callee and a media
 * server that behave as told, a caller stack, and CMR provisioned for `called` with one resource.
 */
export interface InProcessCallRig {
  readonly app: TestApp;
  readonly callee: TestUas;
  readonly mediaServer: TestUas;
  readonly caller: SipStack;
  stop(): Promise<void>;
}

export async function startInProcessCallRig(opts: {
  readonly callee: UasBehaviour;
  readonly mediaServer: UasBehaviour;
  readonly called: string;
  readonly resourceId: string;
}): Promise<InProcessCallRig> {
  const callee = await TestUas.start(opts.callee);
  const mediaServer = await TestUas.start(opts.mediaServer);
  const app = await startTestApp({
    b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}` },
    media: { server: `sip:127.0.0.1:${mediaServer.port('udp')}` },
  });
  await app.store.putResource(aResource(opts.resourceId));
  await app.store.putSubscriber(aSubscriber(opts.called));
  await app.store.putRingingRules(opts.called, {
    rules: [],
    defaultPlaylist: { order: 'sequential', resourceIds: [opts.resourceId] },
  });
  const caller = await SipStack.start({
    config: testConfig().sip,
    logger: testLogger(),
    clock: systemClock,
    delegate: {},
  });
  return {
    app,
    callee,
    mediaServer,
    caller,
    stop: async () => {
      await caller.close();
      await app.stop();
      await callee.stop();
      await mediaServer.stop();
    },
  };
}
