import { randomInt } from 'node:crypto';
import { avp, findAvp, findAvps, findValue, readAvp, type Avp } from './avp-codec';
import { APPLICATION, AVP, COMMAND, RESULT } from './diameter-dictionary';
import { DiameterError } from './diameter-error';
import type { DiameterMessage } from './diameter-message';

/** The Origin-Host and Origin-Realm a node puts in everything it sends. */
export interface DiameterNodeIdentity {
  readonly originHost: string;
  readonly originRealm: string;
}

/** What a node announces in CER/CEA (RFC 6733 §5.3.1, §5.3.2). */
export interface Capabilities extends DiameterNodeIdentity {
  readonly hostIpAddresses: readonly string[];
  readonly vendorId: number;
  readonly productName: string;
  readonly originStateId: number;
  readonly authApplicationIds: readonly number[];
  readonly supportedVendorIds: readonly number[];
  readonly firmwareRevision?: number;
}

export interface MessageIds {
  readonly hopByHopId: number;
  readonly endToEndId: number;
}

/** A request of the base protocol (application 0, not proxiable). */
function baseRequest(commandCode: number, ids: MessageIds, avps: Avp[]): DiameterMessage {
  return {
    commandCode,
    applicationId: APPLICATION.COMMON,
    request: true,
    proxiable: false,
    error: false,
    retransmit: false,
    ...ids,
    avps,
  };
}

function originAvps(node: DiameterNodeIdentity): Avp[] {
  return [avp(AVP.ORIGIN_HOST, node.originHost), avp(AVP.ORIGIN_REALM, node.originRealm)];
}

/** The capability AVPs shared by CER and CEA, after Origin-Host/Origin-Realm (and Result-Code in a CEA). */
export function capabilityAvps(caps: Capabilities): Avp[] {
  return [
    ...caps.hostIpAddresses.map((address) => avp(AVP.HOST_IP_ADDRESS, address)),
    avp(AVP.VENDOR_ID, caps.vendorId),
    avp(AVP.PRODUCT_NAME, caps.productName),
    avp(AVP.ORIGIN_STATE_ID, caps.originStateId),
    ...caps.supportedVendorIds.map((id) => avp(AVP.SUPPORTED_VENDOR_ID, id)),
    ...caps.authApplicationIds.map((id) => avp(AVP.AUTH_APPLICATION_ID, id)),
    ...(caps.firmwareRevision === undefined ? [] : [avp(AVP.FIRMWARE_REVISION, caps.firmwareRevision)]),
  ];
}

/** CER (RFC 6733 §5.3.1). No Inband-Security-Id: the connection is plain TCP (NO_INBAND_SECURITY). */
export function capabilitiesExchangeRequest(caps: Capabilities, ids: MessageIds): DiameterMessage {
  return baseRequest(COMMAND.CAPABILITIES_EXCHANGE, ids, [...originAvps(caps), ...capabilityAvps(caps)]);
}

/** DWR (RFC 6733 §5.5.1). */
export function deviceWatchdogRequest(node: DiameterNodeIdentity, originStateId: number, ids: MessageIds) {
  return baseRequest(COMMAND.DEVICE_WATCHDOG, ids, [...originAvps(node), avp(AVP.ORIGIN_STATE_ID, originStateId)]);
}

/** DPR (RFC 6733 §5.4.1) with a Disconnect-Cause of `DISCONNECT_CAUSE`. */
export function disconnectPeerRequest(node: DiameterNodeIdentity, cause: number, ids: MessageIds): DiameterMessage {
  return baseRequest(COMMAND.DISCONNECT_PEER, ids, [...originAvps(node), avp(AVP.DISCONNECT_CAUSE, cause)]);
}

/** Protocol errors (3xxx) travel in answers with the E bit (RFC 6733 §7.1.3). */
export function isProtocolError(resultCode: number): boolean {
  return resultCode >= 3000 && resultCode < 4000;
}

/**
 * The answer to `request` (RFC 6733 §6.2): same command, application, hop-by-hop and end-to-end
 * ids and P bit; Session-Id first when the request had one, then Result-Code, Origin-Host,
 * Origin-Realm, `avps`, an Error-Message when given, and the request's Proxy-Info AVPs in order.
 */
