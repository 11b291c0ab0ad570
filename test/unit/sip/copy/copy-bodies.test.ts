import assert from 'node:assert/strict';
import { COPY_OUTCOMES } from '../../../../src/cmr/model';
import { noticeBody } from '../../../../src/sip/copy/copy-notice';
import { COPY_ANSWERS } from '../../../../src/sip/copy/copy-outcome-responses';
import { parseCopyRequest } from '../../../../src/sip/copy/copy-request-body';
import { dtmfDigit } from '../../../../src/sip/copy/dtmf-body';

describe('DTMF INFO bodies, read leniently', () => {
  const relay = (text: string) => dtmfDigit('application/dtmf-relay', Buffer.from(text));
  const cases: [string, string | null][] = [
    ['Signal=*\r\nDuration=160\r\n', '*'],
    ['Signal=5\nDuration=100', '5'],
    ['signal = #', '#'],
    ['SIGNAL=a\r\n', 'A'],
    ['Duration=160\r\nSignal=1', '1'],
    ['Signal=10\r\n', '*'],
    ['Signal=11', '#'],
    ['Signal=\r\n', null],
    ['Signal=**', null],
    ['Duration=160', null],
    ['', null],
  ];
  for (const [body, digit] of cases) {
    it(`reads ${JSON.stringify(body)} as ${digit ?? 'no digit'}`, () => assert.equal(relay(body), digit));
  }

  it('reads application/dtmf with the digit alone', () => {
    assert.equal(dtmfDigit('application/dtmf', Buffer.from('*')), '*');
    assert.equal(dtmfDigit('application/dtmf', Buffer.from('7\r\n')), '7');
  });

  it('reads nothing from other body types', () => {
    assert.equal(dtmfDigit('text/plain', Buffer.from('Signal=*')), null);
    assert.equal(dtmfDigit(null, Buffer.from('Signal=*')), null);
  });
});

describe('the copy request body', () => {
  it('reads the action, the resource and the consent', () => {
    assert.deepEqual(parseCopyRequest(Buffer.from('{"action":"copy","resourceId":"tone-1","consent":true}')), {
      ok: true,
      body: { resourceId: 'tone-1', consent: true },
    });
    assert.deepEqual(parseCopyRequest(Buffer.from('{"action":"copy"}')), {
      ok: true,
      body: { resourceId: null, consent: false },
    });
  });

  const bad: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['[1]', /object/],
    ['{"action":"buy"}', /action/],
    ['{"action":"copy","consent":"yes"}', /consent/],
    ['{"action":"copy","resourceId":"../etc"}', /resourceId/],
    ['{"action":"copy","requester":"+15550000000"}', /unknown field requester/],
  ];
  for (const [text, problem] of bad) {
    it(`refuses ${text}`, () => {
      const r = parseCopyRequest(Buffer.from(text));
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problem, problem);
    });
  }
});

describe('the answers to copy requests', () => {
  it('has a SIP answer for every outcome of the use case', () => {
    for (const outcome of COPY_OUTCOMES) assert.ok(COPY_ANSWERS[outcome], outcome);
    assert.equal(COPY_ANSWERS.copied.status, 200);
    assert.equal(COPY_ANSWERS['no-credit'].status, 402);
    assert.equal(COPY_ANSWERS['privacy-restricted'].status, 403);
    assert.equal(COPY_ANSWERS['nothing-presenting'].status, 404);
    assert.equal(COPY_ANSWERS['already-owned'].status, 409);
  });

  it('tells the handset in words and in JSON', () => {
    const { body, contentType } = noticeBody({
      kind: 'result',
      outcome: 'copied',
      callId: 'c1',
      resource: {
        id: 't',
        title: 'Summer',
        artist: 'A',
        provider: null,
        mediaUri: 'x',
        kind: 'audio',
        durationSeconds: 1,
        copyable: true,
        price: { amountMinor: 1, currency: 'USD' },
        validFrom: null,
        validUntil: null,
      },
      price: { amountMinor: 99, currency: 'USD' },
      chargeReference: 'r1',
    });
    const boundary = /boundary=(\S+)/.exec(contentType)?.[1];
    assert.ok(boundary);
    const text = body.toString();
    assert.match(text, /Content-Type: text\/plain; charset=utf-8\r\n\r\nCopied: "Summer" is now in your library\./);
    const json = JSON.parse(
      text.split('application/vnd.cmr.copy-result+json\r\n\r\n')[1]!.split(`\r\n--${boundary}--`)[0]!,
    );
    assert.equal(json.outcome, 'copied');
    assert.equal(json.chargeReference, 'r1');
  });
});
