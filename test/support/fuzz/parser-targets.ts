import { callParties, chargingId } from '../../../src/sip/b2bua/call-parties';
import { parseCopyRequest } from '../../../src/sip/copy/copy-request-body';
import { dtmfDigit } from '../../../src/sip/copy/dtmf-body';
import { parseTargetDialog } from '../../../src/sip/dialog/dialog-table';
import { scanFrame } from '../../../src/sip/message/frame-scanner';
import type { ParseLimits } from '../../../src/sip/message/parse-limits';
import { SipParseError } from '../../../src/sip/message/sip-parse-error';
import { parseMessage } from '../../../src/sip/message/sip-parser';
import { serializeMessage } from '../../../src/sip/message/sip-serializer';
import { sdpOf } from '../../../src/sip/sdp/sdp-body';
import { localOrigin, withOrigin, type SdpOrigin } from '../../../src/sip/sdp/sdp-origin';
import { copyJsonBody, dtmfBody } from './body-mutator';
import { chance, pick, randomInt, type Rng } from './rng';
import { mutate } from './sip-mutator';
import { ALL_METHODS, baseMessage, baseResponse, FUZZ_SDP, RESPONSE_STATUSES } from './sip-templates';

/**
 * The parsers fuzzed in-process, each with valid seed inputs, a mutator, and a run that sorts every
 * outcome into a value ('accepted'), the module's typed refusal ('refused'), or a failure (anything
 * thrown otherwise, or a value that breaks the module's contract: those are findings).
 */

export type ParseOutcome = 'accepted' | 'refused';

export interface ParserTarget {
  readonly name: string;
  readonly seeds: readonly Buffer[];
  mutate(seed: Buffer, rng: Rng): Buffer;
  run(input: Buffer, rng: Rng): ParseOutcome;
}

/** A value the parser returned that its contract rules out. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

/** No input is larger: the server refuses more than sip.limits.maxMessageBytes before parsing. */
export const MAX_INPUT_BYTES = 65_535;
const LIMITS: ParseLimits = { maxMessageBytes: 65_535, maxHeaders: 256, maxLineBytes: 8192 };
const INTERESTING = Buffer.from('\r\n :;,"<>@[]%\\/=?\t0x\u00ff{}*#\u0000', 'latin1');

/** Byte-level mutations that know nothing of the format: flips, insertions, deletions, duplications, cuts. */
export function mutateBytes(input: Buffer, rng: Rng): Buffer {
  let buf = Buffer.from(input);
  const rounds = randomInt(rng, 1, 4);
  for (let r = 0; r < rounds; r++) {
    const at = randomInt(rng, 0, buf.length);
    switch (randomInt(rng, 0, 5)) {
      case 0:
        if (buf.length > 0) buf[Math.min(at, buf.length - 1)] = randomInt(rng, 0, 255);
        break;
      case 1:
        buf = Buffer.concat([buf.subarray(0, at), Buffer.from([pick(rng, [...INTERESTING])]), buf.subarray(at)]);
        break;
      case 2:
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + randomInt(rng, 0, 20))]);
        break;
      case 3:
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at, at + randomInt(rng, 0, 60)), buf.subarray(at)]);
        break;
      case 4:
        buf = buf.subarray(0, at);
        break;
      default:
        if (buf.length > 0) buf[Math.min(at, buf.length - 1)]! ^= 0x20;
    }
  }
  return buf.length > MAX_INPUT_BYTES ? buf.subarray(0, MAX_INPUT_BYTES) : buf;
}

/** Runs `parse`; a SipParseError is the typed refusal, anything else propagates as a failure. */
function refusingWith(parse: () => void): ParseOutcome {
  try {
    parse();
    return 'accepted';
  } catch (err) {
    if (err instanceof SipParseError) return 'refused';
    throw err;
  }
}

const sipSeeds: Buffer[] = [
  ...ALL_METHODS.map((method, i) =>
    baseMessage({ method, protocol: 'UDP', clientPort: 5099, serverPort: 5060, id: `p${i}` }),
  ),
  ...RESPONSE_STATUSES.map((status, i) =>
    baseResponse({
      status,
      method: ALL_METHODS[i % ALL_METHODS.length]!,
      protocol: 'TCP',
      serverPort: 5060,
      id: `r${i}`,
    }),
  ),
  Buffer.from(
    'MESSAGE tel:+1-201-555-0123 SIP/2.0\r\nv: SIP / 2.0 / TCP h:5060 ; branch = z9hG4bKm\r\nt: tel:+12015550123\r\n' +
      'From: <sips:x@y;lr>;tag=a\r\ni: m@h\r\nCSeq: 3 MESSAGE\r\nc: text/plain\r\n' +
      'Target-Dialog: m@h;local-tag=a;remote-tag=b\r\n\r\nhello',
  ),
];

