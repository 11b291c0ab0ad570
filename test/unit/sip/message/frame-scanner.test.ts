import assert from 'node:assert/strict';
import { scanFrame } from '../../../../src/sip/message/frame-scanner';
import type { ParseLimits } from '../../../../src/sip/message/parse-limits';

const limits: ParseLimits = { maxMessageBytes: 4096, maxHeaders: 64, maxLineBytes: 1024 };

function request(body: string, extra = ''): string {
  const len = Buffer.byteLength(body, 'utf8');
  return (
    'MESSAGE sip:b@127.0.0.1 SIP/2.0\r\n' +
    'Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK1\r\n' +
    'To: <sip:b@127.0.0.1>\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 MESSAGE\r\n' +
    extra +
    `Content-Length: ${len}\r\n\r\n` +
    body
  );
}

describe('scanFrame', () => {
  it('asks for more bytes when the buffer is empty or the offset is at its end', () => {
    assert.deepEqual(scanFrame(Buffer.alloc(0), 0, limits), { kind: 'need-more' });
    assert.deepEqual(scanFrame(Buffer.from('\r\n'), 2, limits), { kind: 'need-more' });
  });

  it('reports leading CRLF keep-alives with their length', () => {
    assert.deepEqual(scanFrame(Buffer.from('\r\n\r\nINVITE'), 0, limits), { kind: 'keepalive', length: 4 });
    assert.deepEqual(scanFrame(Buffer.from('\r\n'), 0, limits), { kind: 'keepalive', length: 2 });
  });

  it('frames a complete message by its Content-Length, counting UTF-8 body bytes', () => {
    const text = request('héllo wörld ✓');
    const buf = Buffer.from(text, 'utf8');
    assert.deepEqual(scanFrame(buf, 0, limits), { kind: 'message', length: buf.length });
  });

  it('asks for more bytes while the head or the body is incomplete', () => {
    const buf = Buffer.from(request('0123456789'));
    for (const cut of [10, buf.length - 14, buf.length - 1]) {
      assert.deepEqual(scanFrame(buf.subarray(0, cut), 0, limits), { kind: 'need-more' }, `cut at ${cut}`);
    }
  });

  it('frames pipelined messages one after the other from an offset', () => {
    const one = Buffer.from(request('abc'));
    const two = Buffer.from(request('defgh'));
    const buf = Buffer.concat([one, Buffer.from('\r\n\r\n'), two]);
    const first = scanFrame(buf, 0, limits);
    assert.deepEqual(first, { kind: 'message', length: one.length });
    assert.deepEqual(scanFrame(buf, one.length, limits), { kind: 'keepalive', length: 4 });
    assert.deepEqual(scanFrame(buf, one.length + 4, limits), { kind: 'message', length: two.length });
  });

  it('accepts the compact form, any case, whitespace before the colon and folded values', () => {
    const head = 'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKa\r\n';
    for (const cl of ['l: 3', 'L :3', 'CONTENT-LENGTH:\t3', 'content-length:\r\n 3']) {
      const buf = Buffer.from(`${head}${cl}\r\n\r\nabcXYZ`);
      const scan = scanFrame(buf, 0, limits);
      assert.deepEqual(scan, { kind: 'message', length: buf.length - 3 }, cl);
    }
  });

  it('does not mistake other headers starting with l or c for Content-Length', () => {
    const buf = Buffer.from(request('', 'Location: 99\r\nContent-Type: text/plain\r\nContent-Length-X: 5\r\n'));
    assert.deepEqual(scanFrame(buf, 0, limits), { kind: 'message', length: buf.length });
  });

  it('accepts bare LF line endings', () => {
    const buf = Buffer.from('OPTIONS sip:x@h SIP/2.0\nVia: SIP/2.0/TCP h\nContent-Length: 2\n\nokNEXT');
    assert.deepEqual(scanFrame(buf, 0, limits), { kind: 'message', length: buf.length - 4 });
  });

  it('fails the stream when Content-Length is missing, giving the head length and a partial request', () => {
    const text = 'OPTIONS sip:x@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKq\r\nCall-ID: q\r\n\r\n';
    const scan = scanFrame(Buffer.from(text + 'trailing'), 0, limits);
    assert.equal(scan.kind, 'error');
    if (scan.kind !== 'error') return;
    assert.equal(scan.error.status, 400);
    assert.match(scan.error.message, /Content-Length/);
    assert.equal(scan.length, Buffer.byteLength(text));
    assert.equal(scan.error.partial?.method, 'OPTIONS');
    assert.equal(scan.error.partial?.headers.get('call-id'), 'q');
  });

  it('gives no partial request when the broken head is a response', () => {
    const scan = scanFrame(Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h\r\n\r\n'), 0, limits);
    assert.equal(scan.kind, 'error');
    if (scan.kind === 'error') assert.equal(scan.error.partial, undefined);
  });

  it('fails the stream on negative, non-numeric or conflicting Content-Length values', () => {
    for (const cl of ['Content-Length: -1', 'Content-Length: 1x', 'Content-Length: 1 2', 'l: 3\r\nl: 4']) {
      const scan = scanFrame(Buffer.from(`OPTIONS sip:x@h SIP/2.0\r\n${cl}\r\n\r\nabcd`), 0, limits);
      assert.equal(scan.kind, 'error', cl);
      if (scan.kind === 'error') assert.equal(scan.error.status, 400, cl);
    }
  });

  it('answers 513 when the declared message is over the size limit', () => {
    for (const cl of ['5000', '99999999999999999999']) {
      const scan = scanFrame(Buffer.from(`OPTIONS sip:x@h SIP/2.0\r\nContent-Length: ${cl}\r\n\r\n`), 0, limits);
      assert.equal(scan.kind, 'error', cl);
      if (scan.kind === 'error') assert.equal(scan.error.status, 513, cl);
    }
  });

  it('fails a head that grows past the message size without ending', () => {
    const buf = Buffer.from('OPTIONS sip:x@h SIP/2.0\r\n' + 'X-Filler: abc\r\n'.repeat(400));
    const scan = scanFrame(buf, 0, limits);
    assert.equal(scan.kind, 'error');
    if (scan.kind === 'error') assert.equal(scan.error.status, 513);
  });

  it('fails an unterminated line longer than the line limit before the message limit is reached', () => {
    const buf = Buffer.from('OPTIONS sip:x@h SIP/2.0\r\nX-Long: ' + 'a'.repeat(1100));
    const scan = scanFrame(buf, 0, limits);
    assert.equal(scan.kind, 'error');
    if (scan.kind === 'error') assert.equal(scan.error.status, 400);
  });
});
