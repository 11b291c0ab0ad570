import { randomBytes } from 'node:crypto';
import type { CopyOutcome, Money, Resource } from '../../cmr/model';
import { COPY_RESULT_TYPE } from './copy-request-body';
import { outcomeText, type EdgeRefusal } from './copy-outcome-responses';

export interface CopyNotice {
  readonly kind: 'result' | 'offer' | 'cancelled';
  /** For `cancelled`: `declined` (another key) or `lapsed` (no key in time). */
  readonly outcome: CopyOutcome | EdgeRefusal | 'offered' | 'declined' | 'lapsed';
  readonly callId: string;
  readonly resource: Resource | null;
  readonly price: Money | null;
  readonly chargeReference?: string | null;
  readonly confirmKey?: string;
}

function formatPrice(price: Money): string {
  return `${(price.amountMinor / 100).toFixed(2)} ${price.currency}`;
}

export function noticeText(notice: CopyNotice): string {
  const title = notice.resource?.title ?? null;
  if (notice.kind === 'offer' && notice.resource) {
    const price = notice.price ? ` for ${formatPrice(notice.price)}` : '';
    return `Copy "${notice.resource.title}"${price}? Press ${notice.confirmKey ?? '1'} to confirm.`;
  }
  if (notice.kind === 'cancelled') {
    const why = notice.outcome === 'lapsed' ? 'No confirmation: copy' : 'Copy';
    return `${why} of "${title ?? 'the ringing media'}" cancelled. Nothing was charged.`;
  }
  return outcomeText(notice.outcome as CopyOutcome | EdgeRefusal, title);
}

/**
 * The MESSAGE body the caller's handset gets: multipart/mixed (RFC 2046) with a text/plain line for
 * people and the machine-readable result (docs/copy-result.schema.json) for the client app.
 */
export function noticeBody(notice: CopyNotice): { body: Buffer; contentType: string } {
  const boundary = `cmr-${randomBytes(6).toString('hex')}`;
  const text = noticeText(notice);
  const json = JSON.stringify({
    kind: notice.kind,
    outcome: notice.outcome,
    text,
    callId: notice.callId,
    resource: notice.resource
      ? { id: notice.resource.id, title: notice.resource.title, artist: notice.resource.artist }
      : null,
    price: notice.price,
    chargeReference: notice.chargeReference ?? null,
    ...(notice.confirmKey ? { confirmKey: notice.confirmKey } : {}),
  });
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    `--${boundary}`,
    `Content-Type: ${COPY_RESULT_TYPE}`,
    '',
    json,
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { body: Buffer.from(body, 'utf8'), contentType: `multipart/mixed;boundary=${boundary}` };
}