/** The SIP parser, the stream framer, and every header view the server reads from a parsed message. */
const sipMessage: ParserTarget = {
  name: 'sip-message',
  seeds: sipSeeds,
  mutate: (seed, rng) => (chance(rng, 0.5) ? mutate(seed, rng, MAX_INPUT_BYTES).data : mutateBytes(seed, rng)),
  run: (input) => {
    const scan = scanFrame(input, 0, LIMITS);
    if (!['need-more', 'keepalive', 'message', 'error'].includes(scan.kind)) {
      throw new ContractViolation(`scanFrame returned ${JSON.stringify(scan)}`);
    }
    return refusingWith(() => {
      const m = parseMessage(input, LIMITS);
      void [m.callId, m.cseq, m.fromTag, m.toTag, m.branch, m.contentType];
      void [m.contacts, m.routes, m.recordRoutes];
      if (m.isRequest()) {
        void m.requestUri;
        if (m.method === 'INVITE') void [callParties(m, true), callParties(m, false), chargingId(m)];
        const target = m.headers.get('target-dialog');
        if (target !== undefined) parseTargetDialog(target);
      }
      serializeMessage(m);
    });
  },
};

const COPY_SEEDS = [
  '{"action":"copy"}',
  '{"action":"copy","consent":true}',
  '{"action":"copy","resourceId":"fuzz-tone","consent":false}',
];
const RESOURCE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** application/vnd.cmr.copy-request+json: returns {ok} always, never throws. */
const copyRequestBody: ParserTarget = {
  name: 'copy-request-body',
  seeds: COPY_SEEDS.map((s) => Buffer.from(s)),
  mutate: (seed, rng) => (chance(rng, 0.6) ? copyJsonBody(rng, 'fuzz-tone').body : mutateBytes(seed, rng)),
  run: (input) => {
    const parsed = parseCopyRequest(input);
    if (!parsed.ok) return 'refused';
    const { resourceId, consent } = parsed.body;
    if (typeof consent !== 'boolean' || (resourceId !== null && !RESOURCE_ID.test(resourceId))) {
      throw new ContractViolation(`accepted ${JSON.stringify(parsed.body)}`);
    }
    return 'accepted';
  },
};

const DTMF_TYPES = ['application/dtmf-relay', 'application/dtmf', 'text/plain', null] as const;
const DIGIT = /^[0-9*#A-D]$/;

/** application/dtmf-relay and application/dtmf: a digit or null, never throws. */
const dtmf: ParserTarget = {
  name: 'dtmf-body',
  seeds: ['Signal=*\r\nDuration=160\r\n', 'Signal=1\nDuration=100', '*', 'signal = 10'].map((s) => Buffer.from(s)),
  mutate: (seed, rng) =>
    chance(rng, 0.5) ? dtmfBody(rng, pick(rng, ['dtmf-relay', 'dtmf'])).body : mutateBytes(seed, rng),
  run: (input, rng) => {
    const type = pick(rng, DTMF_TYPES);
    const digit = dtmfDigit(type, input);
    if (digit === null) return 'refused';
    if (!DIGIT.test(digit) || (type !== 'application/dtmf-relay' && type !== 'application/dtmf')) {
      throw new ContractViolation(`digit ${JSON.stringify(digit)} for ${type}`);
    }
    return 'accepted';
  },
};

const MULTIPART_SDP =
  '--b1\r\nContent-Type: application/isup\r\n\r\nISUP\r\n--b1\r\nContent-Type: application/sdp\r\n\r\n' +
  FUZZ_SDP +
  '\r\n--b1--\r\n';
const SDP_TYPES = [
  'application/sdp',
  'multipart/mixed;boundary=b1',
  'multipart/mixed; boundary="b1"',
  'multipart/mixed',
  'text/plain',
];
const CONTACTS = [
  '<sip:127.0.0.1:5060>',
  '<sip:[::1]:5060;transport=tcp>',
  '<sip:as.example.com>',
  'sip:x',
  '<>',
  '<sip:[::1>',
  '',
];

/** SDP extraction (application/sdp, multipart/mixed) and the o= line rewrite: a Buffer or null, never a throw. */
const sdp: ParserTarget = {
  name: 'sdp',
  seeds: [Buffer.from(FUZZ_SDP), Buffer.from(MULTIPART_SDP)],
  mutate: (seed, rng) => mutateBytes(seed, rng),
  run: (input, rng) => {
    const type = chance(rng, 0.8)
      ? pick(rng, SDP_TYPES)
      : mutateBytes(Buffer.from(pick(rng, SDP_TYPES)), rng).toString('latin1');
    const contact = chance(rng, 0.8)
      ? pick(rng, CONTACTS)
      : mutateBytes(Buffer.from(pick(rng, CONTACTS)), rng).toString('latin1');
    // Our own Contact, from which the origin is made, may be refused with the typed error only.
    let origin: SdpOrigin = { username: 'cmr-as', sessionId: '1700000000', address: '127.0.0.1' };
    refusingWith(() => void (origin = localOrigin(contact, 1_700_000_000_000)));
    const found = sdpOf(type, input);
    if (!found) return 'refused';
    if (!Buffer.isBuffer(withOrigin(found, origin, randomInt(rng, 0, 2 ** 31)))) {
      throw new ContractViolation('withOrigin returned no Buffer');
    }
    return 'accepted';
  },
};

export const PARSER_TARGETS: readonly ParserTarget[] = [sipMessage, copyRequestBody, dtmf, sdp];
