import type { Clock, TimerHandle } from '../../src/clock';
import { silentLogger } from '../../src/observability/logger';
import { createResponse } from '../../src/sip/message/response-factory';
import type { SipRequest, SipResponse } from '../../src/sip/message/sip-message';
import { parseMessage } from '../../src/sip/message/sip-parser';
import { TransactionLayer } from '../../src/sip/transaction/transaction-layer';
import type { TransactionUser } from '../../src/sip/transaction/transaction-user';
import type { SipTransport } from '../../src/sip/transport/transport';
import { measure, type Measurement, type MeasureOptions } from './measure';
import { BENCH_LIMITS } from './parser-contenders';

/** A clock whose timers never fire: transactions stay in their tables for the whole run. */
const inertClock: Clock = {
  now: () => 0,
  setTimeout: () => ({}) as TimerHandle,
  clearTimeout: () => undefined,
};

/** A transport that sends nothing: what is timed is the matching, not the socket. */
class NullTransport implements SipTransport {
  sent = 0;
  viaSentBy() {
    return { host: '127.0.0.1', port: 5060 };
  }
  sendRequest(): void {
    this.sent++;
  }
  sendResponse(): void {
    this.sent++;
  }
  sendPrepared(): void {
    this.sent++;
  }
  sendSerialized(): void {
    this.sent++;
  }
}

function infoRequest(i: number): Buffer {
  return Buffer.from(
    [
      'INFO sip:as-leg-a@127.0.0.1:5060 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.2:5080;branch=z9hG4bK-bench-${i};rport`,
      'Max-Forwards: 70',
      'From: <sip:+15550001002@127.0.0.2>;tag=a1',
      'To: <sip:+15550001001@127.0.0.1>;tag=b1',
      `Call-ID: bench-${i}@127.0.0.2`,
      'CSeq: 2 INFO',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

function okResponse(i: number): Buffer {
  return Buffer.from(
    [
      'SIP/2.0 200 OK',
      `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-client-${i};rport=5060`,
      'From: <sip:+15550001001@127.0.0.1>;tag=as1',
      'To: <sip:+15550001002@127.0.0.2>;tag=c1',
      `Call-ID: client-${i}@127.0.0.1`,
      'CSeq: 7 MESSAGE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

function asRequest(bytes: Buffer): SipRequest {
  const m = parseMessage(bytes, BENCH_LIMITS);
  if (!m.isRequest()) throw new Error('expected a request');
  m.source = { protocol: 'udp', address: '127.0.0.2', port: 5080, localAddress: '127.0.0.1', localPort: 5060 };
  return m;
}

function asResponse(bytes: Buffer): SipResponse {
  const m = parseMessage(bytes, BENCH_LIMITS);
  if (m.isRequest()) throw new Error('expected a response');
  return m;
}

/**
 * RFC 3261 §17.2.3 and §17.1.3 matching through a real TransactionLayer holding `live` transactions of
 * each kind: a retransmitted INFO absorbed by its server transaction (answered again from its state),
 * and a retransmitted 200 absorbed by its completed client transaction. Messages are parsed beforehand.
 */
export function transactionBenches(live: number, options: MeasureOptions): Measurement[] {
  const transport = new NullTransport();
  let newRequests = 0;
  const user: TransactionUser = {
    onRequest: (request, transaction) => {
      newRequests++;
      transaction.respond(createResponse(request, 200, undefined, { toTag: 'b1' }));
    },
    onAck: () => undefined,
    onCancel: () => undefined,
    onStrayResponse: () => {
      throw new Error('a response matched no client transaction');
    },
  };
  const layer = new TransactionLayer({
    transport,
    user,
    clock: inertClock,
    timers: { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 },
    logger: silentLogger(),
  });
  for (let i = 0; i < live; i++) layer.receive(asRequest(infoRequest(i)));
  const handlers = { onResponse: () => undefined, onTimeout: () => undefined, onTransportError: () => undefined };
  for (let i = 0; i < live; i++) {
    const request = asRequest(infoRequest(i));
    request.method = 'MESSAGE';
    request.headers.set('CSeq', '7 MESSAGE');
    request.headers.remove('via');
    layer.sendRequest(request, { protocol: 'udp', address: '127.0.0.2', port: 5080 }, handlers, {
      branch: `z9hG4bK-client-${i}`,
    });
  }
  const retransmissions = Array.from({ length: live }, (_, i) => asRequest(infoRequest(i)));
  const responses = Array.from({ length: live }, (_, i) => asResponse(okResponse(i)));
  for (const r of responses) layer.receive(r); // first 200s: every client transaction goes to Completed
  if (newRequests !== live || layer.activeServerTransactions !== live || layer.activeClientTransactions !== live) {
    throw new Error('the transaction tables were not filled as planned');
  }
  const results = [
    measure(
      `server txn: retransmitted INFO absorbed (${live} live)`,
      (i) => {
        layer.receive(retransmissions[i % live]!);
        return 1;
      },
      options,
    ),
    measure(
      `client txn: retransmitted 200 absorbed (${live} live)`,
      (i) => {
        layer.receive(responses[i % live]!);
        return 1;
      },
      options,
    ),
  ];
  if (newRequests !== live) throw new Error('a retransmission reached the TU as a new request');
  layer.close();
  return results;
}
