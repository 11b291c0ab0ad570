import { DiameterError } from './diameter-error';
import { messageLength } from './diameter-message';

/** The version byte plus the 24-bit length: enough to know where a message ends. */
const LENGTH_PREFIX = 4;

export interface FramerOutput {
  /** The whole messages completed by this chunk, in order. */
  readonly messages: Buffer[];
  /** Set once the stream is unreadable (bad version or length, over the maximum); the connection must close. */
  readonly error: DiameterError | null;
}

/**
 * Splits a TCP byte stream into whole Diameter messages using the length in each header
 * (RFC 6733 §3): partial reads are kept until complete, several messages in one chunk are all
 * returned. A bad version or length, or a message over `maxMessageBytes`, cannot be skipped over
 * (the stream has no resynchronisation point), so from then on every push reports that error.
 */
export class DiameterFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed: DiameterError | null = null;

  constructor(private readonly maxMessageBytes: number) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): FramerOutput {
    const messages: Buffer[] = [];
    if (this.failed) return { messages, error: this.failed };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    while (this.buffered >= LENGTH_PREFIX) {
      const length = this.nextLength();
      if (length === null) return { messages, error: this.failed };
      if (this.buffered < length) break;
      messages.push(this.take(length));
    }
    return { messages, error: null };
  }

  private nextLength(): number | null {
    try {
      return messageLength(this.peek(LENGTH_PREFIX), this.maxMessageBytes);
    } catch (err) {
      this.failed =
        err instanceof DiameterError
          ? err
          : new DiameterError('DIAMETER.MALFORMED', 'unreadable header', { cause: err });
      this.chunks = [];
      this.buffered = 0;
      return null;
    }
  }

  /** The first `n` buffered bytes (n <= buffered), without consuming them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const out = Buffer.from(this.peek(n));
    const first = this.chunks[0];
    if (first) this.chunks[0] = first.subarray(n);
    if (this.chunks[0]?.length === 0) this.chunks.shift();
    this.buffered -= n;
    return out;
  }
}
