import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { commonNameAddrParam, commonViaParam } from '../../../../src/sip/message/common-form-params';
import { isCommonNameAddr, isCommonRequestUri, isCommonVia } from '../../../../src/sip/message/common-forms';
import { readHead } from '../../../../src/sip/message/head-reader';
import { splitHeaderList } from '../../../../src/sip/message/header-list';
import { scanHeaderList } from '../../../../src/sip/message/header-list-scanner';
import { parseNameAddr } from '../../../../src/sip/message/name-addr';
import { scanContact, scanNameAddr } from '../../../../src/sip/message/name-addr-scanner';
import type { ParseLimits } from '../../../../src/sip/message/parse-limits';
import { SipParseError } from '../../../../src/sip/message/sip-parse-error';
import { parseMessage } from '../../../../src/sip/message/sip-parser';
import { parseUri } from '../../../../src/sip/message/sip-uri';
import { scanUri } from '../../../../src/sip/message/uri-scanner';
import { parseVia } from '../../../../src/sip/message/via';
import { scanVia } from '../../../../src/sip/message/via-scanner';
import { mutateBytes, PARSER_TARGETS } from '../../../support/fuzz/parser-targets';
import { pick, randomInt, seededRng, type Rng } from '../../../support/fuzz/rng';
import { mutate } from '../../../support/fuzz/sip-mutator';

/**
 * The common-form expressions, the scanners and the common-form parameter readers that validate Via, From, To, Contact and the Request-URI against the parsers that build
 * their views, on the RFC 4475 messages, the fuzz seeds, thousands of seeded mutations of both, and
 * mutations of each field value alone. On ASCII text they must agree exactly; where the text has other
 * characters a scanner may leave the answer to the parser (false), but never accept what it refuses.
 * The expressions accept a subset of what the parsers accept, and read parameters as the parsers do.
 */
const SEED = Number(process.env.CMR_FUZZ_SEED ?? 0x5ca77e4);
const MESSAGE_MUTATIONS = Number(process.env.CMR_SCANNER_MUTATIONS ?? 2000);
const VALUE_MUTATIONS = 8;
const LIMITS: ParseLimits = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };
const RFC4475 = path.resolve(__dirname, '../../../../../shared/conformance/rfc4475');

type Kind = 'via' | 'name-addr' | 'contact' | 'request-uri';

/** Whether the full parse of a value succeeds: what validation asked before the scanners. */
function parses(kind: Kind, value: string): boolean {
  try {
    if (kind === 'via') splitHeaderList(value).map(parseVia);
    else if (kind === 'name-addr') parseNameAddr(value);
    else if (kind === 'contact')
      splitHeaderList(value)
        .filter((c) => c.trim() !== '*')
        .map(parseNameAddr);
    else if (parseUri(value).headers.size > 0) return false;
    return true;
  } catch (error) {
    if (error instanceof SipParseError) return false;
    throw error;
  }
}

/** A header parameter as the full parse reads it, or undefined when the value does not parse. */
function parsedParam(kind: 'via' | 'name-addr', value: string, name: string): string | null | undefined {
  try {
    const params = kind === 'via' ? parseVia(value).params : parseNameAddr(value).params;
    return params.get(name) ?? null;
  } catch (error) {
    if (error instanceof SipParseError) return undefined;
    throw error;
  }
}

/** What the common forms claim of a value must hold for the parsers: problems found, as text. */
function commonFormProblems(value: string): string[] {
  const problems: string[] = [];
  const claim = (what: string, holds: boolean): void => {
    if (!holds) problems.push(`${what} ${JSON.stringify(value)}`);
  };
  if (isCommonVia(value)) {
    claim('common Via the parser refuses:', parses('via', value));
    for (const name of ['branch', 'rport', 'received']) {
      claim(`Via ${name} read otherwise:`, commonViaParam(value, name) === parsedParam('via', value, name));
    }
  } else claim('Via param read from an uncommon form:', commonViaParam(value, 'branch') === undefined);
  if (isCommonNameAddr(value)) {
    claim('common name-addr the parser refuses:', parses('name-addr', value) && parses('contact', value));
    for (const name of ['tag', 'expires', '+g.3gpp.icsi-ref']) {
      claim(
        `name-addr ${name} read otherwise:`,
        commonNameAddrParam(value, name) === parsedParam('name-addr', value, name),
      );
    }
  } else claim('name-addr param read from an uncommon form:', commonNameAddrParam(value, 'tag') === undefined);
  if (isCommonRequestUri(value)) claim('common Request-URI the parser refuses:', parses('request-uri', value));
  return problems;
}

function scans(kind: Kind, value: string): boolean {
  if (kind === 'via') return scanHeaderList(value, scanVia);
  if (kind === 'name-addr') return scanNameAddr(value, 0, value.length);
  if (kind === 'contact') return scanHeaderList(value, scanContact);
  return scanUri(value, 0, value.length, false);
}

