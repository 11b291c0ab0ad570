import { COPY_REQUEST_TYPE } from '../../../src/sip/copy/copy-request-body';
import { chance, pick, randomInt, type Rng } from './rng';

/**
 * Seeded mutation of the bodies that carry a copy request: the JSON of
 * application/vnd.cmr.copy-request+json (docs/copy-request.schema.json) at the structure level (wrong
 * types, missing and extra fields, deep nesting, huge strings, unicode) and the text level (invalid
 * UTF-8, truncation, duplicate keys), the key presses of application/dtmf-relay and application/dtmf,
 * and the Content-Type that labels them.
 */

export type CopyBodyKind = 'copy-json' | 'dtmf-relay' | 'dtmf';

export interface FuzzBody {
  readonly body: Buffer;
  /** null: the request goes without a Content-Type. */
  readonly contentType: string | null;
  /** What was done to it, for the report of a finding. */
  readonly applied: readonly string[];
}

/** A body stays under sip.limits.maxMessageBytes (65 535) with its head (a few kB at most). */
const MAX_BODY_BYTES = 60_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const NATURAL_TYPE: Readonly<Record<CopyBodyKind, string>> = {
  'copy-json': COPY_REQUEST_TYPE,
  'dtmf-relay': 'application/dtmf-relay',
  dtmf: 'application/dtmf',
};

const OTHER_TYPES: readonly string[] = [
  COPY_REQUEST_TYPE,
  `${COPY_REQUEST_TYPE}; charset=utf-8`,
  COPY_REQUEST_TYPE.toUpperCase(),
  ` ${COPY_REQUEST_TYPE} `,
  'application/dtmf-relay',
  'application/dtmf',
  'application/json',
  'text/plain',
  'application/sdp',
  'multipart/mixed;boundary=fuzz',
  'application/vnd.cmr.copy-result+json',
  'application/',
  '/',
  '',
  ';;;',
  'application/vnd.cmr.copy-request+json\u0000',
  'appl\u00efcation/json',
];

const STRINGS: readonly string[] = [
  '',
  'copy-tone',
  'fuzz-tone',
  'copy',
  '../../etc/passwd',
  'a'.repeat(65),
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '🎵🎶',
  '\u202eenot',
  'e\u0301',
  'ｃｏｐｙ',
  '<script>',
  "'; drop table copies; --",
  '%s%n',
  '\\',
];

const NUMBERS: readonly number[] = [0, -0, 1, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.1, -1e-300];

/** A random JSON value of a random type, nested at most `depth` deep. */
function randomValue(rng: Rng, depth = 2): Json {
  switch (randomInt(rng, 0, 6)) {
    case 0:
      return null;
    case 1:
      return chance(rng, 0.5);
    case 2:
      return pick(rng, NUMBERS);
    case 3:
      return pick(rng, STRINGS);
    case 4:
      return depth <= 0 ? [] : Array.from({ length: randomInt(rng, 0, 3) }, () => randomValue(rng, depth - 1));
    case 5:
      return depth <= 0 ? {} : { [pick(rng, ['action', 'consent', 'resourceId', 'x'])]: randomValue(rng, depth - 1) };
    default:
      return 'copy';
  }
}

function nest(value: Json, depth: number, asArray: boolean): Json {
  let out = value;
  for (let i = 0; i < depth; i++) out = asArray ? [out] : { a: out };
  return out;
}

const FIELDS = ['action', 'consent', 'resourceId'] as const;

