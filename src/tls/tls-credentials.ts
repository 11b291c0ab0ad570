import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { AppError } from '../errors';

/** Where a certificate, its key and (optionally) the CA bundle that verifies peers are read from. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** Empty: peers are verified against Node's bundled CA list. */
  readonly caFile?: string;
}

/** The PEM contents of `TlsFiles`, read once at start-up. */
export interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
}

/** A certificate, key or CA file that is not configured, cannot be read, or is not usable PEM. */
export class TlsCredentialsError extends AppError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('TLS.CREDENTIALS', message, options);
  }
}

/**
 * Reads the certificate, key and CA files named by a config section (`section` names it in errors,
 * e.g. `sip.tls`) and checks that they make a usable TLS context (the key matches the certificate).
 */
export async function loadTlsCredentials(files: TlsFiles, section: string): Promise<TlsCredentials> {
  const cert = await readPem(files.certFile, `${section}.certFile`);
  const key = await readPem(files.keyFile, `${section}.keyFile`);
  const ca = files.caFile ? await readPem(files.caFile, `${section}.caFile`) : undefined;
  try {
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TlsCredentialsError(
      files.certFile,
      `${section}: ${files.certFile} and ${files.keyFile} do not make a TLS context: ${reason}`,
      { cause: err },
    );
  }
  return ca ? { cert, key, ca } : { cert, key };
}

async function readPem(file: string, key: string): Promise<Buffer> {
  if (file === '') throw new TlsCredentialsError(file, `${key} is empty: TLS needs a PEM file`);
  try {
    return await readFile(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TlsCredentialsError(file, `${key}: cannot read ${file}: ${reason}`, { cause: err });
  }
}
