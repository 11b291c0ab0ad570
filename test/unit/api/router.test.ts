import assert from 'node:assert/strict';
import { Router } from '../../../src/api/router';
import type { RouteDefinition } from '../../../src/api/route';

const ok = async () => ({ status: 200 });
const route = (method: RouteDefinition['method'], pattern: string, auth?: 'none'): RouteDefinition =>
  auth ? { method, pattern, handler: ok, auth } : { method, pattern, handler: ok };

describe('Router', () => {
  it('matches a literal path and a path with parameters', () => {
    const r = new Router();
    r.add(route('GET', '/v1/resources'));
    r.add(route('GET', '/v1/subscribers/:identity/groups/:name'));
    assert.equal(r.match('GET', '/v1/resources').kind, 'found');
    const m = r.match('GET', '/v1/subscribers/alice/groups/family');
    assert.equal(m.kind, 'found');
    assert.deepEqual(m.kind === 'found' && m.params, { identity: 'alice', name: 'family' });
  });

  it('percent-decodes parameters after splitting so an encoded slash or colon stays inside one segment', () => {
    const r = new Router();
    r.add(route('GET', '/v1/subscribers/:identity'));
    const m = r.match('GET', '/v1/subscribers/sip%3Aalice%40example.com%2Fx');
    assert.equal(m.kind, 'found');
    assert.equal(m.kind === 'found' && m.params.identity, 'sip:alice@example.com/x');
  });

  it('reports a parameter that is not valid percent-encoding', () => {
    const r = new Router();
    r.add(route('GET', '/v1/subscribers/:identity'));
    assert.deepEqual(r.match('GET', '/v1/subscribers/%E0%A4%A'), { kind: 'bad-path', param: 'identity' });
  });

  it('answers not-found for an unknown path, a missing segment or an extra one', () => {
    const r = new Router();
    r.add(route('GET', '/v1/subscribers/:identity'));
    assert.equal(r.match('GET', '/v1/nothing').kind, 'not-found');
    assert.equal(r.match('GET', '/v1/subscribers//').kind, 'not-found');
    assert.equal(r.match('GET', '/v1/subscribers/a/b').kind, 'not-found');
  });

  it('ignores one trailing slash', () => {
    const r = new Router();
    r.add(route('GET', '/v1/resources'));
    assert.equal(r.match('GET', '/v1/resources/').kind, 'found');
  });

  it('lists the allowed methods when the path exists under other methods', () => {
    const r = new Router();
    r.add(route('PUT', '/v1/resources/:id'));
    r.add(route('GET', '/v1/resources/:id'));
    r.add(route('DELETE', '/v1/resources/:id'));
    assert.deepEqual(r.match('POST', '/v1/resources/x'), {
      kind: 'method-not-allowed',
      allow: ['DELETE', 'GET', 'PUT'],
      public: false,
    });
  });

  it('says a wrong method on a public path is public so it needs no token', () => {
    const r = new Router();
    r.add(route('GET', '/health/live', 'none'));
    const m = r.match('POST', '/health/live');
    assert.equal(m.kind === 'method-not-allowed' && m.public, true);
  });

  it('prefers a literal segment over a parameter whatever the order of registration', () => {
    const r = new Router();
    r.add(route('GET', '/v1/subscribers/:identity'));
    const special: RouteDefinition = { method: 'GET', pattern: '/v1/subscribers/export', handler: ok };
    r.add(special);
    const m = r.match('GET', '/v1/subscribers/export');
    assert.equal(m.kind === 'found' && m.route, special);
  });

  it('refuses a second route with the same method and shape', () => {
    const r = new Router();
    r.add(route('GET', '/v1/subscribers/:identity'));
    assert.throws(() => r.add(route('GET', '/v1/subscribers/:other')), { code: 'API.ROUTE_DUPLICATE' });
  });

  it('refuses a pattern that does not start with a slash or has a bad parameter name', () => {
    const r = new Router();
    assert.throws(() => r.add(route('GET', 'v1/x')), { code: 'API.ROUTE_PATTERN' });
    assert.throws(() => r.add(route('GET', '/v1/:1x')), { code: 'API.ROUTE_PATTERN' });
  });
});
