import { createHash } from 'node:crypto';
import type { ChargeRequest } from '../../cmr/ports/charging-gateway.port';
import type { Money } from '../../cmr/model';
import { avp, type Avp } from './avp-codec';
import {
  APPLICATION,
  AVP,
  CC_REQUEST_TYPE,
  COMMAND,
  NODE_FUNCTIONALITY,
  REQUESTED_ACTION,
  ROLE_OF_NODE,
  SUBSCRIPTION_ID_TYPE,
} from './diameter-dictionary';
import type { DiameterMessage } from './diameter-message';
import { currencyInfo } from './iso4217-currency';

/**
 * The Ro Credit-Control-Request of an Immediate Event Charging (RFC 4006 §3.1 and §6.3, 3GPP TS
 * 32.299 §6.3.3 and §6.4.2) for one copy: CC-Request-Type EVENT_REQUEST, CC-Request-Number 0,
 * Requested-Action DIRECT_DEBITING (or REFUND_ACCOUNT), the requester's Subscription-Id, the price as
 * CC-Money in the Requested-Service-Unit, and Service-Information/IMS-Information with the ICID.
 */

/**
 * IMS charging (TS 32.299 §7.1.12, TS 32.260): the context of an IMS application server's event.
 * Operators may prefix `<ext>.<MNC>.<MCC>.<release>.` as TS 32.299 allows.
 */
export const DEFAULT_SERVICE_CONTEXT_ID = '32260@3gpp.org';

export type ChargePurpose = 'debit' | 'refund';

export interface CreditControlContext {
  readonly originHost: string;
  readonly originRealm: string;
  readonly destinationRealm: string;
  /** Empty: routed by realm only. */
  readonly destinationHost: string;
  readonly serviceContextId: string;
}

/**
 * The Session-Id of one charge (RFC 6733 §8.8 `<DiameterIdentity>;<high 32 bits>;<low 32 bits>[;<optional>]`),
 * derived from the idempotency key: the SHA-256 of `<purpose>\n<key>` gives the two 32-bit parts and
 * the hex of its next 8 bytes ends the optional part (`cmr-debit-<hex>` or `cmr-refund-<hex>`). The same
 * copy therefore always has the same Session-Id, across retransmissions, failover and restarts, and
 * the credit-control server can drop duplicates by Session-Id alone; the key itself never leaves us.
 */
export function chargeSessionId(originHost: string, idempotencyKey: string, purpose: ChargePurpose): string {
  const digest = createHash('sha256').update(`${purpose}\n${idempotencyKey}`).digest();
  const tag = digest.subarray(8, 16).toString('hex');
  return `${originHost};${digest.readUInt32BE(0)};${digest.readUInt32BE(4)};cmr-${purpose}-${tag}`;
}

/** END_USER_E164 with the digits of a `+` number, else END_USER_SIP_URI (RFC 4006 §8.46-8.48). */
export function subscriptionIdAvp(identity: string): Avp {
  const e164 = /^\+(\d+)$/.exec(identity);
  return avp(AVP.SUBSCRIPTION_ID, [
    avp(AVP.SUBSCRIPTION_ID_TYPE, e164 ? SUBSCRIPTION_ID_TYPE.END_USER_E164 : SUBSCRIPTION_ID_TYPE.END_USER_SIP_URI),
    avp(AVP.SUBSCRIPTION_ID_DATA, e164?.[1] ?? identity),
  ]);
}

/** CC-Money (RFC 4006 §8.22): Unit-Value = amountMinor × 10^-minorUnits, the ISO 4217 numeric Currency-Code. */
export function ccMoneyAvp(price: Money): Avp | null {
  const currency = currencyInfo(price.currency);
  if (!currency || !Number.isSafeInteger(price.amountMinor) || price.amountMinor < 0) return null;
  return avp(AVP.CC_MONEY, [
    avp(AVP.UNIT_VALUE, [avp(AVP.VALUE_DIGITS, price.amountMinor), avp(AVP.EXPONENT, -currency.minorUnits)]),
    avp(AVP.CURRENCY_CODE, currency.numeric),
  ]);
}

