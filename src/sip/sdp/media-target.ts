/**
 * Where an SDP description sends media: its connection addresses and media ports, in order. Two
 * descriptions with the same target need no new offer to the far side, whatever else differs
 * (origin, attributes, codec order).
 */
export function mediaTarget(sdp: Buffer): string {
  const lines = sdp.toString('latin1').split(/\r?\n/);
  const target: string[] = [];
  for (const line of lines) {
    if (line.startsWith('c=')) target.push(line.trim().replace(/\s+/g, ' '));
    else if (line.startsWith('m=')) target.push(line.trim().split(/\s+/).slice(0, 2).join(' '));
  }
  return target.join('|');
}

export function sameMediaTarget(a: Buffer, b: Buffer): boolean {
  return mediaTarget(a) === mediaTarget(b);
}