/** Mutations of the parsed document: what a confused or hostile client app might send. */
const STRUCTURE: Readonly<Record<string, (doc: Record<string, Json>, rng: Rng) => Json>> = {
  'drop-field': (doc, rng) => {
    delete doc[pick(rng, FIELDS)];
    return doc;
  },
  'extra-field': (doc, rng) => ({
    ...doc,
    [pick(rng, ['requester', 'owner', 'caller', 'price', 'x', '', ' action'])]: randomValue(rng),
  }),
  'wrong-type': (doc, rng) => ({ ...doc, [pick(rng, FIELDS)]: randomValue(rng) }),
  'nested-value': (doc, rng) => ({
    ...doc,
    [pick(rng, FIELDS)]: nest(randomValue(rng, 0), randomInt(rng, 2, 200), chance(rng, 0.5)),
  }),
  'huge-string': (doc, rng) => ({ ...doc, [pick(rng, [...FIELDS, 'note'])]: 'x'.repeat(randomInt(rng, 1000, 40_000)) }),
  unicode: (doc, rng) => ({ ...doc, [pick(rng, FIELDS)]: pick(rng, STRINGS) + pick(rng, STRINGS) }),
  'resource-id': (doc, rng) => ({ ...doc, resourceId: pick(rng, STRINGS) }),
  'proto-keys': (doc, rng) => {
    const key = pick(rng, ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
    const rest = Object.keys(doc).length > 0 ? `,${JSON.stringify(doc).slice(1)}` : '}';
    return JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(randomValue(rng))}${rest}`) as Json;
  },
  'top-level': (_doc, rng) => pick<Json>(rng, [[], [{ action: 'copy' }], 'copy', 0, null, true, { '': '' }]),
  'many-fields': (doc, rng) => {
    const out: Record<string, Json> = { ...doc };
    const count = randomInt(rng, 50, 2000);
    for (let i = 0; i < count; i++) out[`f${i}`] = i;
    return out;
  },
};

/** Invalid UTF-8: a lone continuation byte, a truncated sequence, an overlong form, a surrogate, 0xFF. */
const BAD_UTF8: readonly number[][] = [
  [0x80],
  [0xc3],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xff],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

/** Mutations of the serialized text: what a broken encoder or a hostile sender writes. */
const TEXT: Readonly<Record<string, (text: Buffer, rng: Rng) => Buffer>> = {
  'invalid-utf8': (t, rng) => {
    const at = randomInt(rng, 0, t.length);
    return Buffer.concat([t.subarray(0, at), Buffer.from(pick(rng, BAD_UTF8)), t.subarray(at)]);
  },
  truncate: (t, rng) => t.subarray(0, randomInt(rng, 0, Math.max(0, t.length - 1))),
  'trailing-garbage': (t, rng) =>
    Buffer.concat([t, Buffer.from(pick(rng, [',', '}', ']', ' x', '\u0000', '{}', '\n\n']))]),
  'duplicate-key': (t, rng) =>
    Buffer.from(t.toString('utf8').replace('{', `{"${pick(rng, FIELDS)}":${JSON.stringify(randomValue(rng, 0))},`)),
  // Built as text: JSON.stringify itself overflows the stack on values this deep.
  'deep-nesting': (_t, rng) => {
    // At most ~60 kB, so the request stays under sip.limits.maxMessageBytes and reaches the body parser.
    const [open, close] = chance(rng, 0.5) ? ['[', ']'] : ['{"a":', '}'];
    const depth = randomInt(rng, 100, Math.floor(60_000 / (open.length + close.length)));
    const closing = chance(rng, 0.8) ? close.repeat(depth) : '';
    return Buffer.from(`{"action":"copy","consent":${open.repeat(depth)}true${closing}}`);
  },
  bom: (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), t]),
  'utf16-encoding': (t) => Buffer.from(t.toString('utf8'), 'utf16le'),
  whitespace: (t, rng) => Buffer.from(`${' \t\r\n'.repeat(randomInt(rng, 1, 2000))}${t.toString('utf8')}`),
  'not-json': (_t, rng) =>
    Buffer.from(
      pick(rng, ["{'action':'copy'}", '{action:copy}', 'copy', '', ' ', 'null', '{"action":"copy",}', '/*x*/{}']),
    ),
  'number-edge': (t, rng) =>
    Buffer.from(t.toString('utf8').replace('true', pick(rng, ['1e400', '-0', '0x1', 'NaN', '1.', 'tru', 'True']))),
  'byte-flip': (t, rng) => {
    const out = Buffer.from(t);
    if (out.length > 0) out[randomInt(rng, 0, out.length - 1)] = randomInt(rng, 0, 255);
    return out;
  },
};

/** A copy request body: valid one time in four (so copies really happen), else 1 or 2 mutations. */
export function copyJsonBody(rng: Rng, resourceId: string | null): { body: Buffer; applied: string[] } {
  const doc: Record<string, Json> = { action: 'copy', consent: chance(rng, 0.7) };
  if (resourceId !== null && chance(rng, 0.5)) doc.resourceId = resourceId;
  if (chance(rng, 0.25)) return { body: Buffer.from(JSON.stringify(doc)), applied: [] };
  const applied: string[] = [];
  let value: Json = doc;
  if (chance(rng, 0.7)) {
    const name = pick(rng, Object.keys(STRUCTURE));
    value = STRUCTURE[name]!(doc, rng);
    applied.push(name);
  }
  let body: Buffer = Buffer.from(JSON.stringify(value));
  if (applied.length === 0 || chance(rng, 0.3)) {
    const name = pick(rng, Object.keys(TEXT));
    body = TEXT[name]!(body, rng);
    applied.push(name);
  }
  return { body, applied };
}

const DTMF_LINES: readonly string[] = [
  'Signal=*',
  'Signal=1',
  'Signal=#',
  'signal = *',
  'SIGNAL=d',
  'Signal= 10 ',
  'Signal=11',
  'Signal=99',
  'Signal=-1',
  'Signal=1e1',
  'Signal=',
  'Signal==*',
  'Signal=**',
  'Signal=\u0661',
  'Duration=160',
  'Duration=-5',
  'Duration=99999999999999999999',
  'Duration=',
  '=',
  '*',
  '1',
  '',
  ' ',
  '\u0000',
  'Signal\t=\t*',
];

/** An application/dtmf-relay body (or, for `dtmf`, the bare digit) of lines from the list, joined oddly. */
export function dtmfBody(rng: Rng, kind: 'dtmf-relay' | 'dtmf'): { body: Buffer; applied: string[] } {
  if (chance(rng, 0.25)) {
    const digit = pick(rng, ['*', '1', '2']);
    return { body: Buffer.from(kind === 'dtmf' ? digit : `Signal=${digit}\r\nDuration=160\r\n`), applied: [] };
  }
  const lines = Array.from({ length: randomInt(rng, 0, 6) }, () => pick(rng, DTMF_LINES));
  const separator = pick(rng, ['\r\n', '\n', '\r', '', ' ', '\r\n\r\n']);
  let body: Buffer = Buffer.from(lines.join(separator));
  const applied = ['dtmf-lines'];
  if (chance(rng, 0.15)) {
    body = Buffer.from(`${'Duration=1\r\n'.repeat(randomInt(rng, 100, 3000))}Signal=*`);
    applied.push('many-lines');
  }
  if (chance(rng, 0.2)) {
    body = TEXT['invalid-utf8']!(body, rng);
    applied.push('invalid-utf8');
  }
  return { body, applied };
}

/** A copy-bearing body of `kind`, labelled with its own Content-Type four times in five. */
export function copyBearingBody(rng: Rng, kind: CopyBodyKind, resourceId: string | null): FuzzBody {
  const made = kind === 'copy-json' ? copyJsonBody(rng, resourceId) : dtmfBody(rng, kind);
  // Larger ones would be refused whole (513) before any body parser, and close a live call's TCP connection.
  const body = made.body.length > MAX_BODY_BYTES ? made.body.subarray(0, MAX_BODY_BYTES) : made.body;
  const applied = made.body.length > MAX_BODY_BYTES ? [...made.applied, 'cut'] : made.applied;
  if (chance(rng, 0.8)) return { body, contentType: NATURAL_TYPE[kind], applied };
  const contentType = chance(rng, 0.1) ? null : pick(rng, OTHER_TYPES);
  return { body, contentType, applied: [...applied, 'content-type'] };
}
