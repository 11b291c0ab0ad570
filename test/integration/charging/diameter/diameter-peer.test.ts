import assert from 'node:assert/strict';
import { avp, findAvps, findValue, readAvp } from '../../../../src/charging/diameter/avp-codec';
import { answerTo, resultCodeOf } from '../../../../src/charging/diameter/diameter-base-messages';
import { AVP, COMMAND, RESULT } from '../../../../src/charging/diameter/diameter-dictionary';
import { encodeMessage, type DiameterMessage } from '../../../../src/charging/diameter/diameter-message';
import {
  DiameterPeer,
  type DiameterPeerOptions,
  type PeerState,
} from '../../../../src/charging/diameter/diameter-peer';
import { SERVER_NODE, ScriptedDiameterServer } from '../../../support/diameter/scripted-diameter-server';
import { LogLines } from '../../../unit/portal/log-lines';

const CLIENT = { originHost: 'as.client.test', originRealm: 'client.test' };

function ccr(endToEndId: number): Omit<DiameterMessage, 'hopByHopId'> {
  return {
    commandCode: COMMAND.CREDIT_CONTROL,
    applicationId: 4,
    request: true,
    proxiable: true,
    error: false,
    retransmit: false,
    endToEndId,
    avps: [avp(AVP.SESSION_ID, `as.client.test;1;${endToEndId}`), avp(AVP.ORIGIN_HOST, CLIENT.originHost)],
  };
}

/** A request from the server to the client. */
function serverRequest(commandCode: number, applicationId: number, hopByHopId: number): DiameterMessage {
  return {
    commandCode,
    applicationId,
    request: true,
    proxiable: false,
    error: false,
    retransmit: false,
    hopByHopId,
    endToEndId: hopByHopId,
    avps: [avp(AVP.ORIGIN_HOST, SERVER_NODE.originHost), avp(AVP.ORIGIN_REALM, SERVER_NODE.originRealm)],
  };
}

const isAnswerTo = (hopByHopId: number) => (m: DiameterMessage) => !m.request && m.hopByHopId === hopByHopId;
const isRequest = (commandCode: number) => (m: DiameterMessage) => m.request && m.commandCode === commandCode;

