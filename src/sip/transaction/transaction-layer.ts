import type { Clock } from '../../clock';
import type { Logger } from '../../observability/logger';
// Tags are dialog identifiers; the layer needs one only for its own answers to CANCEL.
import { newTag } from '../dialog/identifiers';
import { detachedString } from '../message/flat-string';
import { createResponse } from '../message/response-factory';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message';
import { SipParseError } from '../message/sip-parse-error';
import { serializeMessage } from '../message/sip-serializer';
import type { SendFailure, SendTarget, SipTransport, TransportListener } from '../transport/transport';
import { hasMagicCookie, newBranch } from './branch';
import type { ClientTransactionBase } from './client-transaction-base';
import { InviteClientTransaction } from './invite-client-transaction';
import { LingerQueues } from './linger-queues';
import { InviteServerTransaction } from './invite-server-transaction';
import { NonInviteClientTransaction } from './non-invite-client-transaction';
import { NonInviteServerTransaction } from './non-invite-server-transaction';
import type { ServerTransactionBase } from './server-transaction-base';
import type { TransactionContext } from './transaction-context';
import { TransactionError } from './transaction-error';
import { handOver } from './hand-over';
import { clientKey, serverKey } from './transaction-keys';
import type { TimerSettings } from './transaction-timer';
import type {
  ClientTransaction,
  ClientTransactionHandlers,
  ServerTransaction,
  TransactionUser,
} from './transaction-user';

export interface TransactionLayerOptions {
  readonly transport: SipTransport;
  readonly user: TransactionUser;
  readonly clock: Clock;
  readonly timers: TimerSettings;
  readonly logger: Logger;
}

export interface SendRequestOptions {
  /** Reuse this branch instead of a fresh one: a CANCEL carries its INVITE's (RFC 3261 §9.1). */
  readonly branch?: string;
}

type AnyClient = ClientTransactionBase<string>;
type AnyServer = ServerTransactionBase<string>;

/**
 * The RFC 3261 §17 transaction layer: creates client transactions for the requests the TU sends,
 * matches what the transport receives to transactions (§17.1.3, §17.2.3), absorbs retransmissions
 * and answers CANCEL itself (§9.2). Everything the TU must see goes to the TransactionUser.
 */
export class TransactionLayer implements TransportListener {
  private readonly clients = new Map<string, AnyClient>();
  private readonly servers = new Map<string, AnyServer>();
  private readonly user: TransactionUser;
  private readonly logger: Logger;
  private readonly ctx: TransactionContext;
  private readonly lingering: LingerQueues;
  private readonly onAckTimeout = (transaction: InviteServerTransaction): void => this.user.onAckTimeout?.(transaction);

  constructor(options: TransactionLayerOptions) {
    this.user = options.user;
    this.logger = options.logger;
    const lingering = (this.lingering = new LingerQueues(options.clock));
    this.ctx = {
      transport: options.transport,
      clock: options.clock,
      timers: options.timers,
      logger: options.logger,
      endAfter: (ms, transaction) => lingering.add(ms, transaction),
      release: (kind, key, transaction) => {
        const table: Map<string, object> = kind === 'client' ? this.clients : this.servers;
        // A newer transaction may hold the key (RFC 2543 matching): only remove our own entry.
        if (table.get(key) === transaction) table.delete(key);
        if (kind === 'server') this.user.onServerTransactionEnded?.(transaction as ServerTransaction);
      },
    };
  }

  get activeClientTransactions(): number {
    return this.clients.size;
  }

  get activeServerTransactions(): number {
    return this.servers.size;
  }

  onMessage(message: SipMessage): void {
    this.receive(message);
  }

  /**
   * A parsed message from the transport, `source` set. Once the TU has handled one, its parsed header
   * views are dropped (see `handOver`); an absorbed retransmission is simply dropped.
   */
  receive(message: SipMessage): void {
    if (message.isRequest()) this.receiveRequest(message);
    else this.receiveResponse(message);
  }

  /**
   * Sends a request in a new client transaction: adds our top Via
   * (`SIP/2.0/<UDP|TCP> sent-by;branch=z9hG4bK...;rport`) and starts the timers.
   */
  sendRequest(
    request: SipRequest,
    target: SendTarget,
    handlers: ClientTransactionHandlers,
    options: SendRequestOptions = {},
  ): ClientTransaction {
    if (request.method === 'ACK') {
      throw new TransactionError('SIP.TRANSACTION_ACK', 'an ACK has no client transaction: use sendAck');
    }
    const branch = options.branch ?? newBranch();
    if (!hasMagicCookie(branch)) {
      throw new TransactionError('SIP.TRANSACTION_BRANCH', `branch without the magic cookie: ${branch}`);
    }
    const key = clientKey(branch, request.method);
    if (this.clients.has(key)) {
      throw new TransactionError('SIP.TRANSACTION_BRANCH', `branch already in use for ${request.method}`);
    }
    this.addVia(request, target, branch);
    const init = { ctx: this.ctx, key, request, branch, target, handlers };
    const transaction =
      request.method === 'INVITE' ? new InviteClientTransaction(init) : new NonInviteClientTransaction(init);
    this.clients.set(key, transaction);
    transaction.start();
    if (request.method === 'CANCEL') {
      const invite = this.clients.get(clientKey(branch, 'INVITE'));
      if (invite instanceof InviteClientTransaction) invite.cancelled();
    }
    return transaction;
  }

