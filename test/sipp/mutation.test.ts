import assert from 'node:assert/strict';
import { startApp, type RunningApp } from '../../src/app';
import { systemClock } from '../../src/clock';
import { isSippInstalled } from '../support/sipp';
import { testConfig } from '../support/test-app';
import { TestUas } from '../support/test-uas';
import { ResponseTally, tcpSession, UdpSipClient, type TcpMode } from './support/raw-sip-client';
import { RecordingLogger } from './support/recording-logger';
import { eventually, expectScenarioPasses, FAST_TIMERS } from './support/scenario-check';
import { BASE_METHODS, baseMessage, mutate, pick, randomInt, seededRng, type Rng } from './support/sip-mutator';

/**
 * Random mutation over sockets: thousands of mangled OPTIONS, INVITE, MESSAGE, BYE and INFO requests
 * (byte and bit flips, dropped and duplicated lines, garbage header values, lying Content-Lengths,
 * truncation, huge values, CRLF injection) thrown at the whole application over UDP and TCP (many
 * connections, some chunked, some abandoned mid-message). After every batch the server must still
 * answer OPTIONS on both transports; at the end SIPp checks OPTIONS and a whole call through the
 * B2BUA. The process must raise no uncaught exception and the server log no error.
 *
 * The PRNG is seeded (CMR_MUTATION_SEED overrides the seed) so a failing run can be replayed.
 */

const SEED = Number(process.env.CMR_MUTATION_SEED ?? 0x5eed_c3a2);
const BATCHES = 15;
const BATCH_SIZE = 200;
const TCP_SHARE = 0.3;
/** Under the 65 507-byte UDP payload limit. */
const UDP_MAX_BYTES = 65_000;
/** Over TCP, past the server's 65 535-byte maxMessageBytes too (513 and the connection closed). */
const TCP_MAX_BYTES = 100_000;
const TCP_CONCURRENCY = 25;
const TCP_WAIT_MS = 150;
const PROBE_TIMEOUT_MS = 3000;

interface Counts {
  udpSent: number;
  tcpSent: number;
  tcpSessions: number;
  tcpAbandoned: number;
  probes: number;
}

