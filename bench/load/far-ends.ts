import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { FakeChfServer } from '../../test/support/fake-chf-server';
import { FakePortalServer } from '../../test/support/fake-portal-server';
import { freeDualPort, freePort } from '../../test/support/sipp/free-port';
import { benchSeed, BENCH_CALLER } from './bench-seed';
import { ServerUnderTest } from './server-under-test';
import { SippLoadProcess } from './sipp-load-process';

export interface Stoppable {
  stop(): Promise<unknown>;
}

/** What a series started, in the order it must be stopped (the system under test first). */
export class Started {
  /** Every instance with something still running, for `stopEverything` on SIGINT/SIGTERM. */
  private static readonly live = new Set<Started>();
  private readonly items: Stoppable[] = [];

  constructor() {
    Started.live.add(this);
  }

  /** Stops what every series started (the bench was interrupted). */
  static async stopEverything(): Promise<void> {
    for (const started of [...Started.live]) await started.stopAll();
    await SippLoadProcess.stopAll();
  }

  first(item: Stoppable): void {
    this.items.unshift(item);
  }

  add(item: Stoppable): void {
    this.items.push(item);
  }

  async stopAll(): Promise<void> {
    for (const item of this.items.splice(0)) await item.stop().catch(() => undefined);
    Started.live.delete(this);
  }
}

export interface FarEndPlan {
  readonly root: string;
  readonly dir: string;
  readonly transport: 'udp' | 'tcp';
  /** The callee rings this long before it answers. */
  readonly ringMs: number;
  /** Longest any far end waits for the next message of a call. */
  readonly recvTimeoutMs: number;
}

/** A SIPp UAS (a file of sip-scenarios/, or an absolute path) on a free port, serving until stopped. */
export async function startFarEnd(
  plan: FarEndPlan,
  started: Started,
  name: string,
  scenario: string,
  pauseMs: number,
): Promise<string> {
  const port = await freePort(plan.transport);
  const workDir = join(plan.dir, name);
  await mkdir(workDir, { recursive: true });
  started.add(
    SippLoadProcess.start({
      scenario: isAbsolute(scenario) ? scenario : join(plan.root, 'sip-scenarios', scenario),
      transport: plan.transport,
      workDir,
      localPort: port,
      pauseMs,
      deadlineMs: 3_600_000,
      recvTimeoutMs: plan.recvTimeoutMs,
    }),
  );
  return `sip:127.0.0.1:${port}${plan.transport === 'tcp' ? ';transport=tcp' : ''}`;
}

export interface OurStack {
  readonly server: ServerUnderTest;
  readonly sipPort: number;
  /** The server's HTTP API, for /metrics. */
  readonly httpPort: number;
}

/**
 * Our server with everything it talks to: the SIPp callee and media server, the fake Charging
 * Enabler and portal (in this process), and a seed with the bench's subscribers.
 */
export async function startOurStack(
  plan: FarEndPlan & {
    readonly cpuProfile: boolean;
    readonly noAnswerTimeoutMs: number;
    /** More node flags for the server, e.g. `--heapsnapshot-signal=SIGUSR2`. */
    readonly nodeArgs?: readonly string[];
  },
  started: Started,
): Promise<OurStack> {
  const calleeUri = await startFarEnd(plan, started, 'callee', 'uas-answer-200.xml', plan.ringMs);
  const mediaUri = await startFarEnd(plan, started, 'media', 'uas-media-server-200.xml', 0);
  const chf = await FakeChfServer.start();
  chf.setBalance(BENCH_CALLER, 1_000_000_000);
  const portal = await FakePortalServer.start();
  started.add({ stop: () => chf.close() });
  started.add({ stop: () => portal.close() });
  const seedFile = join(plan.dir, 'seed.json');
  await writeFile(seedFile, JSON.stringify(benchSeed()));
  const sipPort = await freeDualPort();
  const httpPort = await freePort('tcp');
  const server = await ServerUnderTest.start({
    root: plan.root,
    workDir: plan.dir,
    sipPort,
    httpPort,
    nodeArgs: [
      ...(plan.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${join(plan.dir, 'profile')}`] : []),
      ...(plan.nodeArgs ?? []),
    ],
    env: {
      CMR_STORE_SEED_FILE: seedFile,
      CMR_B2BUA_NEXT_HOP: calleeUri,
      CMR_MEDIA_SERVER: mediaUri,
      CMR_CHARGING_URL: chf.url,
      CMR_PORTAL_URL: portal.url,
      CMR_B2BUA_NO_ANSWER_TIMEOUT_MS: String(plan.noAnswerTimeoutMs),
      // Every bench call comes from one caller: its copy budget per minute would refuse most copies.
      CMR_LIMITS_COPIES_PER_MINUTE_PER_REQUESTER: '0',
    },
  });
  started.first(server);
  return { server, sipPort, httpPort };
}