  /**
   * An ACK for a 2xx as the bytes to send, outside any transaction (RFC 3261 §13.2.2.4, §17.1.1.3):
   * with our Via and a fresh branch, serialized into a buffer of its own. The same bytes answer every
   * retransmission of that 2xx, so they are all that needs keeping of the ACK.
   */
  prepareAck(ack: SipRequest, target: SendTarget): Buffer {
    this.addVia(ack, target, newBranch());
    return serializeMessage(ack, 'kept');
  }

  /** Sends an ACK prepared by `prepareAck`. */
  sendAck(data: Buffer, target: SendTarget, onFailure: SendFailure): void {
    this.ctx.transport.sendSerialized(data, target, onFailure);
  }

  /** Stops every timer and forgets every transaction; nothing more reaches the TU. */
  close(): void {
    const all: { dispose(): void }[] = [...this.clients.values(), ...this.servers.values()];
    for (const transaction of all) transaction.dispose();
    this.clients.clear();
    this.servers.clear();
    this.lingering.clear();
  }

  dispose(): void {
    this.close();
  }

  private addVia(request: SipRequest, target: SendTarget, branch: string): void {
    const { host, port } = this.ctx.transport.viaSentBy(target.protocol);
    const protocol = target.protocol.toUpperCase(); // UDP, TCP or TLS (RFC 3261 §20.42)
    request.headers.prepend('Via', `SIP/2.0/${protocol} ${host}:${port};branch=${branch};rport`);
  }

  private receiveResponse(response: SipResponse): void {
    let key: string | null;
    try {
      const branch = response.branch;
      key = branch === null ? null : clientKey(branch, response.cseq.method);
    } catch (error) {
      this.dropUnreadable(response, error);
      return;
    }
    const transaction = key === null ? undefined : this.clients.get(key);
    if (transaction) transaction.receiveResponse(response);
    else handOver(response, () => this.user.onStrayResponse(response));
  }

  private receiveRequest(request: SipRequest): void {
    const method = request.method;
    let key: string;
    let rfc2543: boolean;
    try {
      key = serverKey(request, method === 'ACK' ? 'INVITE' : method);
      rfc2543 = !hasMagicCookie(request.branch);
    } catch (error) {
      this.dropUnreadable(request, error);
      return;
    }
    if (method === 'ACK') {
      this.receiveAck(request, key);
      return;
    }
    const existing = this.servers.get(key);
    if (existing && existing.matchesRetransmission(request)) {
      existing.receiveRetransmission();
      return;
    }
    if (method === 'CANCEL') {
      this.receiveCancel(request, key, rfc2543);
      return;
    }
    // The key lives as long as the transaction: in a string of its own, not pieces of the request's text.
    const init = { ctx: this.ctx, key: detachedString(key), request, rfc2543 };
    const transaction =
      method === 'INVITE'
        ? new InviteServerTransaction({ ...init, onAckTimeout: this.onAckTimeout })
        : new NonInviteServerTransaction(init);
    this.servers.set(transaction.key, transaction);
    handOver(request, () => this.user.onRequest(request, transaction));
  }

  /** §17.2.3: an ACK matches the INVITE transaction; one for a 2xx matches none and goes to the TU. */
  private receiveAck(ack: SipRequest, key: string): void {
    const invite = this.servers.get(key);
    if (invite instanceof InviteServerTransaction && invite.receiveAck(ack)) return;
    handOver(ack, () => this.user.onAck(ack));
  }

  /**
   * §9.2: a new CANCEL gets its own server transaction (so retransmissions are absorbed); it is
   * answered 200 when it matches an INVITE server transaction, else 481. The TU hears of it only
   * while that INVITE has no final response; the 200 carries the To tag the INVITE's responses do.
   */
  private receiveCancel(cancel: SipRequest, key: string, rfc2543: boolean): void {
    let invite: AnyServer | undefined;
    try {
      invite = this.servers.get(serverKey(cancel, 'INVITE'));
    } catch (error) {
      this.dropUnreadable(cancel, error);
      return;
    }
    if (invite && rfc2543 && cancel.toTag !== invite.requestToTag) invite = undefined;
    const transaction = new NonInviteServerTransaction({
      ctx: this.ctx,
      key: detachedString(key),
      request: cancel,
      rfc2543,
    });
    this.servers.set(transaction.key, transaction);
    if (!(invite instanceof InviteServerTransaction)) {
      transaction.respond(createResponse(cancel, 481, undefined, { toTag: newTag() }));
      return;
    }
    transaction.respond(createResponse(cancel, 200, undefined, { toTag: invite.localTag ?? newTag() }));
    if (invite.state === 'proceeding') handOver(cancel, () => this.user.onCancel(cancel, invite));
  }

  private dropUnreadable(message: SipMessage, error: unknown): void {
    if (!(error instanceof SipParseError)) throw error;
    this.logger.debug('sip message dropped: unreadable transaction headers', {
      kind: message.isRequest() ? message.method : 'response',
      error: error.message,
    });
  }
}
