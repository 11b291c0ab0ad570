import assert from 'node:assert/strict';
import { parseFuzzArgs } from '../../../scripts/fuzz/fuzz-args';
import { scanFrame } from '../../../src/sip/message/frame-scanner';
import { AnswerTally, isProtocol500 } from '../../support/fuzz/answer-tally';
import { CountingLogger } from '../../support/fuzz/counting-logger';
import { seededRng } from '../../support/fuzz/rng';
import { mutateKeepingFrame } from '../../support/fuzz/sip-mutator';
import { StreamFramer, WireMessage } from '../../support/fuzz/wire-message';

/** The fuzz harness's own judgement: what it counts as a finding, how it reads the server, its options. */

const response = (status: number, reason: string, callId = 'c1@h', cseq = '2 MESSAGE'): WireMessage =>
  WireMessage.read(
    Buffer.from(`SIP/2.0 ${status} ${reason}\r\nCall-ID: ${callId}\r\nCSeq: ${cseq}\r\nContent-Length: 0\r\n\r\n`),
  )!;

describe('the fuzz harness checks', () => {
  it('takes a 500 for CSeq out of order as protocol and any other 500 as a finding', () => {
    assert.equal(isProtocol500('Server Internal Error (CSeq out of order)'), true);
    const tally = new AnswerTally();
    tally.add('udp', response(500, 'Server Internal Error (CSeq out of order)', 'a@h'));
    tally.add('tcp', response(500, 'Server Internal Error', 'b@h'));
    assert.deepEqual(
      tally.serverErrors.map((e) => [e.transport, e.callId]),
      [['tcp', 'b@h']],
    );
  });

  it('counts a retransmitted answer once per batch, by transport and class', () => {
    const tally = new AnswerTally();
    tally.add('udp', response(400, 'Bad Request'));
    tally.add('udp', response(400, 'Bad Request'));
    tally.add('tcp', response(200, 'OK'), true);
    assert.deepEqual(tally.byClass, { udp: { '4xx': 1 }, tcp: { '2xx': 1 } });
    assert.deepEqual(tally.copyByStatus, { 200: 1 });
    tally.endBatch();
    tally.add('udp', response(400, 'Bad Request'));
    assert.equal(tally.byStatus[400], 2);
  });

  it("counts the server's error lines, its children's too, and keeps only the first few", () => {
    const logger = new CountingLogger();
    for (let i = 0; i < 20; i++) logger.child({ callId: `c${i}` }).error('request handling failed', { i });
    logger.warn('slow');
    assert.equal(logger.lines.total('error'), 20);
    assert.deepEqual(logger.lines.counts.warn, { slow: 1 });
    assert.equal(logger.lines.first.filter((l) => l.level === 'error').length, 10);
    assert.equal(logger.lines.first[0]!.meta.callId, 'c0');
  });

  it('reads the messages of a TCP stream cut anywhere, keep-alives between them', () => {
    const one = 'SIP/2.0 200 OK\r\nCall-ID: x@h\r\nCSeq: 1 OPTIONS\r\nl: 5\r\n\r\nhello';
    const two = 'MESSAGE sip:a@h SIP/2.0\r\ni: y@h\r\nCSeq: 2 MESSAGE\r\nContent-Length: 0\r\n\r\n';
    const stream = Buffer.from(`${one}\r\n\r\n${two}`);
    const framer = new StreamFramer();
    const read = [...framer.push(stream.subarray(0, 20)), ...framer.push(stream.subarray(20))];
    assert.deepEqual(
      read.map((m) => [m.status, m.method, m.callId, m.body.toString()]),
      [
        [200, 'OPTIONS', 'x@h', 'hello'],
        [0, 'MESSAGE', 'y@h', ''],
      ],
    );
  });

  it("mangles a live call's answers without breaking its TCP framing", () => {
    const ok = Buffer.from(
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCall-ID: x@h\r\nCSeq: 3 MESSAGE\r\n\r\n',
    );
    const rng = seededRng(7);
    const limits = { maxMessageBytes: 65_535, maxHeaders: 256, maxLineBytes: 8192 };
    for (let i = 0; i < 2000; i++) {
      const { data, applied } = mutateKeepingFrame(ok, rng);
      const scan = scanFrame(data, 0, limits);
      const whole = scan.kind === 'message' && scan.length === data.length;
      assert.ok(whole, `${scan.kind} after ${applied.join(', ')}: ${JSON.stringify(data.toString('latin1'))}`);
    }
  });

  it('takes its bounds from the command line and refuses what is not a bound', () => {
    const args = parseFuzzArgs(['--seed', '7', '--iterations', '500', '--seconds', '30', '--in-process']);
    assert.deepEqual([args.seed, args.iterations, args.seconds, args.inProcess], [7, 500, 30, true]);
    assert.throws(() => parseFuzzArgs(['--seconds', '0']), /--seconds must be an integer/);
    assert.throws(() => parseFuzzArgs(['--iterations']), /needs a value/);
    assert.throws(() => parseFuzzArgs(['--forever', '1']), /unknown option/);
  });
});
