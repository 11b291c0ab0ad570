/**
 * `npm run demo`: one online copy, end to end, against a server started with `npm start`.
 *
 * Reads the server's configuration the way `npm start` does (config/default.json, CMR_CONFIG, CMR_*
 * environment variables), then starts around it everything a carrier network would provide: the test
 * CHF on charging.url (with a balance for the caller), the test portal on portal.url, SIPp as the
 * called party (rings ~8 s, then answers) and as the media server on media.server. A SIPp caller
 * calls the called party through the server, presses * and then 1, reads the offer and the result,
 * is answered and hangs up. The script then shows the caller's library (HTTP API) and the record
 * the portal received, and exits 0 only if every step did what it should.
 *
 * Everything is bounded in time; only the processes and listeners this script started are stopped.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/config-loader';
import type { AppConfig } from '../src/config/schema';
import { FakeChfServer } from '../test/support/fake-chf-server';
import { FakePortalServer, PORTAL_PATH } from '../test/support/fake-portal-server';
import {
  formatSippReport,
  isFree,
  isSippInstalled,
  isSuccessful,
  SIPP_BIN,
  startSipp,
  type SippResult,
  type SippRun,
} from '../test/support/sipp';
import {
  bindFakeToPort,
  checkReady,
  DemoError,
  getJson,
  loopbackPort,
  sipTimeline,
  type Api,
  type CallView,
  type LibraryPage,
} from './demo-copy-support';

/** The seed's (config/seed.json) caller A and called party B. */
const CALLER = process.env.DEMO_CALLER ?? '+15550001002';
const CALLED = process.env.DEMO_CALLED ?? '+15550001001';
/** Where SIPp stands in for B (the second Route of the caller's INVITE). */
const CALLEE_PORT = Number(process.env.DEMO_CALLEE_PORT ?? 5080);
const RING_MS = 8000;
const BALANCE_MINOR = 1000;
/** The whole demo ends by then, whatever happens. */
const DEADLINE_MS = 60_000;

const ROOT = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')].find((dir) =>
  existsSync(path.join(dir, 'config', 'default.json')),
);

function say(line = ''): void {
  console.log(line);
}

function serverConfig(): AppConfig {
  if (!ROOT) throw new DemoError(`config/default.json not found above ${__dirname}`);
  const files = [path.join(ROOT, 'config', 'default.json')];
  if (process.env.CMR_CONFIG) files.push(path.resolve(process.env.CMR_CONFIG));
  return loadConfig({ files, env: process.env });
}

/** What the demo started, so that it can stop exactly that. */
class Started {
  readonly runs: SippRun[] = [];
  chf: FakeChfServer | null = null;
  portal: FakePortalServer | null = null;

  async stop(): Promise<void> {
    await Promise.allSettled(this.runs.map((r) => r.stop()));
    await Promise.allSettled([this.chf?.close(), this.portal?.close()]);
  }
}

interface DemoSettings {
  readonly api: Api;
  readonly sip: { host: string; port: number };
  readonly chargingPort: number;
  readonly portalPort: number;
  readonly mediaPort: number;
}

/** The ports and addresses of the server's configuration, checked for what the demo can stand in for. */
function readSettings(config: AppConfig): DemoSettings {
  if (!['', '/'].includes(new URL(config.charging.url).pathname)) {
    throw new DemoError(`the demo CHF serves charging.url without a path, but it is ${config.charging.url}`);
  }
  if (new URL(config.portal.url).pathname !== PORTAL_PATH) {
    throw new DemoError(`the demo portal takes records at ${PORTAL_PATH}, but portal.url is ${config.portal.url}`);
  }
  if (/;transport=tcp/i.test(config.media.server)) throw new DemoError('the demo media server takes UDP only');
  if (!config.sip.transports.includes('udp')) throw new DemoError('the demo calls over UDP: sip.transports lacks udp');
  return {
    api: { base: `http://${config.http.host}:${config.http.port}`, token: config.http.apiToken },
    sip: { host: config.sip.host === '0.0.0.0' ? '127.0.0.1' : config.sip.host, port: config.sip.port },
    chargingPort: loopbackPort(config.charging.url, 'charging.url'),
    portalPort: loopbackPort(config.portal.url, 'portal.url'),
    mediaPort: loopbackPort(config.media.server.replace(/^sips?:/, 'sip://'), 'media.server'),
  };
}

async function ensurePortsFree(settings: DemoSettings): Promise<void> {
  const busy: string[] = [];
  for (const [what, protocol, port] of [
    ['the test CHF (charging.url)', 'tcp', settings.chargingPort],
    ['the test portal (portal.url)', 'tcp', settings.portalPort],
    ['SIPp as the media server (media.server)', 'udp', settings.mediaPort],
    ['SIPp as the called party B (DEMO_CALLEE_PORT)', 'udp', CALLEE_PORT],
  ] as const) {
    if (!(await isFree(protocol, '127.0.0.1', port)))
      busy.push(`  ${protocol.toUpperCase()} 127.0.0.1:${port} for ${what}`);
  }
  if (busy.length === 0) return;
  throw new DemoError(
    `ports the demo needs are busy:\n${busy.join('\n')}\n` +
      'Stop whatever holds them, or move them with CMR_CHARGING_URL, CMR_PORTAL_URL, CMR_MEDIA_SERVER ' +
      '(set on both the server and the demo) and DEMO_CALLEE_PORT.',
  );
}

