import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Call } from '../../src/calls/call';
import type { Resource } from '../../src/cmr/model';
import {
  assertSippSuccess,
  runSipp,
  startSipp,
  type SippResult,
  type SippRun,
  type SippRunOptions,
  type SippTransport,
} from '../support/sipp';
import { startTestApp, type TestApp } from '../support/test-app';
import { httpClient } from '../integration/api/http-client';
import { aResource, aSubscriber } from '../support/cmr-fixtures';

/** The called CMR subscriber of these tests (the seed's identities are +1555000100x: no clash). */
export const CMR_CALLED = '+15550002002';
/** A called party who is no CMR subscriber: plain B2BUA calls. */
export const PLAIN_CALLED = '+15550002999';
/** The caller's identity, in the From (and P-Asserted-Identity) of the caller scenarios. */
export const CALLER = '+15550002001';

export { aResource, aSubscriber };

/** Provisions `called` as an active CMR subscriber with a default sequential playlist of `resources`. */
export async function provisionCmr(app: TestApp, called: string, resources: Resource[]): Promise<void> {
  for (const r of resources) await app.store.putResource(r);
  await app.store.putSubscriber(aSubscriber(called));
  await app.store.putRingingRules(called, {
    rules: [],
    defaultPlaylist: { order: 'sequential', resourceIds: resources.map((r) => r.id) },
  });
}

/** A far end the server calls: a SIPp UAS scenario, or a peer that never answers. */
export type FarEnd = { scenario: string; options?: Partial<SippRunOptions> } | SilentPeer;

export interface RigOptions {
  transport: SippTransport;
  callee: FarEnd;
  mediaServer: FarEnd;
  /** Config overrides for the app (nextHop and media.server are set by the rig). */
  app?: Record<string, unknown>;
}

/** The server with SIPp standing in for the called party and the media server, on loopback. */
export class B2buaRig {
  private constructor(
    readonly app: TestApp,
    readonly transport: SippTransport,
    private readonly callee: SippRun | null,
    private readonly mediaServer: SippRun | null,
  ) {}

  static async start(options: RigOptions): Promise<B2buaRig> {
    const { transport } = options;
    const start = async (end: FarEnd): Promise<SippRun | SilentPeer> => {
      if (end instanceof SilentPeer) return end;
      const run = await startSipp({ scenario: end.scenario, transport, timeoutMs: 30_000, ...end.options });
      await run.whenListening();
      return run;
    };
    const callee = await start(options.callee);
    const mediaServer = await start(options.mediaServer);
    const uri = (end: SippRun | SilentPeer) =>
      `sip:127.0.0.1:${end instanceof SilentPeer ? end.port : end.localPort}${transport === 'tcp' ? ';transport=tcp' : ''}`;
    const overrides = options.app ?? {};
    const b2bua = (overrides.b2bua as Record<string, unknown> | undefined) ?? {};
    const media = (overrides.media as Record<string, unknown> | undefined) ?? {};
    const sip = (overrides.sip as Record<string, unknown> | undefined) ?? {};
    // startTestApp merges shallowly: a `sip` override must keep the ephemeral port itself.
    const app = await startTestApp({
      ...overrides,
      sip: { port: 0, ...sip },
      b2bua: { lingerSeconds: 1, ...b2bua, nextHop: uri(callee) },
      media: { ...media, server: uri(mediaServer) },
    });
    const sipp = (end: SippRun | SilentPeer) => (end instanceof SilentPeer ? null : end);
    return new B2buaRig(app, transport, sipp(callee), sipp(mediaServer));
  }

  /** Runs a caller scenario against the server and returns its result (not asserted). */
  async call(scenario: string, options: Partial<SippRunOptions> = {}): Promise<SippResult> {
    return runSipp(this.callerOptions(scenario, options));
  }

  /** Starts a caller scenario without waiting for it, to look at the server while the call is up. */
  async startCall(scenario: string, options: Partial<SippRunOptions> = {}): Promise<SippRun> {
    return startSipp(this.callerOptions(scenario, options));
  }

