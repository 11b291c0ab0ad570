import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENSSL_TIMEOUT_MS = 15_000;

/** A throw-away CA and one leaf certificate it signed (SAN IP:127.0.0.1, IP:::1, DNS:localhost; server and client use). */
export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
  dispose(): Promise<void>;
}

/** Whether the `openssl` command can be run here. */
export async function hasOpenssl(): Promise<boolean> {
  try {
    await run('openssl', ['version'], { timeout: OPENSSL_TIMEOUT_MS });
    return true;
  } catch {
    return false; // not installed (ENOENT): the TLS suites skip
  }
}

/** Makes a CA and a leaf certificate with `openssl` in a fresh temp dir (P-256 keys, valid two days). */
export async function makeTestPki(name: string): Promise<TestPki> {
  const dir = await mkdtemp(path.join(tmpdir(), `cmr-tls-${name}-`));
  const file = (f: string) => path.join(dir, f);
  const openssl = (args: string[]) => run('openssl', args, { cwd: dir, timeout: OPENSSL_TIMEOUT_MS });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    `/CN=${name} test CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl(['req', ...ecKey, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${name} localhost`]);
  await writeFile(
    file('leaf.ext'),
    'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'leaf.crt',
    '-days',
    '2',
    '-extfile',
    'leaf.ext',
  ]);
  return {
    dir,
    caFile: file('ca.crt'),
    certFile: file('leaf.crt'),
    keyFile: file('leaf.key'),
    ca: await readFile(file('ca.crt')),
    cert: await readFile(file('leaf.crt')),
    key: await readFile(file('leaf.key')),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
