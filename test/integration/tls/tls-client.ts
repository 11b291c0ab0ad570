import { once } from 'node:events';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { parseMessage } from '../../../src/sip/message/sip-parser';
import type { SipMessage } from '../../../src/sip/message/sip-message';

const LIMITS = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };
const WAIT_MS = 5_000;

/** Opens a TLS connection to 127.0.0.1:port; resolves once the handshake is done (or rejects). */
export async function openTls(port: number, options: ConnectionOptions): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port, ...options });
  socket.setTimeout(WAIT_MS, () => socket.destroy(new Error('tls connect timed out')));
  await once(socket, 'secureConnect');
  socket.setTimeout(0);
  return socket;
}

/** An OPTIONS outside a dialog whose Via names TLS and the socket's own port. */
export function optionsOverTls(socket: TLSSocket, serverPort: number, branch: string): string {
  return [
    `OPTIONS sip:127.0.0.1:${serverPort};transport=tls SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:${socket.localPort};branch=z9hG4bK-${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:tester@127.0.0.1>;tag=t-${branch}`,
    `To: <sip:127.0.0.1:${serverPort}>`,
    `Call-ID: ${branch}@127.0.0.1`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/**
 * Writes `text` and resolves with the first whole message read back on the same socket; rejects when
 * the peer closes or errors first, or after 5 s.
 */
export async function exchange(socket: TLSSocket, text: string): Promise<SipMessage> {
  let received = Buffer.alloc(0);
  return new Promise<SipMessage>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('no answer within 5 s')), WAIT_MS);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(
        /\r\ncontent-length:\s*(\d+)/i.exec(received.subarray(0, end).toString('latin1'))?.[1] ?? 0,
      );
      if (received.length >= end + 4 + length)
        finish(undefined, parseMessage(received.subarray(0, end + 4 + length), LIMITS));
    };
    const onClose = () => finish(new Error('the connection closed before an answer'));
    const onError = (error: Error) => finish(error);
    function finish(error: Error | undefined, message?: SipMessage): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (message) resolve(message);
      else reject(error ?? new Error('no message'));
    }
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
    socket.write(text);
  });
}
