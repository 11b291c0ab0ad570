/**
 * The three messages the parsers are compared on, as an IMS core would hand them to the server: an
 * initial INVITE with SDP (two Vias, Record-Route, P-Asserted-Identity, P-Charging-Vector), the
 * called party's 200 OK with SDP, and the caller's DTMF INFO in the dialog.
 */

export interface SampleMessage {
  readonly name: string;
  readonly text: string;
  readonly bytes: Buffer;
  /** What every parser must read from it, checked once before timing. */
  readonly expect: {
    readonly method: string | null;
    readonly status: number | null;
    readonly callId: string;
    readonly cseq: number;
    readonly branch: string;
    readonly fromTag: string;
    readonly bodyLength: number;
  };
}

const CALL_ID = 'a84b4c76e66710-3848276298220188511@198.51.100.7';

const OFFER = [
  'v=0',
  'o=- 2890844526 2890844526 IN IP4 198.51.100.7',
  's=-',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

const ANSWER = [
  'v=0',
  'o=- 3724394400 3724394401 IN IP4 203.0.113.20',
  's=-',
  'c=IN IP4 203.0.113.20',
  't=0 0',
  'm=audio 30000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  '',
].join('\r\n');

const DTMF = 'Signal=*\r\nDuration=160\r\n';

function message(head: string[], body: string): string {
  return [...head, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

function sample(
  name: string,
  text: string,
  expect: Omit<SampleMessage['expect'], 'callId' | 'bodyLength'>,
  body: string,
): SampleMessage {
  return {
    name,
    text,
    bytes: Buffer.from(text, 'utf8'),
    expect: { ...expect, callId: CALL_ID, bodyLength: Buffer.byteLength(body) },
  };
}

export const INVITE = sample(
  'INVITE with SDP',
  message(
    [
      'INVITE sip:+15550001001@as.cmr.example.net:5060;user=phone SIP/2.0',
      'Via: SIP/2.0/UDP scscf.ims.example.net:6060;branch=z9hG4bK-524287-1---c9f1e4a7b3d2;rport',
      'Via: SIP/2.0/UDP pcscf.ims.example.net:5060;branch=z9hG4bKnashds8;received=192.0.2.10',
      'Record-Route: <sip:scscf.ims.example.net:6060;transport=udp;lr>',
      'Max-Forwards: 69',
      'From: "Alice" <sip:+15550001002@ims.example.net;user=phone>;tag=1928301774',
      'To: <sip:+15550001001@ims.example.net;user=phone>',
      `Call-ID: ${CALL_ID}`,
      'CSeq: 314159 INVITE',
      'Contact: <sip:+15550001002@198.51.100.7:5060;transport=udp>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
      'P-Asserted-Identity: "Alice" <sip:+15550001002@ims.example.net;user=phone>',
      'P-Charging-Vector: icid-value=AyretyU0dm+6O2IrT5tAFrbHLso=;orig-ioi=ims.example.net',
      'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, UPDATE, PRACK',
      'Supported: timer, replaces',
      'Accept: application/sdp, application/dtmf-relay',
      'User-Agent: handset/1.0',
      'Content-Type: application/sdp',
    ],
    OFFER,
  ),
  { method: 'INVITE', status: null, cseq: 314159, branch: 'z9hG4bK-524287-1---c9f1e4a7b3d2', fromTag: '1928301774' },
  OFFER,
);

export const OK_WITH_SDP = sample(
  '200 OK with SDP',
  message(
    [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-b2b-7f3a91c2;rport=5060;received=203.0.113.5',
      'Record-Route: <sip:scscf.ims.example.net:6060;transport=udp;lr>',
      'From: <sip:+15550001002@ims.example.net;user=phone>;tag=as-4f1c2d',
      'To: <sip:+15550001001@ims.example.net;user=phone>;tag=b-83jd7',
      `Call-ID: ${CALL_ID}`,
      'CSeq: 1 INVITE',
      'Contact: <sip:+15550001001@203.0.113.20:5060;transport=udp>',
      'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, UPDATE',
      'Supported: timer',
      'Content-Type: application/sdp',
    ],
    ANSWER,
  ),
  { method: null, status: 200, cseq: 1, branch: 'z9hG4bK-b2b-7f3a91c2', fromTag: 'as-4f1c2d' },
  ANSWER,
);

export const INFO = sample(
  'INFO (DTMF)',
  message(
    [
      'INFO sip:as-leg-a@203.0.113.5:5060;transport=udp SIP/2.0',
      'Via: SIP/2.0/UDP scscf.ims.example.net:6060;branch=z9hG4bK-524287-2---77ab0e31;rport',
      'Via: SIP/2.0/UDP pcscf.ims.example.net:5060;branch=z9hG4bKnashds9;received=192.0.2.10',
      'Route: <sip:scscf.ims.example.net:6060;transport=udp;lr>',
      'Max-Forwards: 69',
      'From: "Alice" <sip:+15550001002@ims.example.net;user=phone>;tag=1928301774',
      'To: <sip:+15550001001@ims.example.net;user=phone>;tag=as-a-91c3',
      `Call-ID: ${CALL_ID}`,
      'CSeq: 314160 INFO',
      'Contact: <sip:+15550001002@198.51.100.7:5060;transport=udp>',
      'Content-Type: application/dtmf-relay',
    ],
    DTMF,
  ),
  { method: 'INFO', status: null, cseq: 314160, branch: 'z9hG4bK-524287-2---77ab0e31', fromTag: '1928301774' },
  DTMF,
);

export const SAMPLES: readonly SampleMessage[] = [INVITE, OK_WITH_SDP, INFO];