export function answerTo(
  request: DiameterMessage,
  node: DiameterNodeIdentity,
  resultCode: number,
  avps: readonly Avp[] = [],
  errorMessage?: string,
): DiameterMessage {
  const sessionId = findAvp(request.avps, AVP.SESSION_ID);
  return {
    commandCode: request.commandCode,
    applicationId: request.applicationId,
    request: false,
    proxiable: request.proxiable,
    error: isProtocolError(resultCode),
    retransmit: false,
    hopByHopId: request.hopByHopId,
    endToEndId: request.endToEndId,
    avps: [
      ...(sessionId ? [sessionId] : []),
      avp(AVP.RESULT_CODE, resultCode),
      ...originAvps(node),
      ...avps,
      ...(errorMessage === undefined ? [] : [avp(AVP.ERROR_MESSAGE, errorMessage)]),
      ...findAvps(request.avps, AVP.PROXY_INFO),
    ],
  };
}

/**
 * The answer a node gives a request it does not handle (RFC 6733 §7.1.3): 3007
 * DIAMETER_APPLICATION_UNSUPPORTED for an application it does not support, else 3001
 * DIAMETER_COMMAND_UNSUPPORTED.
 */
export function unsupportedAnswer(
  request: DiameterMessage,
  node: DiameterNodeIdentity,
  supportedApplicationIds: readonly number[],
): DiameterMessage {
  const known = request.applicationId === APPLICATION.COMMON || supportedApplicationIds.includes(request.applicationId);
  return known
    ? answerTo(request, node, RESULT.COMMAND_UNSUPPORTED, [], `command ${request.commandCode} is not supported`)
    : answerTo(
        request,
        node,
        RESULT.APPLICATION_UNSUPPORTED,
        [],
        `application ${request.applicationId} is not supported`,
      );
}

/** The Result-Code of an answer, else the Experimental-Result-Code inside Experimental-Result, else null. */
export function resultCodeOf(answer: DiameterMessage): number | null {
  const result = findValue(answer.avps, AVP.RESULT_CODE);
  if (result !== undefined) return result;
  const experimental = findAvp(answer.avps, AVP.EXPERIMENTAL_RESULT);
  if (!experimental) return null;
  return findValue(readAvp(AVP.EXPERIMENTAL_RESULT, experimental), AVP.EXPERIMENTAL_RESULT_CODE) ?? null;
}

/**
 * Why a CEA does not open the connection, or null (RFC 6733 §5.3.2): it must carry 2001 and
 * advertise one of `authApplicationIds`, directly, in a Vendor-Specific-Application-Id, or the relay
 * application 0xffffffff (a relay agent).
 */
export function capabilitiesAnswerProblem(cea: DiameterMessage, authApplicationIds: readonly number[]): string | null {
  try {
    const resultCode = resultCodeOf(cea);
    if (resultCode !== RESULT.SUCCESS) return `CEA Result-Code ${String(resultCode)}`;
    const readIds = (avps: readonly Avp[]) =>
      findAvps(avps, AVP.AUTH_APPLICATION_ID).map((a) => readAvp(AVP.AUTH_APPLICATION_ID, a));
    const advertised = [
      ...readIds(cea.avps),
      ...findAvps(cea.avps, AVP.VENDOR_SPECIFIC_APPLICATION_ID).flatMap((group) =>
        readIds(readAvp(AVP.VENDOR_SPECIFIC_APPLICATION_ID, group)),
      ),
    ];
    const common = advertised.some((id) => id === APPLICATION.RELAY || authApplicationIds.includes(id));
    return common ? null : 'no common application in CEA';
  } catch (err) {
    return err instanceof DiameterError ? `invalid CEA: ${err.message}` : 'invalid CEA';
  }
}

/**
 * End-to-end identifiers (RFC 6733 §3): the high 12 bits from the low 12 bits of the current time
 * in seconds, the low 20 bits random, then incremented, so they stay unique across restarts.
 */
export class EndToEndIds {
  private value: number;

  constructor(nowMs: number) {
    this.value = ((((Math.floor(nowMs / 1000) & 0xfff) << 20) >>> 0) | randomInt(0x10_0000)) >>> 0;
  }

  next(): number {
    this.value = (this.value + 1) >>> 0;
    return this.value;
  }
}

/** Hop-by-hop identifiers of one connection: a random start, then +1 (RFC 6733 §3). */
export class HopByHopIds {
  private value = randomInt(0xffff_ffff);

  next(): number {
    this.value = (this.value + 1) >>> 0;
    return this.value;
  }
}