describe('random mutation over UDP and TCP against the whole application', function () {
  this.timeout(90_000);
  const logger = new RecordingLogger();
  const tally = new ResponseTally();
  const crashes: string[] = [];
  const counts: Counts = { udpSent: 0, tcpSent: 0, tcpSessions: 0, tcpAbandoned: 0, probes: 0 };
  const onUncaught = (err: unknown): void => void crashes.push(`uncaught exception: ${String(err)}`);
  const onRejection = (err: unknown): void => void crashes.push(`unhandled rejection: ${String(err)}`);
  let app: RunningApp;
  let uas: TestUas;
  let udp: UdpSipClient;

  const sipPort = (protocol: 'udp' | 'tcp'): number => {
    const bound = app.sip.addresses().find((a) => a.protocol === protocol);
    assert.ok(bound, `the application listens on ${protocol}`);
    return bound.port;
  };

  before(async () => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onRejection);
    // Every INVITE that survives goes to this callee, never to a host its mangled Request-URI names.
    uas = await TestUas.start({ kind: 'reject', status: 486 }, { sip: { timers: FAST_TIMERS } });
    const config = testConfig({
      sip: { port: 0, timers: FAST_TIMERS },
      b2bua: { nextHop: `sip:127.0.0.1:${uas.port('udp')}` },
      media: { enabled: false },
    });
    app = await startApp({ config, logger, clock: systemClock });
    udp = await UdpSipClient.open(tally);
  });

  after(async () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onRejection);
    await udp?.close();
    await app?.stop();
    await uas?.stop();
  });

  function assertNoCrash(when: string): void {
    assert.deepEqual(crashes, [], `${when} (seed ${SEED})`);
  }

  async function sendBatch(batch: number, rng: Rng): Promise<void> {
    const sessions: Parameters<typeof tcpSession>[0][] = [];
    for (let i = 0; i < BATCH_SIZE;) {
      const overTcp = rng() < TCP_SHARE;
      if (!overTcp) {
        const id = `${batch}-${i++}`;
        const base = baseMessage({
          method: pick(rng, BASE_METHODS),
          protocol: 'UDP',
          clientPort: udp.port,
          serverPort: sipPort('udp'),
          id,
        });
        await udp.send(mutate(base, rng, UDP_MAX_BYTES).data, sipPort('udp'));
        counts.udpSent++;
        // The server shares this event loop: let it read, or the socket buffer overflows and drops.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      const messages: Buffer[] = [];
      const size = Math.min(randomInt(rng, 1, 3), BATCH_SIZE - i);
      for (let k = 0; k < size; k++) {
        const id = `${batch}-${i++}`;
        const base = baseMessage({
          method: pick(rng, BASE_METHODS),
          protocol: 'TCP',
          clientPort: 5099,
          serverPort: sipPort('tcp'),
          id,
        });
        messages.push(mutate(base, rng, TCP_MAX_BYTES).data);
      }
      const mode = pick<TcpMode>(rng, ['whole', 'whole', 'whole', 'chunked', 'abandoned']);
      const abandonAfter = randomInt(rng, 0, Math.max(0, (messages[0]?.length ?? 1) - 1));
      sessions.push({ port: sipPort('tcp'), messages, mode, tally, waitMs: TCP_WAIT_MS, abandonAfter });
      counts.tcpSent += mode === 'abandoned' ? 1 : messages.length;
      counts.tcpSessions++;
      if (mode === 'abandoned') counts.tcpAbandoned++;
    }
    for (let at = 0; at < sessions.length; at += TCP_CONCURRENCY) {
      await Promise.all(sessions.slice(at, at + TCP_CONCURRENCY).map((s) => tcpSession(s)));
    }
  }

  function probe(protocol: 'UDP' | 'TCP', id: string): Buffer {
    const method = 'OPTIONS';
    return baseMessage({ method, protocol, clientPort: protocol === 'UDP' ? udp.port : 5099, serverPort: 0, id });
  }

  async function expectOptionsAnswered(batch: number): Promise<void> {
    const udpId = `probe-udp-${batch}`;
    const waiting = tally.finalFor(`fuzz-${udpId}@127.0.0.1`, PROBE_TIMEOUT_MS);
    await udp.send(probe('UDP', udpId), sipPort('udp'));
    const overUdp = await waiting;
    assert.equal(overUdp?.status, 200, `OPTIONS over UDP after batch ${batch} (seed ${SEED})`);

    const own = new ResponseTally();
    const tcpId = `probe-tcp-${batch}`;
    const waitingTcp = own.finalFor(`fuzz-${tcpId}@127.0.0.1`, PROBE_TIMEOUT_MS);
    await tcpSession({
      port: sipPort('tcp'),
      messages: [probe('TCP', tcpId)],
      mode: 'whole',
      tally: own,
      waitMs: PROBE_TIMEOUT_MS,
    });
    const overTcp = await waitingTcp;
    assert.equal(overTcp?.status, 200, `OPTIONS over TCP after batch ${batch} (seed ${SEED})`);
    counts.probes += 2;
  }

  it(`still answers OPTIONS over UDP and TCP after each of ${BATCHES} batches of ${BATCH_SIZE} mangled requests`, async () => {
    const rng = seededRng(SEED);
    const started = Date.now();
    for (let batch = 1; batch <= BATCHES; batch++) {
      await sendBatch(batch, rng);
      await expectOptionsAnswered(batch);
      assertNoCrash(`after batch ${batch}`);
    }
    const stats = app.sip.transport.stats();
    console.log(
      `      seed ${SEED}: sent ${counts.udpSent} over UDP, ${counts.tcpSent} over TCP in ${counts.tcpSessions} connections` +
        ` (${counts.tcpAbandoned} abandoned mid-message) in ${Date.now() - started} ms`,
    );
    console.log(
      `      distinct answers by class ${JSON.stringify(tally.byClass)}; by status ${JSON.stringify(tally.byStatus)}`,
    );
    console.log(
      `      server transport: ${stats.received} parsed, ${stats.parseErrors} unparsable (${stats.errorsAnswered} answered), ${stats.keepAlives} keep-alives`,
    );
    assert.ok(tally.finals > 0, 'the server answered some of the mangled requests');
  });

  it('passes OPTIONS over UDP and TCP, and a whole call through the B2BUA, with SIPp afterwards', async function () {
    if (!(await isSippInstalled())) this.skip();
    await expectScenarioPasses({ scenario: 'uac-options-200.xml', transport: 'udp', port: sipPort('udp') });
    await expectScenarioPasses({ scenario: 'uac-options-200.xml', transport: 'tcp', port: sipPort('tcp') });
    uas.set({ kind: 'answer', ringMs: 20 });
    const invitesBefore = uas.count('invite');
    await expectScenarioPasses({ scenario: 'uac-invite-bye-200.xml', transport: 'udp', port: sipPort('udp') });
    assert.equal(uas.count('invite'), invitesBefore + 1, 'the call reached the callee');
    assertNoCrash('after the SIPp checks');
  });

  it('drops every connection the clients closed or abandoned', async () => {
    await eventually(
      'no TCP connection left open',
      () => app.sip.transport.stats().tcpConnections === 0,
      5000,
      () => JSON.stringify(app.sip.transport.stats()),
    );
  });

  it('logged no error and raised no uncaught exception', () => {
    assertNoCrash('at the end');
    const errors = logger.entries.filter((e) => e.level === 'error');
    assert.deepEqual(
      errors.slice(0, 5).map((e) => `${e.message} ${JSON.stringify(e.meta)}`),
      [],
      `${errors.length} error lines; by message ${JSON.stringify(logger.countByMessage('error'))}`,
    );
    const warnings = logger.countByMessage('warn');
    if (Object.keys(warnings).length > 0) console.log(`      warnings logged: ${JSON.stringify(warnings)}`);
  });
});
