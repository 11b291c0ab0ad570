/**
 * Valid SIP messages for the mutators to start from: requests of every method the server meets, and
 * responses (which the server receives as strays, matching none of its transactions).
 */

export type BaseMethod =
  | 'OPTIONS'
  | 'INVITE'
  | 'MESSAGE'
  | 'BYE'
  | 'INFO'
  | 'CANCEL'
  | 'ACK'
  | 'UPDATE'
  | 'PRACK'
  | 'REGISTER'
  | 'SUBSCRIBE'
  | 'NOTIFY'
  | 'REFER';

/** The methods of the first mutation test; the fuzz harness takes ALL_METHODS. */
export const BASE_METHODS: readonly BaseMethod[] = ['OPTIONS', 'INVITE', 'MESSAGE', 'BYE', 'INFO'];
export const ALL_METHODS: readonly BaseMethod[] = [
  ...BASE_METHODS,
  'CANCEL',
  'ACK',
  'UPDATE',
  'PRACK',
  'REGISTER',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
];

export interface BaseMessageInit {
  method: BaseMethod;
  /** Via transport and the address responses go back to (the client's own socket for UDP). */
  protocol: 'UDP' | 'TCP';
  clientPort: number;
  serverPort: number;
  /** Unique per message: goes into the Call-ID and branch so messages never match each other. */
  id: string;
}

export const FUZZ_SDP = [
  'v=0',
  'o=fuzz 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  '',
].join('\r\n');

const BODIES: Partial<Record<BaseMethod, { type: string; body: string }>> = {
  INVITE: { type: 'application/sdp', body: FUZZ_SDP },
  UPDATE: { type: 'application/sdp', body: FUZZ_SDP },
  MESSAGE: { type: 'text/plain', body: 'copy the ringing tone, please' },
  INFO: { type: 'application/dtmf-relay', body: 'Signal=1\r\nDuration=160\r\n' },
  NOTIFY: { type: 'message/sipfrag', body: 'SIP/2.0 200 OK\r\n' },
};

/** Methods sent with a To tag, in a dialog the server does not have. */
const IN_DIALOG = new Set<BaseMethod>(['BYE', 'INFO', 'UPDATE', 'PRACK', 'NOTIFY', 'REFER']);

/** Extra header lines per method, so the mutators also reach the headers those methods bring. */
const EXTRA: Partial<Record<BaseMethod, (init: BaseMessageInit) => string[]>> = {
  INVITE: (i) => [
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, UPDATE',
    'Supported: timer, 100rel',
    `Record-Route: <sip:127.0.0.1:${i.clientPort};lr>`,
    `P-Asserted-Identity: <sip:+15550009999@127.0.0.1>`,
    `P-Charging-Vector: icid-value=fuzz-${i.id};orig-ioi=fuzz`,
    'Accept: application/sdp',
  ],
  INFO: () => ['Info-Package: infoDtmf'],
  SUBSCRIBE: () => ['Event: dialog', 'Expires: 60', 'Accept: application/dialog-info+xml'],
  NOTIFY: () => ['Event: refer', 'Subscription-State: active;expires=60'],
  REFER: (i) => [`Refer-To: <sip:carol@127.0.0.1:${i.clientPort}>`],
  REGISTER: () => ['Expires: 3600'],
  PRACK: () => ['RAck: 1 1 INVITE'],
};

/** A valid request of `method`; in-dialog methods carry a To tag (in a dialog the server does not have). */
export function baseMessage(init: BaseMessageInit): Buffer {
  const { method, protocol, clientPort, serverPort, id } = init;
  const inDialog = IN_DIALOG.has(method);
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
    ...(EXTRA[method]?.(init) ?? []),
  ];
  if (payload) lines.push(`Content-Type: ${payload.type}`);
  const body = payload?.body ?? '';
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

export interface BaseResponseInit {
  status: number;
  /** The method of the request answered (CSeq). */
  method: BaseMethod;
  protocol: 'UDP' | 'TCP';
  /** The server's port: a response's top Via names the server, the request's sender. */
  serverPort: number;
  id: string;
}

export const RESPONSE_STATUSES: readonly number[] = [100, 180, 183, 200, 202, 302, 401, 404, 407, 486, 487, 500, 603];

/** A response the server receives though it sent no request: it must drop it quietly (RFC 3261 §18.1.2). */
export function baseResponse(init: BaseResponseInit): Buffer {
  const { status, method, protocol, serverPort, id } = init;
  const withSdp = method === 'INVITE' && (status === 183 || status === 200);
  const lines = [
    `SIP/2.0 ${status} Fuzz Reason`,
    `Via: SIP/2.0/${protocol} 127.0.0.1:${serverPort};branch=z9hG4bK-stray-${id}`,
    `From: <sip:cmr-as@127.0.0.1:${serverPort}>;tag=as-${id}`,
    `To: <sip:bob@127.0.0.1>;tag=fz-${id}`,
    `Call-ID: stray-${id}@127.0.0.1`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:bob@127.0.0.1:5099>`,
    ...(status === 401 ? ['WWW-Authenticate: Digest realm="fuzz", nonce="abc", algorithm=MD5'] : []),
    ...(status === 302 ? ['Contact: <sip:elsewhere@127.0.0.1:5098>'] : []),
    ...(withSdp ? ['Content-Type: application/sdp'] : []),
  ];
  const body = withSdp ? FUZZ_SDP : '';
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}
