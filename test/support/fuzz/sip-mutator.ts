import { pick, randomInt, type Rng } from './rng';

/**
 * Seeded random mutation of whole SIP messages, for throwing mangled input at the server over sockets:
 * at the byte level (byte and bit flips, truncation), the line level (drop, duplicate, swap, CRLF
 * injection, folding) and the header level (garbage values and names, lying Content-Length, huge
 * values, compact forms, bad URIs, a mangled start line). Deterministic for a seed.
 */

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

export function garbage(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += GARBAGE_ALPHABET[Math.floor(rng() * GARBAGE_ALPHABET.length)];
  return out;
}

/** Index of a random header line (not the start line), or -1 when there is none. */
function headerLine(lines: string[], rng: Rng): number {
  return lines.length < 2 ? -1 : randomInt(rng, 1, lines.length - 1);
}

/** RFC 3261 §7.3.3 and later RFCs: the one-letter forms of header names. */
const COMPACT: Readonly<Record<string, string>> = {
  via: 'v',
  from: 'f',
  to: 't',
  'call-id': 'i',
  contact: 'm',
  'content-length': 'l',
  'content-type': 'c',
  subject: 's',
  supported: 'k',
  'content-encoding': 'e',
  'refer-to': 'r',
  event: 'o',
  'allow-events': 'u',
  'session-expires': 'x',
  'referred-by': 'b',
};
const LONG = Object.fromEntries(Object.entries(COMPACT).map(([long, short]) => [short, long]));

/** URIs that are wrong in every way a parser can trip on. */
const BAD_URIS: readonly string[] = [
  'sip:',
  'sip:@',
  'sip:bob@',
  'sip:[::1',
  'sip:bob@[2001:db8::1:5060',
  'sip:bob@127.0.0.1:99999999',
  'sip:bob@127.0.0.1:-1',
  'sip:bob@127.0.0.1:',
  'tel:',
  'tel:+',
  'tel:5550100',
  'tel:+1-555;phone-context=',
  'http://example.com/',
  'mailto:bob@example.com',
  'sip:bob@127.0.0.1;;;',
  'sip:bob@127.0.0.1;=x',
  'sip:%zz@127.0.0.1',
  'sip:bob%@127.0.0.1',
  'sip:bob:pa:ss@127.0.0.1',
  'sip:bob@127.0.0.1?Route=%3Csip:evil%3E',
  'sip:bob@127.0.0.1?',
  'sips:bob@xn--nxasmq6b.example',
  'sip:bób@hôst.example',
  'sip:bob@host..example',
  'sip:bob@-host.example',
  'SIP:BOB@127.0.0.1',
  '<sip:bob@127.0.0.1>',
  'sip:bob@127.0.0.1>',
  'sip:bob@127.0.0.1;transport=',
  'sip:bob@127.0.0.1;lr;lr;lr;maddr=;ttl=999',
  `sip:${'a'.repeat(2000)}@127.0.0.1`,
  `sip:bob@${'h.'.repeat(300)}example`,
  '*',
  'sip:*@*',
  'sip:bob@[::ffff:127.0.0.1]:5060',
  'sip:bob@1.2.3.4.5',
  'urn:service:sos',
];

function badUri(rng: Rng): string {
  return pick(rng, BAD_URIS);
}

