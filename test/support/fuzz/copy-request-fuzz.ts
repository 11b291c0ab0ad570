import { copyBearingBody, type CopyBodyKind } from './body-mutator';
import { message, type RawCaller } from './raw-caller';
import { garbage } from './sip-mutator';
import { chance, pick, type Rng } from './rng';

/**
 * Copy-bearing requests for a live call, so mutated bodies reach the copy controller: INFO and MESSAGE
 * in the caller's early dialog (right Call-ID, tags and a rising CSeq), and MESSAGE outside the dialog
 * naming the call with Target-Dialog (RFC 4538). The SIP around the body stays valid; the body, its
 * Content-Type, the Info-Package and the Target-Dialog are what varies.
 */

export type CopyRequestKind =
  'info-cmr-copy' | 'info-json' | 'info-dtmf-relay' | 'info-dtmf' | 'message-in-dialog' | 'message-target-dialog';

export const COPY_REQUEST_KINDS: readonly CopyRequestKind[] = [
  'info-cmr-copy',
  'info-json',
  'info-dtmf-relay',
  'info-dtmf',
  'message-in-dialog',
  'message-target-dialog',
];

const BODY_OF: Readonly<Record<CopyRequestKind, CopyBodyKind>> = {
  'info-cmr-copy': 'copy-json',
  'info-json': 'copy-json',
  'info-dtmf-relay': 'dtmf-relay',
  'info-dtmf': 'dtmf',
  'message-in-dialog': 'copy-json',
  'message-target-dialog': 'copy-json',
};

const ODD_PACKAGES = ['CMR-Copy', 'cmr-copy;x=1', 'cmr-copy, infoDtmf', 'unknown-package', '', ';', 'infoDtmf'];

export interface CopyFuzzMessage {
  readonly kind: CopyRequestKind;
  readonly data: Buffer;
  readonly applied: readonly string[];
}

export interface CopyFuzzTarget {
  readonly call: RawCaller;
  /** The call's caller: the only party allowed to copy from outside the dialog. */
  readonly caller: string;
  readonly owner: string;
  readonly resourceId: string;
}

/** One copy-bearing request for `target`'s call, of a random kind; `id` makes out-of-dialog ones unique. */
export function copyBearingRequest(rng: Rng, target: CopyFuzzTarget, id: string): CopyFuzzMessage {
  const kind = pick(rng, COPY_REQUEST_KINDS);
  const { body, contentType, applied } = copyBearingBody(rng, BODY_OF[kind], target.resourceId);
  if (kind === 'message-target-dialog') {
    return { kind, data: outOfDialogMessage(rng, target, id, body, contentType), applied };
  }
  const headers: string[] = [];
  if (kind === 'info-cmr-copy')
    headers.push(`Info-Package: ${chance(rng, 0.8) ? 'cmr-copy' : pick(rng, ODD_PACKAGES)}`);
  if (kind === 'info-dtmf-relay' && chance(rng, 0.5)) headers.push('Info-Package: infoDtmf');
  const method = kind === 'message-in-dialog' ? 'MESSAGE' : 'INFO';
  const data = target.call.dialogRequest(method, { contentType, body, headers });
  return { kind, data, applied };
}

/** The Target-Dialog of the call as RFC 4538 writes it, or one of the ways a client gets it wrong. */
function targetDialog(rng: Rng, call: RawCaller): string | null {
  const right = call.targetDialog;
  if (chance(rng, 0.75)) return right;
  const [callId = '', ...params] = right.split(';');
  return pick(rng, [
    null,
    '',
    callId,
    `${callId};local-tag=${call.fromTag}`,
    `${callId};remote-tag=x;local-tag=${call.fromTag}`,
    `other-${callId};${params.join(';')}`,
    `${callId};${params.reverse().join(';')}`,
    `${right};local-tag=again`,
    `${right};${'x=y;'.repeat(500)}`,
    ` ${right.replace(/;/g, ' ; ')} `,
    // No CR or LF: a blank line in the head would cut the live call's TCP stream.
    garbage(rng, 60).replace(/[\r\n]/g, ''),
  ]);
}

function outOfDialogMessage(rng: Rng, target: CopyFuzzTarget, id: string, body: Buffer, type: string | null): Buffer {
  const endpoint = target.call.endpoint;
  const local = `127.0.0.1:${endpoint.localPort}`;
  const owner = `sip:${target.owner}@127.0.0.1:${endpoint.serverPort}`;
  const requester = chance(rng, 0.85) ? target.caller : pick(rng, ['+15550000000', 'anonymous', '%00', '']);
  const dialog = targetDialog(rng, target.call);
  const head = [
    `MESSAGE ${owner} SIP/2.0`,
    `Via: SIP/2.0/${endpoint.viaTransport} ${local};branch=z9hG4bK-td-${id};rport`,
    'Max-Forwards: 70',
    `From: <sip:${requester}@127.0.0.1>;tag=td-${id}`,
    `To: <${owner}>`,
    `Call-ID: td-${id}@fuzz.invalid`,
    'CSeq: 1 MESSAGE',
    ...(dialog === null ? [] : [`Target-Dialog: ${dialog}`]),
    ...(chance(rng, 0.1)
      ? [`P-Asserted-Identity: ${pick(rng, ['<sip:+15550000000@127.0.0.1>', 'garbage', `<tel:${target.caller}>`])}`]
      : []),
    ...(type === null ? [] : [`Content-Type: ${type}`]),
  ];
  return message(head, body);
}
