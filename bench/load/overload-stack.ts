import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeChfServer } from '../../test/support/fake-chf-server';
import { FakePortalServer } from '../../test/support/fake-portal-server';
import { freeDualPort, freePort } from '../../test/support/sipp/free-port';
import { benchSeed, BENCH_CALLER } from './bench-seed';
import { startFarEnd, type FarEndPlan, type Started } from './far-ends';
import { ServerUnderTest } from './server-under-test';

/** The API token of the server under test (GET /v1/calls when it does not drain). */
export const BENCH_API_TOKEN = 'bench-token';

/** The copy probe's callers: +1555810<n> for n = 1..count, each a subscriber with credit. */
export function probeCaller(n: number): string {
  return `+1555810${n}`;
}

export interface OverloadStackPlan extends FarEndPlan {
  /** How many copy-probe callers to provision (one per probe call). */
  readonly probeCallers: number;
  /** The server's b2bua.maxCalls; 0 leaves its default. */
  readonly maxCalls: number;
}

export interface OverloadStack {
  readonly server: ServerUnderTest;
  readonly sipPort: number;
  readonly httpPort: number;
  /** A Route (name-addr) to a callee that rings until cancelled: the copy probe's calls go there. */
  readonly probeRoute: string;
}

/**
 * The server as `startOurStack` runs it (production build, SQLite in memory, SIPp callee and media
 * server, the fake Charging Enabler and portal), plus what the overload mode needs: the HTTP port for
 * /metrics, a second callee that never answers for the copy probe, and the probe's callers provisioned
 * (seed) and funded (CHF). Only the server's own limits may differ from the rate bench (`maxCalls`).
 */
export async function startOverloadStack(plan: OverloadStackPlan, started: Started): Promise<OverloadStack> {
  const calleeUri = await startFarEnd(plan, started, 'callee', 'uas-answer-200.xml', plan.ringMs);
  const probeCalleeUri = await startFarEnd(plan, started, 'probe-callee', 'uas-no-answer.xml', 0);
  const mediaUri = await startFarEnd(plan, started, 'media', 'uas-media-server-200.xml', 0);
  const chf = await FakeChfServer.start();
  started.add({ stop: () => chf.close() });
  const portal = await FakePortalServer.start();
  started.add({ stop: () => portal.close() });
  chf.setBalance(BENCH_CALLER, 1_000_000_000);
  const seed = benchSeed();
  const probeSubscribers = Array.from({ length: plan.probeCallers }, (_, i) => {
    const identity = probeCaller(i + 1);
    chf.setBalance(identity, 1_000_000);
    return { identity, displayName: `Copy Probe ${i + 1}`, timeZone: 'UTC', libraryCapacity: 10 };
  });
  seed.subscribers = [...(seed.subscribers as unknown[]), ...probeSubscribers];
  const seedFile = join(plan.dir, 'seed.json');
  await writeFile(seedFile, JSON.stringify(seed));
  const sipPort = await freeDualPort();
  const httpPort = await freePort('tcp');
  const server = await ServerUnderTest.start({
    root: plan.root,
    workDir: plan.dir,
    sipPort,
    httpPort,
    env: {
      CMR_STORE_SEED_FILE: seedFile,
      CMR_B2BUA_NEXT_HOP: calleeUri,
      CMR_MEDIA_SERVER: mediaUri,
      CMR_CHARGING_URL: chf.url,
      CMR_HTTP_API_TOKEN: BENCH_API_TOKEN,
      // Calls still up at SIGTERM are hung up after 5 s, well within the 15 s the bench waits for the exit.
      CMR_SHUTDOWN_DRAIN_SECONDS: '5',
      CMR_PORTAL_URL: portal.url,
      CMR_B2BUA_NO_ANSWER_TIMEOUT_MS: String(Math.min(600_000, plan.ringMs + 60_000)),
      ...(plan.maxCalls > 0 ? { CMR_B2BUA_MAX_CALLS: String(plan.maxCalls) } : {}),
    },
  });
  started.first(server);
  return { server, sipPort, httpPort, probeRoute: `<${probeCalleeUri};lr>` };
}