/** A canonical identity as a URI for the TS 32.299 party addresses: `tel:+...` or the SIP URI. */
function partyAddress(identity: string): string {
  return identity.startsWith('+') ? `tel:${identity}` : identity;
}

/** Service-Information / IMS-Information (TS 32.299 §7.2.192, §7.2.77) of the AS charging the requester. */
export function imsServiceInformationAvp(charge: ChargeRequest): Avp {
  return avp(AVP.SERVICE_INFORMATION, [
    avp(AVP.IMS_INFORMATION, [
      avp(AVP.ROLE_OF_NODE, ROLE_OF_NODE.ORIGINATING),
      avp(AVP.NODE_FUNCTIONALITY, NODE_FUNCTIONALITY.AS),
      avp(AVP.CALLING_PARTY_ADDRESS, partyAddress(charge.requester)),
      avp(AVP.CALLED_PARTY_ADDRESS, partyAddress(charge.owner)),
      ...(charge.icid ? [avp(AVP.IMS_CHARGING_IDENTIFIER, charge.icid)] : []),
      avp(AVP.SERVICE_SPECIFIC_INFO, [avp(AVP.SERVICE_SPECIFIC_DATA, charge.resourceId)]),
    ]),
  ]);
}

export interface CreditControlRequestInput {
  readonly purpose: ChargePurpose;
  readonly sessionId: string;
  readonly endToEndId: number;
  /** The Refund-Information (TS 32.299 §7.2.x, code 2022) the debit's CCA carried, for a refund. */
  readonly refundInformation: Buffer | null;
}

/** The CCR, or a problem when the price cannot be expressed (a currency outside the ISO 4217 table). */
export function creditControlRequest(
  context: CreditControlContext,
  charge: ChargeRequest,
  input: CreditControlRequestInput,
): { readonly request: Omit<DiameterMessage, 'hopByHopId'> } | { readonly problem: string } {
  const money = ccMoneyAvp(charge.price);
  if (!money) return { problem: `price not expressible as CC-Money: ${charge.price.currency}` };
  const requestedAt = new Date(charge.requestedAt);
  const avps: Avp[] = [
    avp(AVP.SESSION_ID, input.sessionId),
    avp(AVP.ORIGIN_HOST, context.originHost),
    avp(AVP.ORIGIN_REALM, context.originRealm),
    avp(AVP.DESTINATION_REALM, context.destinationRealm),
    avp(AVP.AUTH_APPLICATION_ID, APPLICATION.CREDIT_CONTROL),
    avp(AVP.SERVICE_CONTEXT_ID, context.serviceContextId),
    avp(AVP.CC_REQUEST_TYPE, CC_REQUEST_TYPE.EVENT),
    avp(AVP.CC_REQUEST_NUMBER, 0),
    ...(context.destinationHost ? [avp(AVP.DESTINATION_HOST, context.destinationHost)] : []),
    avp(AVP.EVENT_TIMESTAMP, Number.isNaN(requestedAt.getTime()) ? new Date() : requestedAt),
    subscriptionIdAvp(charge.requester),
    avp(
      AVP.REQUESTED_ACTION,
      input.purpose === 'debit' ? REQUESTED_ACTION.DIRECT_DEBITING : REQUESTED_ACTION.REFUND_ACCOUNT,
    ),
    avp(AVP.REQUESTED_SERVICE_UNIT, [money]),
    ...(input.refundInformation ? [avp(AVP.REFUND_INFORMATION, input.refundInformation)] : []),
    imsServiceInformationAvp(charge),
  ];
  return {
    request: {
      commandCode: COMMAND.CREDIT_CONTROL,
      applicationId: APPLICATION.CREDIT_CONTROL,
      request: true,
      proxiable: true,
      error: false,
      retransmit: false,
      endToEndId: input.endToEndId,
      avps,
    },
  };
}