const KIND_OF: Readonly<Record<string, Kind>> = { via: 'via', from: 'name-addr', to: 'name-addr', contact: 'contact' };

/** The checked values of a message as the head reader leaves them: header field values and the Request-URI. */
function checkedValues(data: Buffer): [Kind, string][] {
  const head = readHead(data.toString('utf8'), LIMITS);
  const out: [Kind, string][] = [];
  if (head.start.kind === 'request') out.push(['request-uri', head.start.uri]);
  for (let i = 0; i < head.slots.length; i += 3) {
    const kind = KIND_OF[head.slots[i]!];
    if (kind) out.push([kind, head.slots[i + 2]!]);
  }
  return out;
}

const VALUE_ALPHABET = ' \t;,:<>"\\@=%/?&[]().*+-_~!$\'0a9Zf.:\u00e9\u00a0\u000b\u0000';

/** Character-level mutation of one value: insertions of grammar characters, deletions, repeats, case flips. */
function mutateValue(value: string, rng: Rng): string {
  let v = value;
  for (let r = randomInt(rng, 1, 3); r > 0; r--) {
    const at = randomInt(rng, 0, v.length);
    switch (randomInt(rng, 0, 4)) {
      case 0:
        v = v.slice(0, at) + pick(rng, [...VALUE_ALPHABET]) + v.slice(at);
        break;
      case 1:
        v = v.slice(0, at) + v.slice(at + randomInt(rng, 1, 6));
        break;
      case 2:
        v = v.slice(0, at) + v.slice(at, at + randomInt(rng, 1, 12)) + v.slice(at);
        break;
      case 3:
        v = v.slice(0, at) + pick(rng, [...VALUE_ALPHABET]) + v.slice(at + 1);
        break;
      default: {
        const c = v.charCodeAt(at);
        if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))
          v =
            v.slice(0, at) +
            (v[at]! === v[at]!.toUpperCase() ? v[at]!.toLowerCase() : v[at]!.toUpperCase()) +
            v.slice(at + 1);
      }
    }
  }
  return v;
}

function corpus(): Buffer[] {
  const seeds = [...PARSER_TARGETS.find((t) => t.name === 'sip-message')!.seeds];
  if (fs.existsSync(RFC4475)) {
    for (const file of fs.readdirSync(RFC4475).sort()) seeds.push(fs.readFileSync(path.join(RFC4475, file)));
  }
  return seeds;
}

describe('validation scanners against the full parsers', () => {
  const seeds = corpus();
  const rng = seededRng(SEED);
  const messages = [...seeds];
  for (let i = 0; i < MESSAGE_MUTATIONS; i++) {
    const seed = seeds[i % seeds.length]!;
    messages.push(i % 2 === 0 ? mutate(seed, rng, LIMITS.maxMessageBytes).data : mutateBytes(seed, rng));
  }

  it(`agree on every checked value of ${seeds.length} messages, their mutations and mutations of each value`, () => {
    const tally = { values: 0, accepted: 0, refused: 0, leftToParser: 0, common: 0 };
    const disagreements: string[] = [];
    const check = (kind: Kind, value: string): void => {
      for (const problem of commonFormProblems(value)) if (disagreements.length < 20) disagreements.push(problem);
      if (isCommonVia(value) || isCommonNameAddr(value) || isCommonRequestUri(value)) tally.common++;
      const scanned = scans(kind, value);
      const parsed = parses(kind, value);
      tally.values++;
      if (scanned === parsed) {
        if (parsed) tally.accepted++;
        else tally.refused++;
        return;
      }
      // Only where the text is not ASCII may the scanner say "not sure" (false) to a value the parser takes.
      // eslint-disable-next-line no-control-regex
      if (!scanned && /[^\u0000-\u007f]/.test(value)) {
        tally.leftToParser++;
        return;
      }
      if (disagreements.length < 20)
        disagreements.push(`${kind} ${JSON.stringify(value)}: scanner ${scanned}, parser ${parsed}`);
    };
    for (const data of messages) {
      for (const [kind, value] of checkedValues(data)) {
        check(kind, value);
        for (let k = 0; k < VALUE_MUTATIONS; k++) check(kind, mutateValue(value, rng));
      }
    }
    assert.deepEqual(disagreements, [], `seed ${SEED}`);
    assert.ok(tally.accepted > 5000 && tally.refused > 5000 && tally.common > 5000, JSON.stringify(tally));
  });

  it('never accepts a message whose Via, From, To, Contact or Request-URI view then fails to parse', () => {
    let accepted = 0;
    for (const data of messages) {
      let m;
      try {
        m = parseMessage(data, LIMITS);
      } catch (error) {
        if (error instanceof SipParseError) continue;
        throw error;
      }
      accepted++;
      assert.doesNotThrow(
        () => {
          void [m.vias, m.from, m.to];
          if (m.isRequest()) void [m.contacts, m.requestUri];
        },
        JSON.stringify(data.toString('latin1')),
      );
    }
    assert.ok(accepted > 100, `accepted ${accepted}`);
  });
});
