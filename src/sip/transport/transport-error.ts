import { AppError, asError } from '../../errors';
import type { TransportProtocol } from '../message/sip-message';
import type { SendFailure } from './transport';

export type TransportErrorCode =
  | 'SIP.TRANSPORT_BIND'
  | 'SIP.TRANSPORT_CONNECT'
  | 'SIP.TRANSPORT_SEND'
  | 'SIP.TRANSPORT_ROUTE'
  | 'SIP.TRANSPORT_UNAVAILABLE'
  | 'SIP.TRANSPORT_CLOSED';

/** Where a transport failure happened; `osCode` is the errno name Node reported (`EADDRINUSE`...). */
export interface TransportErrorDetails {
  readonly protocol?: TransportProtocol;
  readonly address?: string;
  readonly port?: number;
  readonly osCode?: string;
}

/** A failure of the socket layer: binding, connecting, sending, or finding where a response goes. */
export class SipTransportError extends AppError {
  readonly details: TransportErrorDetails;

  constructor(code: TransportErrorCode, message: string, details: TransportErrorDetails = {}, cause?: unknown) {
    super(code, message, cause === undefined ? undefined : { cause });
    this.details = details;
  }

  /** Wraps a Node socket error, naming the protocol, address, port and errno in the message. */
  static fromOsError(
    code: TransportErrorCode,
    action: string,
    where: { protocol: TransportProtocol; address: string; port: number },
    cause: unknown,
  ): SipTransportError {
    const osCode = osErrorCode(cause);
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new SipTransportError(
      code,
      `cannot ${action} ${where.protocol} ${formatEndpoint(where.address, where.port)}: ${reason}`,
      { ...where, ...(osCode === undefined ? {} : { osCode }) },
      cause,
    );
  }
}

function osErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Reports a failed send once the send has returned (see `SendFailure`); anything thrown becomes an Error. */
export function reportLater(onFailure: SendFailure, error: unknown): void {
  const failure = asError(error);
  queueMicrotask(() => onFailure(failure));
}