const URI_IN_HEADER = /<[^>]*>|sips?:[^\s;>,]+|tel:[^\s;>,]+/;

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
  'line-swap': (m, rng) => {
    const { lines, rest } = split(m);
    const a = randomInt(rng, 0, lines.length - 1);
    const b = randomInt(rng, 0, lines.length - 1);
    [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
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
  'header-name-garbage': (m, rng) => {
    const { lines, rest } = split(m);
    const at = headerLine(lines, rng);
    const line = lines[at];
    if (line === undefined) return m;
    const colon = line.indexOf(':');
    const value = colon < 0 ? line : line.slice(colon + 1);
    const name = pick(rng, ['', ' ', 'Via ', ' Call-ID', 'To\t', 'X Y', 'Fr\u00f6m', 'CSeq\u0000', garbage(rng, 8)]);
    lines[at] = pick(rng, [`${name}:${value}`, `${name}${value}`, `${name}::${value}`]);
    return join(lines, rest);
  },
  'content-length-lie': (m, rng) => {
    const { lines, rest } = split(m);
    const value = pick(rng, ['0', '1', '-1', '99999999999999999999', '4294967296', 'abc', '', ' 10 ', '0x10', '65536']);
    const at = lines.findIndex((l) => /^(content-length|l)\s*:/i.test(l));
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
  'many-headers': (m, rng) => {
    const { lines, rest } = split(m);
    const count = randomInt(rng, 100, 400);
    const at = Math.max(1, headerLine(lines, rng));
    lines.splice(at, 0, ...Array.from({ length: count }, (_, i) => `X-Many-${i}: ${i}`));
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
  folding: (m, rng) => {
    const { lines, rest } = split(m);
    const at = headerLine(lines, rng);
    const line = lines[at];
    if (line === undefined) return m;
    const spaces = [...line.matchAll(/[ ,;]/g)].map((x) => x.index ?? 0);
    const pos = spaces.length > 0 ? pick(rng, spaces) : line.length;
    lines[at] = `${line.slice(0, pos)}\r\n${pick(rng, [' ', '\t', '  \t '])}${line.slice(pos)}`;
    return join(lines, rest);
  },
  'compact-form': (m, rng) => {
    const { lines, rest } = split(m);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0 || rng() < 0.4) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const swapped = COMPACT[name] ?? LONG[name];
      const cased = rng() < 0.5 ? (swapped ?? name).toUpperCase() : (swapped ?? name);
      lines[i] = `${cased}${pick(rng, [':', ' :', '\t:  '])}${line.slice(colon + 1)}`;
    }
    return join(lines, rest);
  },
  'bad-uri': (m, rng) => {
    const { lines, rest } = split(m);
    const start = lines[0] ?? '';
    if (rng() < 0.4 && !start.startsWith('SIP/')) {
      const parts = start.split(' ');
      lines[0] = `${parts[0] ?? 'OPTIONS'} ${badUri(rng)} ${parts[2] ?? 'SIP/2.0'}`;
      return join(lines, rest);
    }
    const candidates = lines
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => /^(from|f|to|t|contact|m|route|record-route|p-asserted-identity|refer-to)\s*:/i.test(l));
    if (candidates.length === 0) return m;
    const { l, i } = pick(rng, candidates);
    lines[i] = l.replace(URI_IN_HEADER, (found) => (found.startsWith('<') ? `<${badUri(rng)}>` : badUri(rng)));
    return join(lines, rest);
  },
  'start-line': (m, rng) => {
    const { lines, rest } = split(m);
    const parts = (lines[0] ?? '').split(' ');
    const choice = randomInt(rng, 0, 5);
    if (choice === 0) parts[0] = pick(rng, ['', 'INVITEX', 'invite', 'FOO', 'I\u00d1VITE', 'SIP/2.0', garbage(rng, 6)]);
    else if (choice === 1)
      parts[parts.length - 1] = pick(rng, ['SIP/3.0', 'SIP/2.00', 'sip/2.0', 'HTTP/1.1', '', 'SIP/']);
    else if (choice === 2) parts.splice(1, 1);
    else if (choice === 3) parts.splice(1, 0, 'extra');
    else if (choice === 4) parts[1] = pick(rng, ['999', '099', '1000', 'abc', '2OO', '-200']);
    else return join([(lines[0] ?? '').replace(/ /g, pick(rng, ['  ', '\t', ''])), ...lines.slice(1)], rest);
    lines[0] = parts.join(' ');
    return join(lines, rest);
  },
  'body-garbage': (m, rng) => {
    const { lines } = split(m);
    const body = garbage(rng, randomInt(rng, 0, 400));
    if (rng() < 0.5) {
      const at = lines.findIndex((l) => /^(content-length|l)\s*:/i.test(l));
      const header = `Content-Length: ${Buffer.byteLength(body, 'latin1')}`;
      if (at < 0) lines.push(header);
      else lines[at] = header;
    }
    return join(lines, `\r\n\r\n${body}`);
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

/**
 * Mutates the head of `message` but keeps it one well-framed message (no blank line in the head, a true
 * Content-Length), for a stream that must stay usable afterwards: a live call's TCP connection.
 */
export function mutateKeepingFrame(message: Buffer, rng: Rng): { data: Buffer; applied: string[] } {
  const end = message.indexOf('\r\n\r\n');
  const head = end < 0 ? message : message.subarray(0, end);
  const body = end < 0 ? Buffer.alloc(0) : message.subarray(end + 4);
  const { data, applied } = mutate(Buffer.concat([head, Buffer.from('\r\n\r\n')]), rng, 8192);
  const lines = data
    .toString('latin1')
    .split('\r\n')
    .map((l) => l.replace(/[\r\n]/g, ''))
    .filter((l) => l.length > 0 && !/^\s*(content-length|l)\s*:/i.test(l));
  // A head cut to nothing would leave Content-Length as the start line, with no Content-Length after it.
  if (lines.length === 0) lines.push(head.toString('latin1').split('\r\n')[0] ?? 'SIP/2.0 200 OK');
  const framed = `${lines.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return { data: Buffer.concat([Buffer.from(framed, 'latin1'), body]), applied };
}
