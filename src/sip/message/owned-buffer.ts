/**
 * The UTF-8 bytes of `text` in a buffer of their own. `Buffer.from` cuts small buffers from a shared
 * 8 KB pool, and one slice a call keeps (an SDP body held for the whole ringing time) keeps the whole
 * slab alive, with whatever short-lived bytes were cut from it beside.
 */
export function ownedBuffer(text: string): Buffer {
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  out.write(text, 0, 'utf8');
  return out;
}
