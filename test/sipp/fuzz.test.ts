import assert from 'node:assert/strict';
import { COPY_REQUEST_KINDS } from '../support/fuzz/copy-request-fuzz';
import { CountingLogger } from '../support/fuzz/counting-logger';
import { formatSocketReport } from '../support/fuzz/fuzz-report';
import { FUZZ_OWNER, FuzzRig } from '../support/fuzz/fuzz-rig';
import { message, RawCaller } from '../support/fuzz/raw-caller';
import { runSocketFuzz, type SocketFuzzReport } from '../support/fuzz/socket-fuzz';
import { WireEndpoint } from '../support/fuzz/wire-endpoint';
import type { WireMessage } from '../support/fuzz/wire-message';

/**
 * The fuzz harness of `npm run fuzz` (scripts/fuzz), bounded for CI: about a minute of mutated SIP
 * requests and responses over UDP and TCP, and copy requests with mutated bodies inside live CMR calls
 * and outside them (Target-Dialog), against the whole application with the test CHF and portal. After
 * every batch the server must answer OPTIONS on both transports and complete a call whose copy is
 * charged exactly once; the run must see no uncaught exception, no 500 (but the RFC 3261 CSeq one),
 * no error log line, no live caller charged twice, and a heap that does not run away.
 *
 * Seeded: CMR_FUZZ_SEED replays a run (`npm run fuzz -- --seed N` does the same outside mocha).
 */

const SEED = Number(process.env.CMR_FUZZ_SEED ?? 0xf0_22c0de);
const SECONDS = 60;
/** Heap growth allowed over the run (after GC, the application still running): a leak grows past it. */
const HEAP_GROWTH_LIMIT_MB = 64;

describe('the fuzz harness against the whole application over UDP and TCP', function () {
  this.timeout((SECONDS + 60) * 1000);
  let report: SocketFuzzReport;

  const seed = (): string => `(seed ${SEED}; replay with CMR_FUZZ_SEED=${SEED} or npm run fuzz -- --seed ${SEED})`;

  before(async () => {
    try {
      report = await runSocketFuzz({ seed: SEED, iterations: Number.MAX_SAFE_INTEGER, seconds: SECONDS });
    } catch (err) {
      throw new Error(`the fuzz run could not run ${seed()}: ${String(err)}`, { cause: err });
    }
    for (const line of formatSocketReport(report)) console.log(`      ${line}`);
  });

  it('finds nothing: no crash, no 500, no error log line, no failed health check, no double charge', () => {
    assert.deepEqual(
      report.findings.map((f) => `batch ${f.batch}: ${f.what}`),
      [],
      `findings ${seed()}`,
    );
  });

  it('answers OPTIONS over UDP and TCP and completes a call with a copy charged once after every batch', () => {
    assert.ok(report.batches >= 5, `only ${report.batches} batches ran ${seed()}`);
    assert.equal(report.probes, 2 * (report.batches + 1), `OPTIONS probes answered ${seed()}`);
    assert.equal(report.copiesVerified, 2 * (report.batches + 1), `calls with a verified copy ${seed()}`);
  });

  it('threw every kind of copy-bearing request and got answers over both transports', () => {
    for (const kind of COPY_REQUEST_KINDS) assert.ok((report.sent.byKind[kind] ?? 0) > 0, `no ${kind} sent ${seed()}`);
    assert.ok((report.sent.byKind['sip-request'] ?? 0) > 0 && (report.sent.byKind['sip-response'] ?? 0) > 0);
    assert.ok(
      report.sent.udp > 0 && report.sent.tcp > 0,
      `sent ${report.sent.udp} over UDP, ${report.sent.tcp} over TCP`,
    );
    for (const transport of ['udp', 'tcp'] as const) {
      const finals = Object.entries(report.tally.byClass[transport]).filter(([cls]) => cls !== '1xx');
      assert.ok(finals.length > 0, `no final answer over ${transport} ${seed()}`);
    }
  });

  it(`keeps the heap within ${HEAP_GROWTH_LIMIT_MB} MiB of where it started`, () => {
    const before = report.memoryBefore;
    const after = report.memoryAfter;
    assert.ok(before && after, 'memory was sampled');
    assert.ok(
      after.heapUsedMb - before.heapUsedMb < HEAP_GROWTH_LIMIT_MB,
      `heap ${before.heapUsedMb} MiB before, ${after.heapUsedMb} MiB after ${seed()}`,
    );
  });
});

describe('what the fuzz harness found, replayed', function () {
  this.timeout(30_000);
  let rig: FuzzRig | null = null;

  before(async () => {
    rig = await FuzzRig.start(new CountingLogger());
  });
  after(async () => {
    await rig?.stop();
  });

  // Seed 20261126, batch 1051: the TCP health-check call came from the port number of the server's UDP
  // sent-by, and its Via was taken for one of ours (482) because the loop check ignored the transport.
  it("rings a call over TCP from a client whose port number is the server's UDP port: not a loop", async function () {
    const udpPort = rig!.sipPort('udp');
    if (udpPort === rig!.sipPort('tcp')) this.skip(); // then that port is the TCP listener's, no client has it
    const endpoint = await WireEndpoint.open('tcp', rig!.sipPort('tcp'), udpPort);
    try {
      const call = new RawCaller({
        endpoint,
        caller: await rig!.newCaller(),
        called: FUZZ_OWNER,
        id: 'udp-port-number',
      });
      const ringing = await call.invite();
      assert.equal(ringing.status, 183);
      await call.cancel();
    } finally {
      await endpoint.close();
    }
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`still answers 482 over ${transport.toUpperCase()} to a request whose Via is its own sent-by for that transport`, async () => {
      const port = rig!.sipPort(transport);
      const endpoint = await WireEndpoint.open(transport, port);
      try {
        const callId = `loop-${transport}@fuzz.invalid`;
        const answered = new Promise<WireMessage>((resolve) => {
          endpoint.onMessage = (m) => void (m.callId === callId && m.status >= 200 && resolve(m));
        });
        const head = [
          `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
          `Via: SIP/2.0/${endpoint.viaTransport} 127.0.0.1:${port};branch=z9hG4bK-looped;rport`,
          'Max-Forwards: 69',
          `From: <sip:fuzz@127.0.0.1>;tag=loop`,
          `To: <sip:127.0.0.1:${port}>`,
          `Call-ID: ${callId}`,
          'CSeq: 1 OPTIONS',
        ];
        await endpoint.send(message(head, Buffer.alloc(0)));
        assert.equal((await answered).status, 482);
      } finally {
        await endpoint.close();
      }
    });
  }
});
