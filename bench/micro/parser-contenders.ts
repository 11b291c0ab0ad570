import assert from 'node:assert/strict';
import type { ParseLimits } from '../../src/sip/message/parse-limits';
import { parseMessage } from '../../src/sip/message/sip-parser';
import { serializeMessage } from '../../src/sip/message/sip-serializer';
import { npmSip } from './npm-sip-module';
import type { SampleMessage } from './sample-messages';

/**
 * One parser under comparison. `parse` takes the message as that parser takes it off the wire (ours a
 * Buffer, the npm packages a string) and reads what a transaction layer needs from the result (method or
 * status, Call-ID, CSeq number, top Via branch, From tag), so lazily parsed headers are paid for too.
 */
export interface ParserContender {
  readonly name: string;
  parse(sample: SampleMessage): number;
  /** Serializes a message parsed once beforehand; null when the package has no serializer for it. */
  serializer(sample: SampleMessage): (() => number) | null;
  /** What the parser read, to check it understood the message before it is timed. */
  read(sample: SampleMessage): ReadBack;
}

export interface ReadBack {
  readonly method: string | null;
  readonly status: number | null;
  readonly callId: string;
  readonly cseq: number;
  readonly branch: string;
  readonly fromTag: string;
  readonly bodyLength: number;
}

/** The server's limits (config/default.json `sip.limits`). */
export const BENCH_LIMITS: ParseLimits = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };

export const ours: ParserContender = {
  name: 'ours',
  parse(sample) {
    const m = parseMessage(sample.bytes, BENCH_LIMITS);
    return m.callId.length + m.cseq.seq + (m.branch?.length ?? 0) + (m.fromTag?.length ?? 0);
  },
  serializer(sample) {
    const m = parseMessage(sample.bytes, BENCH_LIMITS);
    return () => serializeMessage(m).length;
  },
  read(sample) {
    const m = parseMessage(sample.bytes, BENCH_LIMITS);
    return {
      method: m.isRequest() ? m.method : null,
      status: m.isRequest() ? null : m.status,
      callId: m.callId,
      cseq: m.cseq.seq,
      branch: m.branch ?? '',
      fromTag: m.fromTag ?? '',
      bodyLength: m.body.length,
    };
  },
};

export const npmSipContender: ParserContender = {
  name: 'npm sip 0.0.6',
  parse(sample) {
    const m = npmSip.parse(sample.text);
    if (!m) return -1;
    const h = m.headers;
    return (
      (h['call-id']?.length ?? 0) +
      (h.cseq?.seq ?? 0) +
      (h.via?.[0]?.params?.branch?.length ?? 0) +
      (h.from?.params?.tag?.length ?? 0)
    );
  },
  serializer(sample) {
    const m = npmSip.parse(sample.text);
    if (!m) throw new Error(`npm sip could not parse ${sample.name}`);
    return () => npmSip.stringify(m).length;
  },
  read(sample) {
    const m = npmSip.parse(sample.text);
    if (!m) throw new Error(`npm sip could not parse ${sample.name}`);
    const h = m.headers;
    return {
      method: m.method ?? null,
      status: m.status ?? null,
      callId: h['call-id'] ?? '',
      cseq: h.cseq?.seq ?? -1,
      branch: h.via?.[0]?.params?.branch ?? '',
      fromTag: h.from?.params?.tag ?? '',
      bodyLength: Buffer.byteLength(m.content ?? '', 'latin1'),
    };
  },
};

type SipJsCore = typeof import('sip.js/lib/core/index.js', { with: { 'resolution-mode': 'import' } });

/** SIP.js 0.21's `Parser.parseMessage` (an ES module, so loaded with a dynamic import). */
export async function sipJsContender(): Promise<ParserContender> {
  const core: SipJsCore = await import('sip.js/lib/core/index.js');
  const factory = new core.LoggerFactory();
  factory.builtinEnabled = false;
  const logger = factory.getLogger('bench');
  const parseOne = (sample: SampleMessage) => {
    const m = core.Parser.parseMessage(sample.text, logger);
    if (!m) throw new Error(`SIP.js could not parse ${sample.name}`);
    return m;
  };
  return {
    name: 'SIP.js 0.21',
    parse(sample) {
      const m = core.Parser.parseMessage(sample.text, logger);
      if (!m) return -1;
      return m.callId.length + m.cseq + m.viaBranch.length + (m.fromTag?.length ?? 0);
    },
    serializer: () => null,
    read(sample) {
      const m = parseOne(sample);
      const isRequest = m instanceof core.IncomingRequestMessage;
      return {
        method: isRequest ? m.method : null,
        status: isRequest ? null : ((m as InstanceType<SipJsCore['IncomingResponseMessage']>).statusCode ?? null),
        callId: m.callId,
        cseq: m.cseq,
        branch: m.viaBranch,
        fromTag: m.fromTag ?? '',
        bodyLength: Buffer.byteLength(m.body ?? '', 'utf8'),
      };
    },
  };
}

/** Fails unless the contender reads the sample as the sample says (done once, before any timing). */
export function verifyContender(contender: ParserContender, sample: SampleMessage): void {
  const got = contender.read(sample);
  assert.deepEqual(got, sample.expect, `${contender.name} misread ${sample.name}`);
  assert.ok(contender.parse(sample) > 0, `${contender.name} parse() of ${sample.name} returned nothing`);
  const serialize = contender.serializer(sample);
  if (serialize) assert.ok(serialize() >= sample.bytes.length - 2, `${contender.name} serialized ${sample.name} short`);
}
