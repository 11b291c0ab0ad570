/**
 * The small Diameter dictionary this server needs: the base protocol (RFC 6733), credit control
 * (RFC 4006, the Ro interface) and the 3GPP AVPs of TS 32.299 (vendor 10415) used by an IMS
 * application server's Immediate Event Charging. AVPs outside it are kept as opaque bytes.
 */

/** RFC 6733 §4.2 basic formats and §4.3 derived formats. */
export type AvpType =
  | 'OctetString'
  | 'UTF8String'
  | 'DiameterIdentity'
  | 'DiameterURI'
  | 'Unsigned32'
  | 'Unsigned64'
  | 'Integer32'
  | 'Integer64'
  | 'Float32'
  | 'Float64'
  | 'Enumerated'
  | 'Address'
  | 'Time'
  | 'Grouped';

export interface AvpDefinition<T extends AvpType = AvpType> {
  readonly name: string;
  readonly code: number;
  /** 0 for IETF AVPs (V flag clear), else the IANA enterprise number (V flag set). */
  readonly vendorId: number;
  readonly type: T;
  /** Whether we set the M flag when sending it (the "MUST" column of the AVP's flag rules). */
  readonly mandatory: boolean;
}

export const VENDOR_3GPP = 10415;

function def<T extends AvpType>(
  code: number,
  name: string,
  type: T,
  opts: { vendorId?: number; mandatory?: boolean } = {},
) {
  return { code, name, type, vendorId: opts.vendorId ?? 0, mandatory: opts.mandatory ?? true } as AvpDefinition<T>;
}

const tgpp = { vendorId: VENDOR_3GPP };

/** AVP definitions by name. The M-flag rules follow RFC 6733 §4.5, RFC 4006 §12 and TS 32.299 §7. */
export const AVP = {
  // RFC 6733 base protocol
  USER_NAME: def(1, 'User-Name', 'UTF8String'),
  PROXY_STATE: def(33, 'Proxy-State', 'OctetString'),
  EVENT_TIMESTAMP: def(55, 'Event-Timestamp', 'Time'),
  HOST_IP_ADDRESS: def(257, 'Host-IP-Address', 'Address'),
  AUTH_APPLICATION_ID: def(258, 'Auth-Application-Id', 'Unsigned32'),
  ACCT_APPLICATION_ID: def(259, 'Acct-Application-Id', 'Unsigned32'),
  VENDOR_SPECIFIC_APPLICATION_ID: def(260, 'Vendor-Specific-Application-Id', 'Grouped'),
  SESSION_ID: def(263, 'Session-Id', 'UTF8String'),
  ORIGIN_HOST: def(264, 'Origin-Host', 'DiameterIdentity'),
  SUPPORTED_VENDOR_ID: def(265, 'Supported-Vendor-Id', 'Unsigned32'),
  VENDOR_ID: def(266, 'Vendor-Id', 'Unsigned32'),
  FIRMWARE_REVISION: def(267, 'Firmware-Revision', 'Unsigned32', { mandatory: false }),
  RESULT_CODE: def(268, 'Result-Code', 'Unsigned32'),
  PRODUCT_NAME: def(269, 'Product-Name', 'UTF8String', { mandatory: false }),
  DISCONNECT_CAUSE: def(273, 'Disconnect-Cause', 'Enumerated'),
  ORIGIN_STATE_ID: def(278, 'Origin-State-Id', 'Unsigned32'),
  FAILED_AVP: def(279, 'Failed-AVP', 'Grouped'),
  PROXY_HOST: def(280, 'Proxy-Host', 'DiameterIdentity'),
  ERROR_MESSAGE: def(281, 'Error-Message', 'UTF8String', { mandatory: false }),
  ROUTE_RECORD: def(282, 'Route-Record', 'DiameterIdentity'),
  DESTINATION_REALM: def(283, 'Destination-Realm', 'DiameterIdentity'),
  PROXY_INFO: def(284, 'Proxy-Info', 'Grouped'),
  DESTINATION_HOST: def(293, 'Destination-Host', 'DiameterIdentity'),
  ERROR_REPORTING_HOST: def(294, 'Error-Reporting-Host', 'DiameterIdentity', { mandatory: false }),
  ORIGIN_REALM: def(296, 'Origin-Realm', 'DiameterIdentity'),
  EXPERIMENTAL_RESULT: def(297, 'Experimental-Result', 'Grouped'),
  EXPERIMENTAL_RESULT_CODE: def(298, 'Experimental-Result-Code', 'Unsigned32'),
  INBAND_SECURITY_ID: def(299, 'Inband-Security-Id', 'Unsigned32'),
  // RFC 4006 credit control
  CC_MONEY: def(413, 'CC-Money', 'Grouped'),
  CC_REQUEST_NUMBER: def(415, 'CC-Request-Number', 'Unsigned32'),
  CC_REQUEST_TYPE: def(416, 'CC-Request-Type', 'Enumerated'),
  CC_SESSION_FAILOVER: def(418, 'CC-Session-Failover', 'Enumerated'),
  COST_INFORMATION: def(423, 'Cost-Information', 'Grouped'),
  COST_UNIT: def(424, 'Cost-Unit', 'UTF8String'),
  CURRENCY_CODE: def(425, 'Currency-Code', 'Unsigned32'),
  EXPONENT: def(429, 'Exponent', 'Integer32'),
  GRANTED_SERVICE_UNIT: def(431, 'Granted-Service-Unit', 'Grouped'),
  REQUESTED_ACTION: def(436, 'Requested-Action', 'Enumerated'),
  REQUESTED_SERVICE_UNIT: def(437, 'Requested-Service-Unit', 'Grouped'),
  SERVICE_IDENTIFIER: def(439, 'Service-Identifier', 'Unsigned32'),
  SUBSCRIPTION_ID: def(443, 'Subscription-Id', 'Grouped'),
  SUBSCRIPTION_ID_DATA: def(444, 'Subscription-Id-Data', 'UTF8String'),
  UNIT_VALUE: def(445, 'Unit-Value', 'Grouped'),
  VALUE_DIGITS: def(447, 'Value-Digits', 'Integer64'),
  SUBSCRIPTION_ID_TYPE: def(450, 'Subscription-Id-Type', 'Enumerated'),
  SERVICE_CONTEXT_ID: def(461, 'Service-Context-Id', 'UTF8String'),
  // 3GPP TS 32.299 (vendor 10415)
  ROLE_OF_NODE: def(829, 'Role-Of-Node', 'Enumerated', tgpp),
  CALLING_PARTY_ADDRESS: def(831, 'Calling-Party-Address', 'UTF8String', tgpp),
  CALLED_PARTY_ADDRESS: def(832, 'Called-Party-Address', 'UTF8String', tgpp),
  IMS_CHARGING_IDENTIFIER: def(841, 'IMS-Charging-Identifier', 'UTF8String', tgpp),
  NODE_FUNCTIONALITY: def(862, 'Node-Functionality', 'Enumerated', tgpp),
  SERVICE_SPECIFIC_DATA: def(863, 'Service-Specific-Data', 'UTF8String', tgpp),
  SERVICE_INFORMATION: def(873, 'Service-Information', 'Grouped', tgpp),
  IMS_INFORMATION: def(876, 'IMS-Information', 'Grouped', tgpp),
  SERVICE_SPECIFIC_INFO: def(1249, 'Service-Specific-Info', 'Grouped', tgpp),
  REFUND_INFORMATION: def(2022, 'Refund-Information', 'OctetString', tgpp),
} as const;

