/**
 * The wire format of the HTTP charging adapter: a one-time event (IEC, immediate event charging)
 * modelled on the 5G CHF converged charging API, 3GPP TS 32.291 Nchf_ConvergedCharging (Rel-17),
 * kept small. docs/charging-http.md documents every field; this module is pure (no I/O) so the
 * mapping of every answer can be tested without sockets.
 */
import type { Identity } from '../cmr/model';
import type { ChargeRefusal, ChargeRequest, ChargeResult } from '../cmr/ports/charging-gateway.port';
import { parseJsonText, type HttpExchange } from '../http/http-json-post';

export const NCHF_API_ROOT = '/nchf-convergedcharging/v3';
export const CHARGING_DATA_PATH = `${NCHF_API_ROOT}/chargingdata`;

export interface ChargingDataOptions {
  /** `nfConsumerIdentification.nFName`. */
  readonly nfName: string;
  /** The rating group the CHF rates the CMR copy service under. */
  readonly ratingGroup: number;
  /** ISO instant of this invocation. */
  readonly invocationTimeStamp: string;
}

/** The Nchf `subscriberIdentifier`: `msisdn-<digits>` for an E.164 identity, the `sip:` URI otherwise. */
export function subscriberIdentifier(identity: Identity): string {
  return /^\+\d+$/.test(identity) ? `msisdn-${identity.slice(1)}` : identity;
}

/** The ChargingDataRequest of a debit (invocationSequenceNumber 1) or of its refund (2). */
export function chargingDataRequest(
  request: ChargeRequest,
  options: ChargingDataOptions,
  purpose: 'debit' | 'refund',
): Record<string, unknown> {
  return {
    subscriberIdentifier: subscriberIdentifier(request.requester),
    nfConsumerIdentification: { nodeFunctionality: 'AS', nFName: options.nfName },
    invocationTimeStamp: options.invocationTimeStamp,
    invocationSequenceNumber: purpose === 'debit' ? 1 : 2,
    oneTimeEvent: true,
    oneTimeEventType: 'IEC',
    serviceSpecificationInfo: 'OMA-CMR-online-copy',
    multipleUnitUsage: [
      purpose === 'debit'
        ? { ratingGroup: options.ratingGroup, requestedUnit: { serviceSpecificUnits: 1 } }
        : { ratingGroup: options.ratingGroup, usedUnitContainer: [{ serviceSpecificUnits: 0 }] },
    ],
    iMSChargingInformation: {
      iMSNodeFunctionality: 'AS',
      roleOfNode: 'ORIGINATING',
      ...(request.icid !== null ? { iMSChargingIdentifier: request.icid } : {}),
    },
    cmrCopyInformation: {
      action: purpose,
      resourceId: request.resourceId,
      title: request.title,
      owner: request.owner,
      price: { amountMinor: request.price.amountMinor, currency: request.price.currency },
      callId: request.callId,
      requestedAt: request.requestedAt,
    },
  };
}

/** The Nchf causes (ProblemDetails.cause, or a unit's resultCode) that mean "the CHF said no". */
const REFUSAL_BY_CAUSE: Readonly<Record<string, ChargeRefusal>> = {
  QUOTA_LIMIT_REACHED: 'no-credit',
  END_USER_REQUEST_DENIED: 'denied',
  END_USER_SERVICE_DENIED: 'barred',
  USER_UNKNOWN: 'unknown-user',
};

/** Maps an Nchf cause to a refusal; a cause we do not know still means the CHF refused: `denied`. */
export function refusalForCause(cause: string | undefined): ChargeRefusal {
  return (cause !== undefined ? REFUSAL_BY_CAUSE[cause] : undefined) ?? 'denied';
}

/** Maps the answer to a debit. 2xx without a charging data reference is `unavailable` (see docs). */
export function interpretDebitAnswer(exchange: HttpExchange): ChargeResult {
  if (exchange.kind === 'failure') {
    const detail = `${exchange.reason}: ${exchange.detail}`;
    return exchange.neverSent === true
      ? { status: 'unavailable', detail, neverSent: true }
      : { status: 'unavailable', detail };
  }
  const { status } = exchange;
  const body = asRecord(parseJsonText(exchange.text));
  if (status === 200 || status === 201) {
    const unitCode = firstUnitResultCode(body);
    if (unitCode !== undefined && unitCode !== 'SUCCESS') {
      return { status: 'refused', reason: refusalForCause(unitCode), detail: `unit result ${unitCode}` };
    }
    const reference = referenceFromLocation(exchange.headers.location) ?? stringField(body, 'chargingDataRef');
    if (reference === undefined) {
      return { status: 'unavailable', detail: `HTTP ${status} without a charging data reference` };
    }
    return { status: 'charged', reference };
  }
  const cause = stringField(body, 'cause');
  if (status === 403) {
    return { status: 'refused', reason: refusalForCause(cause), detail: `HTTP 403 ${cause ?? 'without a cause'}` };
  }
  // Only a 404 that says USER_UNKNOWN is about the subscriber; any other 404 means a wrong URL.
  if (status === 404 && cause === 'USER_UNKNOWN') {
    return { status: 'refused', reason: 'unknown-user', detail: 'HTTP 404 USER_UNKNOWN' };
  }
  return { status: 'unavailable', detail: `HTTP ${status}${describeProblem(body)}` };
}

/** Maps the answer to a release (refund): 200/204 refunded, 404 unknown reference (refused), else unavailable. */
export function interpretRefundAnswer(exchange: HttpExchange, reference: string): ChargeResult {
  if (exchange.kind === 'failure') return { status: 'unavailable', detail: `${exchange.reason}: ${exchange.detail}` };
  const { status } = exchange;
  if (status === 200 || status === 204) return { status: 'charged', reference };
  const body = asRecord(parseJsonText(exchange.text));
  if (status === 403 || status === 404) {
    const cause = stringField(body, 'cause');
    return { status: 'refused', reason: 'denied', detail: `HTTP ${status} ${cause ?? 'without a cause'}` };
  }
  return { status: 'unavailable', detail: `HTTP ${status}${describeProblem(body)}` };
}

/** `.../chargingdata/{ChargingDataRef}` → the ref; anything else → undefined. */
export function referenceFromLocation(location: string | undefined): string | undefined {
  if (location === undefined) return undefined;
  const match = /\/chargingdata\/([^/?#]+)\/?(?:[?#].*)?$/.exec(location);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringField(body: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = body?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function firstUnitResultCode(body: Record<string, unknown> | undefined): string | undefined {
  const units = body?.['multipleUnitInformation'];
  if (!Array.isArray(units)) return undefined;
  return stringField(asRecord(units[0]), 'resultCode');
}

function describeProblem(body: Record<string, unknown> | undefined): string {
  const cause = stringField(body, 'cause');
  const detail = stringField(body, 'detail');
  return [cause, detail].filter((s) => s !== undefined).reduce((acc, s) => `${acc} ${s}`, '');
}
