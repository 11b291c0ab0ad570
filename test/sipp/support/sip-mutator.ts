/**
 * Seeded random mutation of SIP requests, for throwing mangled input at the server over sockets.
 * Deterministic for a seed: the same seed gives the same messages, so a failure can be replayed.
 */

/** A random number in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small, fast 32-bit PRNG; good enough to pick mutations, not for cryptography. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randomInt = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

export type BaseMethod = 'OPTIONS' | 'INVITE' | 'MESSAGE' | 'BYE' | 'INFO';
export const BASE_METHODS: readonly BaseMethod[] = ['OPTIONS', 'INVITE', 'MESSAGE', 'BYE', 'INFO'];

export interface BaseMessageInit {
  method: BaseMethod;
  /** Via transport and the address responses go back to (the client's own socket for UDP). */
  protocol: 'UDP' | 'TCP';
  clientPort: number;
  serverPort: number;
  /** Unique per message: goes into the Call-ID and branch so messages never match each other. */
  id: string;
}

const SDP = [
  'v=0',
  'o=fuzz 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join('\r\n');

const BODIES: Record<BaseMethod, { type: string; body: string } | null> = {
  OPTIONS: null,
  INVITE: { type: 'application/sdp', body: SDP },
  MESSAGE: { type: 'text/plain', body: 'copy the ringing tone, please' },
  BYE: null,
  INFO: { type: 'application/dtmf-relay', body: 'Signal=1\r\nDuration=160\r\n' },
};

/** A valid request of `method`; BYE and INFO carry a To tag (in a dialog the server does not have). */
export function baseMessage(init: BaseMessageInit): Buffer {
  const { method, protocol, clientPort, serverPort, id } = init;
  const inDialog = method === 'BYE' || method === 'INFO';
  const payload = BODIES[method];
  const lines = [
    `${method} sip:bob@127.0.0.1:${serverPort} SIP/2.0`,
    `Via: SIP/2.0/${protocol} 127.0.0.1:${clientPort};branch=z9hG4bK-fuzz-${id};rport`,
    'Max-Forwards: 70',
    `From: "Fuzz" <sip:alice@127.0.0.1:${clientPort}>;tag=fz-${id}`,
    `To: <sip:bob@127.0.0.1:${serverPort}>${inDialog ? ';tag=gone' : ''}`,
    `Call-ID: fuzz-${id}@127.0.0.1`,
    `CSeq: ${inDialog ? 2 : 1} ${method}`,
    `Contact: <sip:alice@127.0.0.1:${clientPort}${protocol === 'TCP' ? ';transport=tcp' : ''}>`,
    'Subject: mutation',
    'User-Agent: cmr-mutation-test',
  ];
  if (payload) lines.push(`Content-Type: ${payload.type}`);
  const body = payload?.body ?? '';
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

type MutationFn = (message: Buffer, rng: Rng, maxBytes: number) => Buffer;

/** Lines of the head (without CRLF) and the rest (blank line and body), or the whole as one head. */
function split(message: Buffer): { lines: string[]; rest: string } {
  const text = message.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  return { lines: head.split('\r\n'), rest: end < 0 ? '' : text.slice(end) };
}

const join = (lines: string[], rest: string): Buffer => Buffer.from(lines.join('\r\n') + rest, 'latin1');

const GARBAGE_ALPHABET = 'abcXYZ019 \t;,:<>"\\@=%/?&[]()*+-._~!$\'\u0000\u0001\u0007\u001b\u007f\u0080\u00a0\u00ff\r\n';

function garbage(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += GARBAGE_ALPHABET[Math.floor(rng() * GARBAGE_ALPHABET.length)];
  return out;
}

/** Index of a random header line (not the start line), or -1 when there is none. */
function headerLine(lines: string[], rng: Rng): number {
  return lines.length < 2 ? -1 : randomInt(rng, 1, lines.length - 1);
}

export const MUTATIONS: Readonly<Record<string, MutationFn>> = {
  'byte-flip': (m, rng) => {
    const out = Buffer.from(m);
    const flips = randomInt(rng, 1, 8);
    for (let i = 0; i < flips && out.length > 0; i++) out[randomInt(rng, 0, out.length - 1)] = randomInt(rng, 0, 255);
    return out;
  },
  'bit-flip': (m, rng) => {
    const out = Buffer.from(m);
    if (out.length > 0) {
      const at = randomInt(rng, 0, out.length - 1);
      out[at] = (out[at] ?? 0) ^ (1 << randomInt(rng, 0, 7));
    }
    return out;
  },
  'line-drop': (m, rng) => {
    const { lines, rest } = split(m);
    lines.splice(randomInt(rng, 0, lines.length - 1), 1);
    return join(lines, rest);
  },
  'line-duplicate': (m, rng) => {
    const { lines, rest } = split(m);
    const at = randomInt(rng, 0, lines.length - 1);
    lines.splice(at, 0, lines[at] ?? '');
    return join(lines, rest);
  },
  'header-garbage': (m, rng) => {
    const { lines, rest } = split(m);
    const at = headerLine(lines, rng);
    const line = lines[at];
    if (line === undefined) return m;
    const colon = line.indexOf(':');
    lines[at] = `${colon < 0 ? line : line.slice(0, colon + 1)} ${garbage(rng, randomInt(rng, 0, 200))}`;
    return join(lines, rest);
  },
  'content-length-lie': (m, rng) => {
    const { lines, rest } = split(m);
    const value = pick(rng, ['0', '1', '-1', '99999999999999999999', '4294967296', 'abc', '', ' 10 ', '0x10', '65536']);
    const at = lines.findIndex((l) => /^content-length\s*:/i.test(l));
    if (at < 0) lines.push(`Content-Length: ${value}`);
    else lines[at] = `Content-Length: ${value}`;
    return join(lines, rest);
  },
  truncate: (m, rng) => m.subarray(0, randomInt(rng, 0, Math.max(0, m.length - 1))),
  'huge-value': (m, rng, maxBytes) => {
    const { lines, rest } = split(m);
    const room = maxBytes - m.length - 64;
    if (room < 1024) return m;
    const pad = 'x'.repeat(randomInt(rng, 1024, room));
    const at = headerLine(lines, rng);
    const line = lines[at];
    if (rng() < 0.5 || line === undefined) lines.splice(Math.max(1, at), 0, `X-Huge: ${pad}`);
    else lines[at] = `${line};huge=${pad}`;
    return join(lines, rest);
  },
  'crlf-injection': (m, rng) => {
    const { lines, rest } = split(m);
    const at = headerLine(lines, rng);
    const line = lines[at];
    if (line === undefined) return m;
    const injected = pick(rng, ['\r\n', '\r\n\r\n', '\n', '\r', '\r\n ', '\r\nX-Injected: 1\r\n', '\u0000']);
    const pos = randomInt(rng, 0, line.length);
    lines[at] = line.slice(0, pos) + injected + line.slice(pos);
    return join(lines, rest);
  },
};

export const MUTATION_NAMES = Object.keys(MUTATIONS);

/** Applies 1 to 3 random mutations (or none, one time in twenty); the result is at most `maxBytes`. */
export function mutate(message: Buffer, rng: Rng, maxBytes: number): { data: Buffer; applied: string[] } {
  if (rng() < 0.05) return { data: message, applied: [] };
  let data = message;
  const applied: string[] = [];
  const count = randomInt(rng, 1, 3);
  for (let i = 0; i < count; i++) {
    const name = pick(rng, MUTATION_NAMES);
    data = MUTATIONS[name]!(data, rng, maxBytes);
    applied.push(name);
  }
  return { data: data.length > maxBytes ? data.subarray(0, maxBytes) : data, applied };
}
