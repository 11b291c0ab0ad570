import assert from 'node:assert/strict';
import { EndpointConfigError, idempotencyHeaderValue, parseHttpUrl } from '../../../src/http/http-json-post';

describe('HTTP JSON post helpers', () => {
  it('sends a printable key as it is', () => {
    const key = '["a84b4c76e66710@pc33.example.com","+15550001002","summer-breeze"]';
    assert.equal(idempotencyHeaderValue(key), key);
  });

  it('hashes a key that could not travel in a header, the same way every time', () => {
    for (const key of ['caf\u00e9', 'line\nbreak', 'x'.repeat(201), ' leading', 'trailing ']) {
      const value = idempotencyHeaderValue(key);
      assert.match(value, /^sha256-[0-9a-f]{64}$/);
      assert.equal(idempotencyHeaderValue(key), value);
    }
    assert.notEqual(idempotencyHeaderValue('caf\u00e9'), idempotencyHeaderValue('cafe\u0301'));
  });

  it('refuses a configured URL that is not http or https, naming the component', () => {
    assert.equal(parseHttpUrl('https://chf.example/base', 'CHARGING.CONFIG').pathname, '/base');
    for (const raw of ['ftp://chf.example', 'not a url', '']) {
      assert.throws(
        () => parseHttpUrl(raw, 'CHARGING.CONFIG'),
        (err: unknown) => err instanceof EndpointConfigError && err.code === 'CHARGING.CONFIG',
      );
    }
  });
});