/** The test CHF and portal, and SIPp as B and as the media server, all listening. */
async function startNetwork(settings: DemoSettings, started: Started): Promise<{ callee: SippRun; media: SippRun }> {
  const chf = (started.chf = await FakeChfServer.start());
  await bindFakeToPort(chf, settings.chargingPort, () => chf.url);
  chf.setBalance(CALLER, BALANCE_MINOR);
  const portal = (started.portal = await FakePortalServer.start());
  await bindFakeToPort(portal, settings.portalPort, () => portal.url);
  say(`1. Test CHF on ${chf.url} (A's balance ${money(BALANCE_MINOR, 'USD')}), test portal on ${portal.url}`);
  const farEnd = async (scenario: string, localPort: number, pauseMs?: number): Promise<SippRun> => {
    const run = await startSipp({
      scenario,
      transport: 'udp',
      localPort,
      pauseMs,
      timeoutMs: 45_000,
      recvTimeoutMs: 30_000,
    });
    started.runs.push(run);
    await run.whenListening();
    return run;
  };
  const callee = await farEnd('uas-answer-200.xml', CALLEE_PORT, RING_MS);
  const media = await farEnd('uas-media-server-200.xml', settings.mediaPort);
  say(
    `2. SIPp as B on 127.0.0.1:${CALLEE_PORT} (rings ${RING_MS / 1000} s, then answers), as the media server on 127.0.0.1:${settings.mediaPort}`,
  );
  return { callee, media };
}

interface CallRecord {
  readonly call: CallView | null;
  readonly outcome: string | null;
  readonly sippOk: boolean;
}

/** A calls B through the server with SIPp, presses * then 1; prints what A saw. */
async function placeCall(
  settings: DemoSettings,
  started: Started,
  far: { callee: SippRun; media: SippRun },
): Promise<CallRecord> {
  const { host, port } = settings.sip;
  say(
    `4. A calls B through the server (INVITE with Route: <sip:${host}:${port};lr>, <sip:127.0.0.1:${CALLEE_PORT};lr>)`,
  );
  const since = Date.now();
  const caller = await startSipp({
    scenario: 'uac-cmr-copy-demo-200.xml',
    transport: 'udp',
    target: { host, port },
    serviceUser: CALLED,
    globals: { caller: CALLER, callee_port: String(CALLEE_PORT) },
    timeoutMs: 40_000,
    recvTimeoutMs: 20_000,
  });
  started.runs.push(caller);
  const call = await watchCall(settings.api, caller, since);
  const callerResult = await caller.result;
  // A caller that failed leaves the far ends waiting for requests that will not come: stop them.
  const farEnd = (run: SippRun) => (isSuccessful(callerResult) ? run.result : run.stop());
  const [calleeResult, mediaResult] = await Promise.all([farEnd(far.callee), farEnd(far.media)]);
  const log = callerResult.actionLog;
  const offer = /offer: (.*)/.exec(log)?.[1];
  const result = /result: (.*)/.exec(log)?.[1];
  if (offer) say(`   A pressed *   -> offer:  ${offer}`);
  if (result) say(`   A pressed 1   -> result: ${result}`);
  if (call?.answeredAt) {
    const after = (Date.parse(call.answeredAt) - Date.parse(call.createdAt)) / 1000;
    say(`   B answered after ${after.toFixed(1)} s; the call ended (${call.endReason ?? 'still up'})`);
  }
  say(`   SIP at A: ${sipTimeline(callerResult.messageTrace).join(' ')}`);
  const sippOk = reportRuns({
    'the caller A': callerResult,
    'the called party B': calleeResult,
    'the media server': mediaResult,
  });
  return { call, outcome: /outcome: (.*)/.exec(log)?.[1] ?? null, sippOk };
}

