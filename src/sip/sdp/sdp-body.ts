/**
 * The SDP of a message body: the body itself for application/sdp, or the application/sdp part of a
 * multipart/mixed body (RFC 5621; IMS INVITEs may carry SDP beside ISUP or a location object).
 */
export function sdpOf(contentTypeHeader: string | undefined, body: Buffer): Buffer | null {
  if (!contentTypeHeader || body.length === 0) return null;
  const [type = '', ...params] = contentTypeHeader.split(';').map((p) => p.trim());
  const mediaType = type.toLowerCase();
  if (mediaType === 'application/sdp') return body;
  if (mediaType !== 'multipart/mixed') return null;
  const boundaryParam = params.find((p) => p.toLowerCase().startsWith('boundary='));
  if (!boundaryParam) return null;
  const boundary = boundaryParam.slice('boundary='.length).replace(/^"|"$/g, '');
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd >= 0) {
      const head = part.subarray(0, headEnd).toString('latin1');
      if (/^content-type\s*:\s*application\/sdp\b/im.test(head)) {
        let content = part.subarray(headEnd + 4);
        if (content.subarray(-2).toString('latin1') === '\r\n') content = content.subarray(0, -2);
        return content;
      }
    }
    at = next;
  }
  return null;
}
