import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Runs Debian's freeDiameterd (apt package `freediameter`) as a Diameter relay between our client
 * and the test credit-control server: writes its configuration from
 * `freediameter-relay.conf.template` into a temporary folder, starts `freeDiameterd -c <conf>`, waits
 * until it says it is initialised, and stops it by PID.
 *
 * Notes on freeDiameter 1.2.1 found while writing this:
 * - With `SecPort = 0` and no `TLS_Cred`, it runs without any certificate ("TLS is disabled").
 * - `ListenOn = "127.0.0.1"` is silently dropped (its endpoint filter discards loopback addresses),
 *   so it listens on 0.0.0.0:<port>; the tests only ever connect to it on 127.0.0.1.
 * - Unknown incoming peers are refused unless an extension admits them: acl_wl with ALLOW_IPSEC
 *   (plain TCP, no in-band TLS) admits our client.
 */

const TEMPLATE = join(__dirname, 'freediameter-relay.conf.template');
const EXTENSION_DIRS = [
  '/usr/lib/freeDiameter',
  '/usr/lib/x86_64-linux-gnu/freeDiameter',
  '/usr/local/lib/freeDiameter',
];
const READY_LINE = 'freeDiameterd daemon initialized';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface RelayOptions {
  /** The relay's Diameter identity and realm, e.g. `relay1.relay.test`, `relay.test`. */
  readonly identity: string;
  readonly realm: string;
  /** Incoming peers admitted (acl_wl syntax: a FQDN or `*.domain`). */
  readonly allowedPeers: readonly string[];
  /** The peer the relay connects to (our test OCS): its Origin-Host must match `identity`. */
  readonly upstream: { readonly identity: string; readonly port: number };
}

/** The freeDiameterd binary and its extension folder, or why the relay cannot run here. */
export function freeDiameterInstallation(): { binary: string; extensions: string } | { missing: string } {
  const binary = (process.env['PATH'] ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'freeDiameterd'))
    .find((candidate) => existsSync(candidate));
  if (!binary) return { missing: 'freeDiameterd is not installed (apt-get install freediameter)' };
  const extensions = EXTENSION_DIRS.find((dir) => existsSync(join(dir, 'acl_wl.fdx')));
  if (!extensions) return { missing: 'the freeDiameter extensions are not installed (freediameter-extensions)' };
  return { binary, extensions };
}

/** A TCP port free on the loopback interface just now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class FreeDiameterRelay {
  private output = '';
  private exited = false;
  private readonly watchers = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly identity: string,
    private readonly dir: string,
  ) {
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
      for (const watch of [...this.watchers]) watch();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', () => {
      this.exited = true;
      for (const watch of [...this.watchers]) watch();
    });
  }

  static async start(options: RelayOptions): Promise<FreeDiameterRelay> {
    const installation = freeDiameterInstallation();
    if ('missing' in installation) throw new Error(installation.missing);
    const dir = mkdtempSync(join(tmpdir(), 'cmr-freediameter-'));
    const port = await freePort();
    const aclFile = join(dir, 'acl_wl.conf');
    writeFileSync(aclFile, `ALLOW_IPSEC ${options.allowedPeers.join(' ')}\n`);
    const values: Record<string, string> = {
      IDENTITY: options.identity,
      REALM: options.realm,
      PORT: String(port),
      EXT_DIR: installation.extensions,
      ACL_FILE: aclFile,
      UPSTREAM_IDENTITY: options.upstream.identity,
      UPSTREAM_PORT: String(options.upstream.port),
    };
    const conf = readFileSync(TEMPLATE, 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => values[key] ?? '');
    const confFile = join(dir, 'freediameter.conf');
    writeFileSync(confFile, conf);
    const child = spawn(installation.binary, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = new FreeDiameterRelay(child, port, options.identity, dir);
    await relay.waitForOutput(READY_LINE, START_TIMEOUT_MS);
    return relay;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Everything freeDiameterd printed so far (for failure messages). */
  get log(): string {
    return this.output;
  }

  /** Freezes the process (SIGSTOP): its connections stay up but nothing is relayed or answered. */
  pause(): void {
    if (!this.exited) this.child.kill('SIGSTOP');
  }

  resume(): void {
    if (!this.exited) this.child.kill('SIGCONT');
  }

  /** SIGTERM (after SIGCONT), then SIGKILL if it has not exited within 5 s; removes its folder. */
  async stop(): Promise<void> {
    if (!this.exited) {
      const exit = once(this.child, 'exit');
      this.child.kill('SIGCONT');
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Resolves once `text` appears in the output; rejects with the output after `timeoutMs` or on exit. */
  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.watchers.delete(check);
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        if (this.output.includes(text)) finish();
        else if (this.exited) finish(new Error(`freeDiameterd exited:\n${this.output}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`freeDiameterd: no "${text}" within ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      );
      this.watchers.add(check);
      check();
    });
  }
}