/** Prints the charge, A's library and the portal's record; returns what is not as it should be. */
async function checkEffects(settings: DemoSettings, started: Started, record: CallRecord): Promise<string[]> {
  const { outcome } = record;
  const presented = record.call?.presentations[0]?.resourceId ?? null;
  const charges = started.chf?.debitsOf(CALLER) ?? [];
  for (const c of charges)
    say(`5. Charged ${money(c.amountMinor, c.currency)} to ${c.subscriber} (reference ${c.reference})`);
  if (charges.length === 0) say('5. Nothing charged');
  const library = (await getJson<LibraryPage>(settings.api, libraryPath())).items;
  const entry = (e: LibraryPage['items'][number]) =>
    `${e.resourceId}${e.acquisition === 'copy' ? ` (copied from ${e.copiedFrom})` : ''}`;
  say(`6. A's library after: ${library.map(entry).join(', ')}`);
  if (outcome === 'copied')
    await started.portal?.waitForAccepted(1, 5000).catch((err: unknown) => say(`   ${String(err)}`));
  const records = started.portal?.accepted.map((r) => r.body) ?? [];
  say(`7. The portal received ${records.length} record(s)${records.length > 0 ? ':' : ''}`);
  for (const r of records) say(indent(JSON.stringify(r, null, 2), '   '));

  const problems: string[] = [];
  if (!presented) problems.push('no CMR ringing media presented to A (is B a CMR subscriber with a playlist?)');
  if (outcome === 'copied') {
    if (charges.length !== 1) problems.push(`expected one charge, saw ${charges.length}`);
    if (presented && !library.some((e) => e.resourceId === presented))
      problems.push(`${presented} is not in A's library`);
    if (records.length !== 1) problems.push(`expected one portal record, saw ${records.length}`);
  } else if (outcome === 'already-owned') {
    if (charges.length !== 0) problems.push('charged for a tone A already owned');
    say(`   A already owned ${presented} from an earlier run: nothing charged. Start the server on a fresh store`);
    say('   (stop it, remove store.sqlitePath, by default data/cmr.db, start it again) to see a new copy.');
  } else {
    problems.push(`the copy did not complete (outcome ${outcome ?? 'unknown'})`);
  }
  return problems;
}

function libraryPath(): string {
  return `/v1/subscribers/${encodeURIComponent(CALLER)}/library`;
}

async function main(started: Started): Promise<boolean> {
  const settings = readSettings(serverConfig());
  say('CMR online copy demo');
  say(`  server: SIP ${settings.sip.host}:${settings.sip.port} (UDP), API ${settings.api.base}`);
  await checkReady(settings.api.base);
  say(`  caller A ${CALLER} calls B ${CALLED} (config/seed.json)`);
  say();
  if (!(await isSippInstalled())) {
    throw new DemoError(`the demo needs SIPp at ${SIPP_BIN}: install it (Debian: sip-tester) or set CMR_SIPP_BIN`);
  }
  await ensurePortsFree(settings);
  const far = await startNetwork(settings, started);
  const before = (await getJson<LibraryPage>(settings.api, libraryPath())).items.map((e) => e.resourceId);
  say(`3. A's library before: ${before.join(', ') || '(empty)'}`);
  const record = await placeCall(settings, started, far);
  const problems = await checkEffects(settings, started, record);
  for (const p of problems) say(`   PROBLEM: ${p}`);
  const ok = record.sippOk && problems.length === 0;
  say();
  say(ok ? 'Demo done: every step did what it should.' : 'Demo FAILED: see the problems above.');
  return ok;
}

/** Follows the call on `GET /v1/calls` while the caller runs, and returns its last view. */
async function watchCall(api: Api, caller: SippRun, since: number): Promise<CallView | null> {
  let done = false;
  void caller.result.then(() => (done = true));
  let seen: CallView | null = null;
  let shown = false;
  for (let i = 0; i < 200 && !done; i++) {
    const page = await getJson<{ items: CallView[] }>(api, '/v1/calls?ended=true').catch(() => null);
    const mine = page?.items.find(
      (c) => c.caller === CALLER && c.called === CALLED && Date.parse(c.createdAt) >= since - 1000,
    );
    if (mine) {
      seen = mine;
      const p = mine.presenting;
      if (p && !shown) say(`   B rings; its ringing media presents to A: ${p.resourceId} ("${p.title}")`);
      shown ||= p !== null;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (seen) seen = await getJson<CallView>(api, `/v1/calls/${encodeURIComponent(seen.id)}`).catch(() => seen);
  return seen;
}

function reportRuns(runs: Record<string, SippResult>): boolean {
  let ok = true;
  for (const [who, result] of Object.entries(runs)) {
    if (isSuccessful(result)) continue;
    ok = false;
    say(`   PROBLEM: SIPp as ${who} did not succeed:`);
    say(indent(formatSippReport(result, { messageLines: 40, errorLines: 15 }), '     '));
  }
  return ok;
}

function money(amountMinor: number, currency: string): string {
  return `${(amountMinor / 100).toFixed(2)} ${currency}`;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

async function run(): Promise<void> {
  const started = new Started();
  let finished = false;
  const finish = async (code: number): Promise<void> => {
    if (finished) return;
    finished = true;
    await started.stop();
    process.exit(code);
  };
  const deadline = setTimeout(() => {
    say(`Demo FAILED: not done after ${DEADLINE_MS / 1000} s; stopping what it started.`);
    void finish(1);
  }, DEADLINE_MS);
  const interrupted = (code: number) => () => {
    say('Demo interrupted: stopping what it started.');
    void finish(code);
  };
  process.once('SIGINT', interrupted(130));
  process.once('SIGTERM', interrupted(143));
  try {
    const ok = await main(started);
    clearTimeout(deadline);
    await finish(ok ? 0 : 1);
  } catch (err) {
    clearTimeout(deadline);
    say(err instanceof DemoError ? `Demo stopped: ${err.message}` : `Demo FAILED: ${String(err)}`);
    await finish(err instanceof DemoError ? 2 : 1);
  }
}

void run();
