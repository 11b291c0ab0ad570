import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  createLogger,
  DeferredChild,
  maskIdentity,
  silentLogger,
  type ChildMaker,
} from '../../../src/observability/logger';

function capture(maskNumbers: boolean): {
  lines: () => Record<string, unknown>[];
  logger: ReturnType<typeof createLogger>;
} {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const logger = createLogger({ level: 'debug', maskNumbers }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('the logger', () => {
  it('masks all but the last three digits of numbers in identities', () => {
    assert.equal(maskIdentity('+15550001001'), '+********001');
    assert.equal(maskIdentity('sip:+15550001001@ims.example;user=phone'), 'sip:+********001@ims.example;user=phone');
    assert.equal(maskIdentity('sip:alice@example.com'), 'sip:alice@example.com');
  });

  it('writes one JSON object per line with the metadata of its child logger', async () => {
    const { logger, lines } = capture(true);
    logger.child({ callId: 'c-1' }).info('call started', { caller: 'tel:+15550001001', icid: 'x' });
    await new Promise((r) => setImmediate(r));
    const [line] = lines();
    assert.equal(line?.message, 'call started');
    assert.equal(line?.callId, 'c-1');
    assert.equal(line?.caller, 'tel:+********001');
    assert.equal(line?.icid, 'x');
  });

  it('keeps numbers at debug level and when masking is off', async () => {
    const masked = capture(true);
    masked.logger.debug('detail', { caller: '+15550001001' });
    const plain = capture(false);
    plain.logger.info('detail', { caller: '+15550001001' });
    await new Promise((r) => setImmediate(r));
    assert.equal(masked.lines()[0]?.caller, '+15550001001');
    assert.equal(plain.lines()[0]?.caller, '+15550001001');
  });

  it("gives a grandchild its parents' metadata, the nearest winning, and a line's own over all", async () => {
    const { logger, lines } = capture(true);
    const call = logger.child({ component: 'b2bua', callId: 'c-1' }).child({ callId: 'c-2', leg: 'a' });
    call.warn('leg failed', { leg: 'b' });
    await new Promise((r) => setImmediate(r));
    const [line] = lines();
    assert.equal(line?.component, 'b2bua');
    assert.equal(line?.callId, 'c-2');
    assert.equal(line?.leg, 'b');
  });

  it('takes a level set through any logger of the tree for all of them, the root included', async () => {
    const { logger, lines } = capture(true);
    const call = logger.child({ callId: 'c-4' });
    call.setLevel('warn');
    assert.equal(logger.isEnabled('info'), false);
    logger.info('dropped');
    call.info('dropped too');
    logger.warn('kept');
    call.setLevel('debug');
    assert.equal(logger.isDebugEnabled(), true);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      lines().map((l) => l.message),
      ['kept'],
    );
  });

  it('lets a child made while its level was off write once the level is raised', async () => {
    const { logger, lines } = capture(true);
    logger.setLevel('warn');
    const call = logger.child({ callId: 'c-3' });
    call.info('dropped');
    logger.setLevel('info');
    call.info('kept');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      lines().map((l) => [l.message, l.callId]),
      [['kept', 'c-3']],
    );
  });

  it("makes a call's child logger only on its first line that passes the level (most calls write none at warn)", () => {
    const made: Record<string, unknown>[] = [];
    const root = silentLogger();
    root.setLevel('warn');
    const parent: ChildMaker = Object.assign(Object.create(root) as ChildMaker, {
      makeChild: (meta: Record<string, unknown>) => {
        made.push(meta);
        return root;
      },
    });
    const call = new DeferredChild(parent, { callId: 'c-4' });
    call.info('dropped at warn');
    call.debug('dropped at warn');
    assert.deepEqual(made, []);
    call.warn('written');
    call.error('written');
    assert.deepEqual(made, [{ callId: 'c-4' }]);
  });
});
