import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for tags, branches and Call-IDs, from the system CSPRNG, drawn 4 KB at a time: one
 * call into OpenSSL per few hundred identifiers instead of one (and a Buffer) each. Every byte is
 * handed out once; the buffer is refilled in place when used up.
 */
export class RandomPool {
  private readonly pool: Buffer;
  private used: number;

  constructor(size = 4096) {
    this.pool = Buffer.allocUnsafeSlow(size);
    this.used = size; // filled on first use
  }

  /** `bytes` fresh random bytes as lower-case hex (2 characters a byte). */
  hex(bytes: number): string {
    const at = this.take(bytes);
    return this.pool.toString('hex', at, at + bytes);
  }

  /** `bytes` fresh random bytes as base64url, without padding: token characters only. */
  base64url(bytes: number): string {
    const at = this.take(bytes);
    return this.pool.toString('base64url', at, at + bytes);
  }

  private take(bytes: number): number {
    if (bytes > this.pool.length) throw new RangeError(`at most ${this.pool.length} bytes at a time`);
    if (this.used + bytes > this.pool.length) {
      randomFillSync(this.pool);
      this.used = 0;
    }
    const at = this.used;
    this.used += bytes;
    return at;
  }
}