  /** `GET path` on the server's HTTP API with the test token. */
  async get(path: string): Promise<{ status: number; json: unknown }> {
    const answer = await httpClient(this.app.httpAddress, this.app.config.http.apiToken)({ method: 'GET', path });
    return { status: answer.status, json: answer.json };
  }

  private callerOptions(scenario: string, options: Partial<SippRunOptions>): SippRunOptions {
    return {
      scenario,
      transport: this.transport,
      target: { host: '127.0.0.1', port: this.app.sipPort(this.transport) },
      serviceUser: CMR_CALLED,
      timeoutMs: 30_000,
      ...options,
    };
  }

  /** Waits for the far ends to finish and returns their results (null where there was none). */
  async farEnds(): Promise<{ callee: SippResult | null; mediaServer: SippResult | null }> {
    const [callee, mediaServer] = await Promise.all([this.callee?.result ?? null, this.mediaServer?.result ?? null]);
    return { callee, mediaServer };
  }

  /** For calls the media server must not see: waits for the callee, then stops the media server. */
  async stopMediaServer(): Promise<{ callee: SippResult | null; mediaServer: SippResult | null }> {
    const callee = (await this.callee?.result) ?? null;
    const mediaServer = (await this.mediaServer?.stop()) ?? null;
    return { callee, mediaServer };
  }

  /** Stops both far ends now (for runs told to expect more calls than come) and returns their results. */
  async stopFarEnds(): Promise<{ callee: SippResult | null; mediaServer: SippResult | null }> {
    const [callee, mediaServer] = await Promise.all([this.callee?.stop() ?? null, this.mediaServer?.stop() ?? null]);
    return { callee, mediaServer };
  }

  /** The calls the registry holds, ended ones included. */
  calls(): Call[] {
    return this.app.calls.values();
  }

  /** Waits until no call is left in the registry (ended and gone after the linger) nor any dialog in the UA. */
  /** No call in progress and no dialog left (ended calls may linger, readable, until their TTL). */
  async drained(ms = 8000): Promise<void> {
    await until(
      () => this.app.calls.activeCount === 0 && this.app.sip.ua.counts.dialogs === 0,
      'the calls in progress and the dialog table to empty',
      ms,
    );
  }

  async stop(): Promise<void> {
    await Promise.all([this.callee?.stop(), this.mediaServer?.stop()]);
    await this.app.stop();
  }
}

/** Polls `check` every 20 ms until it holds; fails the test after `ms`. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const polls = Math.ceil(ms / 20);
  for (let i = 0; i < polls; i++) {
    if (check()) return;
    await delay(20);
  }
  assert.fail(`timed out after ${ms} ms waiting for ${what}`);
}

/** Asserts each SIPp run succeeded, naming it in the failure. */
export function assertAllSucceeded(results: Record<string, SippResult | null>): void {
  for (const [name, result] of Object.entries(results)) if (result) assertSippSuccess(result, name);
}

/** The SIP messages of one direction in a SIPp message trace: the start lines, in order. */
export function startLines(trace: string, direction: 'sent' | 'received'): string[] {
  const out: string[] = [];
  const re = new RegExp(`message ${direction}[^\\n]*\\n+([^\\n]+)`, 'g');
  for (const m of trace.matchAll(re)) if (m[1]) out.push(m[1].trim());
  return out;
}

/** A peer that takes every request and never answers: a vanished callee or media server. */
export class SilentPeer {
  private constructor(
    readonly port: number,
    private readonly received: Buffer[],
    private readonly closeFn: () => Promise<void>,
  ) {}

  static async start(transport: SippTransport): Promise<SilentPeer> {
    const received: Buffer[] = [];
    if (transport === 'udp') {
      const socket = createSocket('udp4');
      socket.on('message', (msg) => received.push(msg));
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return new SilentPeer(socket.address().port, received, () => new Promise((r) => socket.close(() => r())));
    }
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (d) => received.push(d));
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return new SilentPeer(port, received, async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    });
  }

  /** How many INVITEs (retransmissions included) reached this peer. */
  get invites(): number {
    return (
      this.received
        .map((b) => b.toString('latin1'))
        .join('')
        .split(/^INVITE /m).length - 1
    );
  }

  close(): Promise<void> {
    return this.closeFn();
  }
}
