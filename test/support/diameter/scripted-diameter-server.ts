import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { avp } from '../../../src/charging/diameter/avp-codec';
import { answerTo } from '../../../src/charging/diameter/diameter-base-messages';
import { APPLICATION, AVP, COMMAND, RESULT } from '../../../src/charging/diameter/diameter-dictionary';
import { DiameterFramer } from '../../../src/charging/diameter/diameter-framer';
import { decodeMessage, encodeMessage, type DiameterMessage } from '../../../src/charging/diameter/diameter-message';

/**
 * A Diameter peer on 127.0.0.1 whose behaviour each test scripts, for the connection-level tests of
 * DiameterPeer: it records every message it receives, answers CER with CEA 2001 (DCCA), DWR with DWA
 * and DPR with DPA unless `onRequest` says otherwise, and can send anything to the client.
 */

export const SERVER_NODE = { originHost: 'scripted.ocs.test', originRealm: 'ocs.test' };

export interface ScriptedConnection {
  readonly socket: Socket;
  send(message: DiameterMessage): void;
  sendBytes(bytes: Buffer): void;
}

export interface Received {
  readonly connection: ScriptedConnection;
  readonly message: DiameterMessage;
}

/** Return true when the request was handled; false falls back to the default answers. */
export type RequestScript = (request: DiameterMessage, connection: ScriptedConnection) => boolean;

export class ScriptedDiameterServer {
  readonly received: Received[] = [];
  readonly connections: ScriptedConnection[] = [];
  onRequest: RequestScript = () => false;
  private readonly watchers = new Set<() => void>();

  private constructor(private readonly server: Server) {}

  static async start(port = 0): Promise<ScriptedDiameterServer> {
    const server = createServer();
    const scripted = new ScriptedDiameterServer(server);
    server.on('connection', (socket) => scripted.accept(socket));
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return scripted;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The messages received with this command code (requests and answers). */
  messages(commandCode: number): DiameterMessage[] {
    return this.received.filter((r) => r.message.commandCode === commandCode).map((r) => r.message);
  }

  /** Resolves with the `nth` (1-based) received message matching `predicate`; rejects after `timeoutMs`. */
  async waitFor(predicate: (m: DiameterMessage) => boolean, timeoutMs: number, nth = 1): Promise<Received> {
    return new Promise<Received>((resolve, reject) => {
      const check = (): void => {
        const found = this.received.filter((r) => predicate(r.message))[nth - 1];
        if (!found) return;
        clearTimeout(timer);
        this.watchers.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(new Error(`no matching message #${nth} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.watchers.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const framer = new DiameterFramer(1 << 20);
    const connection: ScriptedConnection = {
      socket,
      send: (message) => connection.sendBytes(encodeMessage(message)),
      sendBytes: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
    };
    this.connections.push(connection);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      const { messages, error } = framer.push(chunk);
      try {
        for (const bytes of messages) this.onMessage(connection, decodeMessage(bytes));
      } catch {
        socket.destroy(); // our client sent something undecodable: the test watching for it will time out
      }
      if (error) socket.destroy();
    });
  }

  private onMessage(connection: ScriptedConnection, message: DiameterMessage): void {
    this.received.push({ connection, message });
    for (const watch of [...this.watchers]) watch();
    if (!message.request || this.onRequest(message, connection)) return;
    if (message.applicationId !== APPLICATION.COMMON) return;
    switch (message.commandCode) {
      case COMMAND.CAPABILITIES_EXCHANGE:
        connection.send(
          answerTo(message, SERVER_NODE, RESULT.SUCCESS, [avp(AVP.AUTH_APPLICATION_ID, APPLICATION.CREDIT_CONTROL)]),
        );
        return;
      case COMMAND.DEVICE_WATCHDOG:
        connection.send(answerTo(message, SERVER_NODE, RESULT.SUCCESS));
        return;
      case COMMAND.DISCONNECT_PEER:
        connection.send(answerTo(message, SERVER_NODE, RESULT.SUCCESS));
        connection.socket.end();
        return;
    }
  }
}
