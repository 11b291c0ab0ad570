import assert from 'node:assert/strict';
import { scanFrame } from '../../../../src/sip/message/frame-scanner';
import type { ParseLimits } from '../../../../src/sip/message/parse-limits';
import { SipParseError } from '../../../../src/sip/message/sip-parse-error';
import { parseMessage } from '../../../../src/sip/message/sip-parser';
import { serializeMessage } from '../../../../src/sip/message/sip-serializer';

const limits: ParseLimits = { maxMessageBytes: 8192, maxHeaders: 64, maxLineBytes: 1024 };
const MUTATIONS = 5000;
const SEED = 0x5eed4475;

const SEEDS = [
  'INVITE sip:bob@[2001:db8::1]:5060;transport=udp SIP/2.0\r\n' +
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK74bf9;rport, SIP/2.0/TCP [::1];branch=z9hG4bK2\r\n' +
    'Max-Forwards: 70\r\nTo: "Bob, B." <sip:bob@example.com>\r\nf: Alice <sip:alice@example.com>;tag=9f\r\n' +
    'Call-ID: 38482762@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@127.0.0.1:5070>;expires=60\r\n' +
    'Subject: folded\r\n continued\r\nContent-Type: application/sdp\r\nContent-Length: 13\r\n\r\nv=0\r\ns=héé\r\n',
  'SIP/2.0 180 Ringing ✓\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1;received=2001:db8::3\r\nTo: <sip:a@b>;tag=2\r\n' +
    'From: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n',
  'MESSAGE tel:+1-201-555-0123 SIP/2.0\r\nv: SIP / 2.0 / TCP h:5060 ; branch = z9hG4bKm\r\nt: tel:+12015550123\r\n' +
    'From: <sips:x@y;lr>;tag=a\r\ni: m@h\r\nCSeq: 3 MESSAGE\r\nc: text/plain\r\n\r\nhello',
];

const INTERESTING = Buffer.from('\r\n :;,"<>@[]%\\/=?\t0x\u00ff');

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Buffer, rnd: () => number): Buffer {
  const pick = (n: number): number => Math.floor(rnd() * n);
  let buf = Buffer.from(input);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(buf.length + 1);
    switch (pick(6)) {
      case 0: // flip a byte
        if (buf.length > 0) buf[Math.min(at, buf.length - 1)] = pick(256);
        break;
      case 1: // insert an interesting byte
        buf = Buffer.concat([
          buf.subarray(0, at),
          INTERESTING.subarray(pick(INTERESTING.length)).subarray(0, 1),
          buf.subarray(at),
        ]);
        break;
      case 2: // delete a range
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + pick(20))]);
        break;
      case 3: // duplicate a range
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at, at + pick(60)), buf.subarray(at)]);
        break;
      case 4: // truncate
        buf = buf.subarray(0, at);
        break;
      default: // swap case of a byte
        if (buf.length > 0) buf[Math.min(at, buf.length - 1)]! ^= 0x20;
    }
  }
  return buf;
}

describe('parser under random mutation', () => {
  it(`only returns a message or throws SipParseError over ${MUTATIONS} seeded mutations`, () => {
    const rnd = prng(SEED);
    const seeds = SEEDS.map((s) => Buffer.from(s));
    let parsed = 0;
    let refused = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      const data = mutate(seeds[i % seeds.length]!, rnd);
      try {
        const msg = parseMessage(data, limits);
        serializeMessage(msg); // a parsed message can always be written back
        parsed++;
      } catch (e) {
        if (!(e instanceof SipParseError)) {
          assert.fail(`mutation ${i} threw ${String(e)} for ${JSON.stringify(data.toString('latin1'))}`);
        }
        refused++;
      }
      const scan = scanFrame(data, 0, limits);
      assert.ok(['need-more', 'keepalive', 'message', 'error'].includes(scan.kind));
    }
    assert.equal(parsed + refused, MUTATIONS);
    assert.ok(parsed > 0 && refused > 0, `parsed ${parsed}, refused ${refused}`);
  });
});
