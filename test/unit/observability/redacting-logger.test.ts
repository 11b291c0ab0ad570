import assert from 'node:assert/strict';
import { createLogger } from '../../../src/observability/logger';
import { redactingLogger } from '../../../src/observability/redacting-logger';
import { LogLines } from '../portal/log-lines';

describe('a logger that never writes secrets', () => {
  it('hides a secret in the message and in metadata at any depth, in any case', () => {
    const out = new LogLines();
    const log = redactingLogger(out, ['cmr-as.operator.example', 'tok-123456']);
    log.warn('peer CMR-AS.Operator.Example refused', {
      sessionId: 'cmr-as.operator.example;1;2;cmr-debit-x',
      nested: { list: ['Bearer tok-123456', 42] },
      error: new Error('bad token tok-123456'),
    });
    const [line] = out.lines;
    assert.equal(line?.message, 'peer [redacted] refused');
    assert.deepEqual(line?.meta, {
      sessionId: '[redacted];1;2;cmr-debit-x',
      nested: { list: ['Bearer [redacted]', 42] },
      error: 'bad token [redacted]',
    });
  });

  it('hides the values of keys that hold identities or secrets, and redacts the metadata of child loggers', () => {
    const out = new LogLines();
    const log = redactingLogger(out, ['realm.example']).child({ peer: 'ocs@realm.example' });
    log.info('diameter peer open', { remoteHost: 'ocs-7.other.example', authorization: 'Basic x' });
    assert.deepEqual(out.lines[0]?.meta, {
      peer: 'ocs@[redacted]',
      remoteHost: '[redacted]',
      authorization: '[redacted]',
    });
  });

  it('is the logger itself when there is no secret long enough to look for', () => {
    const out = new LogLines();
    assert.equal(redactingLogger(out, ['', 'ab']), out);
  });

  it("does no work for the lines the level drops: a call's info lines at warn cost nothing", () => {
    const log = redactingLogger(createLogger({ level: 'warn' }), ['tok-123456']);
    let read = 0;
    const meta = {
      get callId() {
        read++;
        return 'c1';
      },
    };
    log.info('call started', meta);
    log.debug('message received', meta);
    assert.equal(read, 0, 'the metadata was not even read');
  });
});