const byKey = new Map<string, AvpDefinition>();
for (const d of Object.values(AVP) as AvpDefinition[]) byKey.set(`${d.vendorId}:${d.code}`, d);

/** The definition of an AVP code for a vendor (0: IETF), or undefined when it is not in the dictionary. */
export function lookupAvp(code: number, vendorId: number): AvpDefinition | undefined {
  return byKey.get(`${vendorId}:${code}`);
}

/** Command codes (RFC 6733 §3.1, RFC 4006 §3). */
export const COMMAND = {
  CAPABILITIES_EXCHANGE: 257,
  CREDIT_CONTROL: 272,
  DEVICE_WATCHDOG: 280,
  DISCONNECT_PEER: 282,
} as const;

/** Application ids (RFC 6733 §2.4, RFC 4006 §1.3). */
export const APPLICATION = {
  COMMON: 0,
  CREDIT_CONTROL: 4,
  RELAY: 0xffffffff,
} as const;

/** Result-Code values used here (RFC 6733 §7.1, RFC 4006 §9.1). */
export const RESULT = {
  SUCCESS: 2001,
  COMMAND_UNSUPPORTED: 3001,
  UNABLE_TO_DELIVER: 3002,
  REALM_NOT_SERVED: 3003,
  TOO_BUSY: 3004,
  APPLICATION_UNSUPPORTED: 3007,
  INVALID_HDR_BITS: 3008,
  INVALID_AVP_BITS: 3009,
  UNKNOWN_PEER: 3010,
  END_USER_SERVICE_DENIED: 4010,
  CREDIT_CONTROL_NOT_APPLICABLE: 4011,
  CREDIT_LIMIT_REACHED: 4012,
  AVP_UNSUPPORTED: 5001,
  AUTHORIZATION_REJECTED: 5003,
  INVALID_AVP_VALUE: 5004,
  MISSING_AVP: 5005,
  NO_COMMON_APPLICATION: 5010,
  UNSUPPORTED_VERSION: 5011,
  UNABLE_TO_COMPLY: 5012,
  INVALID_AVP_LENGTH: 5014,
  INVALID_MESSAGE_LENGTH: 5015,
  USER_UNKNOWN: 5030,
  RATING_FAILED: 5031,
} as const;

/** Enumerated values (RFC 6733 §5.4.3, RFC 4006 §8, TS 32.299 §7.2). */
export const CC_REQUEST_TYPE = { INITIAL: 1, UPDATE: 2, TERMINATION: 3, EVENT: 4 } as const;
export const REQUESTED_ACTION = { DIRECT_DEBITING: 0, REFUND_ACCOUNT: 1, CHECK_BALANCE: 2, PRICE_ENQUIRY: 3 } as const;
export const SUBSCRIPTION_ID_TYPE = {
  END_USER_E164: 0,
  END_USER_IMSI: 1,
  END_USER_SIP_URI: 2,
  END_USER_NAI: 3,
} as const;
export const DISCONNECT_CAUSE = { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 } as const;
export const CC_SESSION_FAILOVER = { NOT_SUPPORTED: 0, SUPPORTED: 1 } as const;
export const NODE_FUNCTIONALITY = { AS: 6 } as const;
export const ROLE_OF_NODE = { ORIGINATING: 0, TERMINATING: 1 } as const;
