import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isLoopback } from './free-port';
import { SippHarnessError } from './sipp-error';

/**
 * A stand-in for a SIP server over UDP, for testing scenarios (not the server): every datagram is
 * split into start line, headers and body by plain string work, and a test-supplied function
 * decides the answer. It knows nothing of transactions or dialogs; it replies to the datagram's
 * source, as SIPp's `-t u1` socket expects.
 */

export interface ReceivedRequest {
  method: string;
  uri: string;
  version: string;
  /** Header lines in order, names as sent. */
  headers: [name: string, value: string][];
  body: string;
  raw: string;
  /** First value of a header, by case-insensitive full name. */
  header(name: string): string | undefined;
}

export interface Reply {
  status: number;
  reason: string;
  /** Extra header lines, e.g. `Allow: INVITE, ACK`. */
  headers?: string[];
  /** Add a To tag when the request has none (default true; a UAS must, RFC 3261 8.2.6.2). */
  addToTag?: boolean;
  body?: string;
}

export type RequestHandler = (request: ReceivedRequest) => Reply[];

export interface ScriptedResponder {
  readonly host: string;
  readonly port: number;
  /** Every request received, retransmissions included, in arrival order. */
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'];

export async function startScriptedResponder(options: {
  host?: string;
  port?: number;
  handle: RequestHandler;
}): Promise<ScriptedResponder> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new SippHarnessError('SIPP.NOT_LOOPBACK', `responder only binds loopback, not ${host}`);
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const received: ReceivedRequest[] = [];
  socket.on('message', (datagram, peer) => {
    const request = parseRequest(datagram.toString('utf8'));
    if (!request) return;
    received.push(request);
    for (const reply of options.handle(request)) send(socket, buildResponse(request, reply), peer);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port: options.port ?? 0 }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    host,
    port: socket.address().port,
    received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export function parseRequest(raw: string): ReceivedRequest | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? raw : raw.slice(0, headEnd);
  const [startLine, ...lines] = head.split('\r\n');
  const parts = (startLine ?? '').split(' ');
  if (parts.length !== 3 || (parts[2] ?? '').startsWith('SIP/') === false) return undefined;
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return {
    method: parts[0] ?? '',
    uri: parts[1] ?? '',
    version: parts[2] ?? '',
    headers,
    body: headEnd < 0 ? '' : raw.slice(headEnd + 4),
    raw,
    header: (name) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1],
  };
}

export function buildResponse(request: ReceivedRequest, reply: Reply): string {
  const lines = [`SIP/2.0 ${reply.status} ${reply.reason}`];
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (!COPIED.includes(lower)) continue;
    const needsTag = lower === 'to' && reply.addToTag !== false && reply.status > 100 && !/;\s*tag=/i.test(value);
    lines.push(`${name}: ${value}${needsTag ? ';tag=responder' : ''}`);
  }
  lines.push(...(reply.headers ?? []));
  const body = reply.body ?? '';
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function send(socket: Socket, text: string, peer: RemoteInfo): void {
  socket.send(Buffer.from(text, 'utf8'), peer.port, peer.address);
}