describe('Diameter peer connection', () => {
  let server: ScriptedDiameterServer;
  let peer: DiameterPeer;
  let states: PeerState[];
  let log: LogLines;
  let stateWatchers: Set<() => void>;

  /** Resolves once the peer has entered `state` `count` times; rejects after `timeoutMs`. */
  async function stateCount(state: PeerState, count: number, timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (states.filter((s) => s === state).length < count) return;
        clearTimeout(timer);
        stateWatchers.delete(check);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`not ${count} times ${state}: ${states.join(',')}`)), timeoutMs);
      stateWatchers.add(check);
      check();
    });
  }

  function makePeer(over: Partial<DiameterPeerOptions> = {}): DiameterPeer {
    peer = new DiameterPeer({
      name: 'primary',
      host: '127.0.0.1',
      port: over.port ?? server.port,
      capabilities: {
        ...CLIENT,
        hostIpAddresses: [],
        vendorId: 0,
        productName: 'cmr-copy-as',
        originStateId: 1234,
        authApplicationIds: [4],
        supportedVendorIds: [10415],
      },
      twMs: 30_000,
      connectTimeoutMs: 1000,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      maxMessageBytes: 65_536,
      logger: log,
      onStateChange: (state) => {
        states.push(state);
        for (const watch of [...stateWatchers]) watch();
      },
      ...over,
    });
    peer.start();
    return peer;
  }

  beforeEach(async () => {
    server = await ScriptedDiameterServer.start();
    states = [];
    stateWatchers = new Set();
    log = new LogLines();
  });

  afterEach(async () => {
    await peer.close();
    await server.stop();
  });

  it('opens after a CER with our identity, address, DCCA and 3GPP, answered by CEA 2001', async () => {
    makePeer();
    assert.equal(await peer.waitUntilOpen(2000), true);
    const [cer] = server.messages(COMMAND.CAPABILITIES_EXCHANGE);
    assert.ok(cer);
    assert.equal(findValue(cer.avps, AVP.ORIGIN_HOST), 'as.client.test');
    assert.equal(findValue(cer.avps, AVP.ORIGIN_REALM), 'client.test');
    assert.equal(findValue(cer.avps, AVP.HOST_IP_ADDRESS), '127.0.0.1');
    assert.equal(findValue(cer.avps, AVP.VENDOR_ID), 0);
    assert.equal(findValue(cer.avps, AVP.PRODUCT_NAME), 'cmr-copy-as');
    assert.equal(findValue(cer.avps, AVP.AUTH_APPLICATION_ID), 4);
    assert.equal(findValue(cer.avps, AVP.SUPPORTED_VENDOR_ID), 10415);
    assert.equal(peer.remoteIdentity, SERVER_NODE.originHost);
    assert.deepEqual(states, ['connecting', 'wait-cea', 'open']);
  });

  it('stays closed and tries again when the CEA refuses with 5010 DIAMETER_NO_COMMON_APPLICATION', async () => {
    server.onRequest = (request, connection) => {
      if (request.commandCode !== COMMAND.CAPABILITIES_EXCHANGE) return false;
      connection.send(answerTo(request, SERVER_NODE, RESULT.NO_COMMON_APPLICATION));
      return true;
    };
    makePeer();
    await server.waitFor(isRequest(COMMAND.CAPABILITIES_EXCHANGE), 3000, 2);
    assert.equal(peer.isOpen(), false);
    assert.ok(log.at('warn').some((l) => String(l.meta['reason']).includes('5010')));
  });

  it('stays closed when the CEA is a success that offers no common application', async () => {
    server.onRequest = (request, connection) => {
      if (request.commandCode !== COMMAND.CAPABILITIES_EXCHANGE) return false;
      connection.send(answerTo(request, SERVER_NODE, RESULT.SUCCESS, [avp(AVP.AUTH_APPLICATION_ID, 1)]));
      return true;
    };
    makePeer();
    assert.equal(await peer.waitUntilOpen(300), false);
    assert.ok(log.at('warn').some((l) => l.meta['reason'] === 'no common application in CEA'));
  });

  it('opens with a relay agent that advertises the relay application 0xffffffff', async () => {
    server.onRequest = (request, connection) => {
      if (request.commandCode !== COMMAND.CAPABILITIES_EXCHANGE) return false;
      connection.send(answerTo(request, SERVER_NODE, RESULT.SUCCESS, [avp(AVP.AUTH_APPLICATION_ID, 0xffffffff)]));
      return true;
    };
    makePeer();
    assert.equal(await peer.waitUntilOpen(2000), true);
  });

  it("answers the peer's DWR with DWA 2001 and our Origin-State-Id", async () => {
    makePeer();
    await peer.waitUntilOpen(2000);
    server.connections[0]!.send(serverRequest(COMMAND.DEVICE_WATCHDOG, 0, 501));
    const { message } = await server.waitFor(isAnswerTo(501), 2000);
    assert.equal(message.commandCode, COMMAND.DEVICE_WATCHDOG);
    assert.equal(resultCodeOf(message), 2001);
    assert.equal(findValue(message.avps, AVP.ORIGIN_STATE_ID), 1234);
  });

  it('sends a DWR after Tw without traffic and stays open when it is answered', async () => {
    makePeer({ twMs: 200 });
    await peer.waitUntilOpen(2000);
    await server.waitFor(isRequest(COMMAND.DEVICE_WATCHDOG), 2000, 2);
    assert.equal(peer.isOpen(), true);
    assert.equal(server.connections.length, 1);
  });

  it('fails the connection and reconnects when a DWR stays unanswered for another Tw', async () => {
    server.onRequest = (request) => request.commandCode === COMMAND.DEVICE_WATCHDOG;
    makePeer({ twMs: 200 });
    await peer.waitUntilOpen(2000);
    await server.waitFor(isRequest(COMMAND.CAPABILITIES_EXCHANGE), 3000, 2);
    assert.ok(log.at('warn').some((l) => l.meta['reason'] === 'watchdog: no DWA'));
    assert.equal(await peer.waitUntilOpen(2000), true);
  });

  it('answers an unknown command with 3001 and an unknown application with 3007, E bit set', async () => {
    makePeer();
    await peer.waitUntilOpen(2000);
    server.connections[0]!.send(serverRequest(258, 4, 601)); // RAR
    server.connections[0]!.send(serverRequest(316, 16777251, 602)); // S6a ULR
    const rar = (await server.waitFor(isAnswerTo(601), 2000)).message;
    const ulr = (await server.waitFor(isAnswerTo(602), 2000)).message;
    assert.equal(resultCodeOf(rar), 3001);
    assert.equal(resultCodeOf(ulr), 3007);
    assert.equal(rar.error && ulr.error, true);
    assert.equal(peer.isOpen(), true);
  });

  it('answers a request with a broken AVP with 5014 and keeps the connection', async () => {
    makePeer();
    await peer.waitUntilOpen(2000);
    const bytes = encodeMessage(serverRequest(COMMAND.DEVICE_WATCHDOG, 0, 701));
    bytes.writeUIntBE(0x7f, 20 + 5, 3); // the first AVP claims more bytes than there are
    server.connections[0]!.sendBytes(bytes);
    const { message } = await server.waitFor(isAnswerTo(701), 2000);
    assert.equal(resultCodeOf(message), 5014);
    assert.equal(peer.isOpen(), true);
  });

  it('closes the connection on an unreadable stream and connects again', async () => {
    makePeer();
    await peer.waitUntilOpen(2000);
    server.connections[0]!.sendBytes(Buffer.from([2, 0, 0, 20]));
    await server.waitFor(isRequest(COMMAND.CAPABILITIES_EXCHANGE), 3000, 2);
    assert.ok(log.at('warn').some((l) => String(l.meta['reason']).startsWith('unreadable stream')));
  });

  it('answers the peer DPR with DPA, then reconnects after the peer closes', async () => {
    makePeer();
    await peer.waitUntilOpen(2000);
    const dpr = { ...serverRequest(COMMAND.DISCONNECT_PEER, 0, 801), avps: [] };
    server.connections[0]!.send({ ...dpr, avps: [...serverRequest(282, 0, 801).avps, avp(AVP.DISCONNECT_CAUSE, 0)] });
    const { message } = await server.waitFor(isAnswerTo(801), 2000);
    assert.equal(resultCodeOf(message), 2001);
    server.connections[0]!.socket.end();
    await server.waitFor(isRequest(COMMAND.CAPABILITIES_EXCHANGE), 3000, 2);
    assert.ok(states.includes('closing'));
  });

  it('matches answers by hop-by-hop id, whatever their order', async () => {
    const held: [DiameterMessage, (m: DiameterMessage) => void][] = [];
    server.onRequest = (request, connection) => {
      if (request.commandCode !== COMMAND.CREDIT_CONTROL) return false;
      held.push([request, (m) => connection.send(m)]);
      if (held.length === 2) for (const [r, send] of held.reverse()) send(answerTo(r, SERVER_NODE, 2001));
      return true;
    };
    makePeer();
    await peer.waitUntilOpen(2000);
    const [a, b] = await Promise.all([peer.request(ccr(1), 2000), peer.request(ccr(2), 2000)]);
    assert.equal(a.kind === 'answer' && a.message.endToEndId, 1);
    assert.equal(b.kind === 'answer' && b.message.endToEndId, 2);
  });

  it('reports a timeout when no answer comes within the deadline, and drops the late answer', async () => {
    let late: (() => void) | null = null;
    server.onRequest = (request, connection) => {
      if (request.commandCode !== COMMAND.CREDIT_CONTROL) return false;
      late = () => connection.send(answerTo(request, SERVER_NODE, 2001));
      return true;
    };
    makePeer();
    await peer.waitUntilOpen(2000);
    assert.deepEqual(await peer.request(ccr(1), 100), { kind: 'timeout' });
    late!();
    server.connections[0]!.send(serverRequest(COMMAND.DEVICE_WATCHDOG, 0, 901));
    await server.waitFor(isAnswerTo(901), 2000);
    assert.ok(log.at('debug').some((l) => l.message === 'diameter answer matches no pending request'));
  });

  it('reports the pending requests lost when the connection drops', async () => {
    server.onRequest = (request, connection) => {
      if (request.commandCode !== COMMAND.CREDIT_CONTROL) return false;
      connection.socket.destroy();
      return true;
    };
    makePeer();
    await peer.waitUntilOpen(2000);
    assert.deepEqual(await peer.request(ccr(1), 2000), { kind: 'lost' });
  });

  it('does not send while it is not open', async () => {
    const port = server.port;
    await server.stop();
    makePeer({ port });
    const result = await peer.request(ccr(1), 100);
    assert.equal(result.kind, 'not-sent');
    server = await ScriptedDiameterServer.start();
  });

  it('reconnects with backoff while the server is down and opens when it is back', async () => {
    makePeer();
    await peer.waitUntilOpen(2000);
    const port = server.port;
    await server.stop();
    // Two failed attempts while nothing listens: idle after the drop, then idle after each refusal.
    await stateCount('idle', 3, 3000);
    server = await ScriptedDiameterServer.start(port);
    await server.waitFor(isRequest(COMMAND.CAPABILITIES_EXCHANGE), 3000);
    assert.equal(await peer.waitUntilOpen(3000), true);
    const delays = log.lines.filter((l) => l.message === 'diameter peer reconnecting').map((l) => l.meta['inMs']);
    assert.deepEqual(delays.slice(0, 3), [50, 100, 200]);
  });

  it('sends DPR (REBOOTING) on close and waits for the DPA before closing', async () => {
    makePeer();
    await peer.waitUntilOpen(2000);
    await peer.close();
    const [dpr] = server.messages(COMMAND.DISCONNECT_PEER);
    assert.ok(dpr);
    assert.equal(findValue(dpr.avps, AVP.DISCONNECT_CAUSE), 0);
    assert.equal(peer.state, 'closed');
    assert.equal(log.lines.find((l) => l.message === 'diameter peer disconnected')?.meta['dpa'], 'answer');
  });

  it('advertises the configured host addresses instead of the local one', async () => {
    makePeer({
      capabilities: {
        ...CLIENT,
        hostIpAddresses: ['192.0.2.10', '2001:db8::10'],
        vendorId: 0,
        productName: 'x',
        originStateId: 1,
        authApplicationIds: [4],
        supportedVendorIds: [10415],
      },
    });
    await peer.waitUntilOpen(2000);
    const [cer] = server.messages(COMMAND.CAPABILITIES_EXCHANGE);
    assert.deepEqual(
      findAvps(cer!.avps, AVP.HOST_IP_ADDRESS).map((a) => readAvp(AVP.HOST_IP_ADDRESS, a)),
      ['192.0.2.10', '2001:db8::10'],
    );
  });
});
