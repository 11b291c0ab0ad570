import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { ApiError } from '../../../src/api/api-error';
import { createHttpApiServer, type HttpApiServer } from '../../../src/api/http-api-server';
import { createLogger, silentLogger } from '../../../src/observability/logger';
import { httpClient, type Call } from './http-client';

const TOKEN = 'the-test-token';

describe('HTTP API server machinery', () => {
  let server: HttpApiServer;
  let call: Call;
  let base: { host: string; port: number };
  const logLines: string[] = [];

  beforeEach(async () => {
    logLines.length = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString('utf8'));
        cb();
      },
    });
    server = createHttpApiServer({
      config: { host: '127.0.0.1', port: 0, apiToken: TOKEN },
      logger: createLogger({ level: 'debug' }, sink),
      maxBodyBytes: 1024,
      mapError: (err) => (err instanceof RangeError ? new ApiError(409, 'TEST.CONFLICT', 'mapped') : undefined),
    });
    server.addRoute({
      method: 'GET',
      pattern: '/v1/things/:id',
      handler: async (r) => ({ status: 200, body: { id: r.params.id } }),
    });
    server.addRoute({
      method: 'PUT',
      pattern: '/v1/things/:id',
      handler: async (r) => ({ status: 200, body: { got: await r.readJson() } }),
    });
    server.addRoute({ method: 'GET', pattern: '/v1/boom', handler: async () => Promise.reject(new Error('kaboom')) });
    server.addRoute({ method: 'GET', pattern: '/v1/mapped', handler: async () => Promise.reject(new RangeError('x')) });
    server.addRoutes({
      routes: [
        {
          method: 'GET',
          pattern: '/health/live',
          auth: 'none',
          handler: async () => ({ status: 200, body: { ok: true } }),
        },
        {
          method: 'GET',
          pattern: '/metrics',
          auth: 'none',
          handler: async () => ({ status: 200, text: 'up 1\n', contentType: 'text/plain; version=0.0.4' }),
        },
      ],
    });
    base = await server.listen();
    call = httpClient(base, TOKEN);
  });

  afterEach(async () => {
    await server.close();
  });

  it('listens on the loopback address with an ephemeral port', () => {
    assert.equal(base.host, '127.0.0.1');
    assert.ok(base.port > 0);
  });

  it('answers a route with its decoded path parameters', async () => {
    const r = await call({ method: 'GET', path: '/v1/things/sip%3Aa%40b.example' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { id: 'sip:a@b.example' });
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.ok(r.headers['x-request-id']);
  });

  it('answers 401 with a Bearer challenge when the token is missing', async () => {
    const r = await call({ method: 'GET', path: '/v1/things/1', token: null });
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Bearer realm="cmr"');
    assert.deepEqual(r.json, { error: { code: 'API.UNAUTHORIZED', message: 'a bearer token is required' } });
  });

  it('answers 401 with invalid_token for a wrong token, even on an unknown route', async () => {
    for (const path of ['/v1/things/1', '/v1/nowhere']) {
      const r = await call({ method: 'GET', path, token: 'not-the-token' });
      assert.equal(r.status, 401);
      assert.match(String(r.headers['www-authenticate']), /error="invalid_token"/);
    }
  });

  it('serves public routes without a token, including text answers', async () => {
    assert.equal((await call({ method: 'GET', path: '/health/live', token: null })).status, 200);
    const m = await call({ method: 'GET', path: '/metrics', token: null });
    assert.equal(m.status, 200);
    assert.equal(m.text, 'up 1\n');
    assert.match(String(m.headers['content-type']), /^text\/plain/);
  });

  it('answers 404 in the error shape for an unknown route', async () => {
    const r = await call({ method: 'GET', path: '/v1/nowhere' });
    assert.equal(r.status, 404);
    assert.equal((r.json as { error: { code: string } }).error.code, 'API.NO_ROUTE');
  });

  it('answers 405 with Allow for a method the path does not support', async () => {
    const r = await call({ method: 'DELETE', path: '/v1/things/1' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET, PUT');
  });

  it('answers 400 for a path parameter that is not valid percent-encoding', async () => {
    const r = await call({ method: 'GET', path: '/v1/things/%E0%A4%A' });
    assert.equal(r.status, 400);
    assert.deepEqual((r.json as { error: { problems: unknown } }).error.problems, [
      { field: 'path.id', problem: 'not valid percent-encoding' },
    ]);
  });

  it('reads a JSON body', async () => {
    const r = await call({ method: 'PUT', path: '/v1/things/1', body: { a: 1 } });
    assert.deepEqual(r.json, { got: { a: 1 } });
  });

  it('answers 415 for a body that is not JSON', async () => {
    const r = await call({
      method: 'PUT',
      path: '/v1/things/1',
      body: 'a=1',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(r.status, 415);
  });

  it('answers 400 for malformed JSON', async () => {
    const r = await call({ method: 'PUT', path: '/v1/things/1', body: '{"a":' });
    assert.equal(r.status, 400);
    assert.equal((r.json as { error: { code: string } }).error.code, 'API.MALFORMED_JSON');
  });

  it('answers 413 for a body over the cap announced by Content-Length', async () => {
    const r = await call({ method: 'PUT', path: '/v1/things/1', body: { a: 'x'.repeat(2000) } });
    assert.equal(r.status, 413);
    assert.equal(r.headers.connection, 'close');
  });

  it('answers 413 for a chunked body that grows over the cap', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          ...base,
          method: 'PUT',
          path: '/v1/things/1',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          timeout: 5000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('{"a":"');
      for (let i = 0; i < 4; i++) req.write('y'.repeat(400));
      req.end('"}');
    });
    assert.equal(status, 413);
  });

  it('maps known errors through mapError and hides unknown ones behind a 500', async () => {
    assert.equal((await call({ method: 'GET', path: '/v1/mapped' })).status, 409);
    const r = await call({ method: 'GET', path: '/v1/boom' });
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, { error: { code: 'API.INTERNAL', message: 'internal error' } });
    assert.ok(!r.text.includes('kaboom'));
  });

  it('logs one debug line per request with method, path and status, never the token', async () => {
    await call({ method: 'GET', path: '/v1/things/42' });
    const lines = logLines.filter((l) => l.includes('"http request"'));
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(entry.method, 'GET');
    assert.equal(entry.path, '/v1/things/42');
    assert.equal(entry.status, 200);
    assert.ok(!logLines.join('').includes(TOKEN));
  });

  it('accepts routes added after it started listening', async () => {
    server.addRoute({ method: 'GET', pattern: '/v1/calls', handler: async () => ({ status: 200, body: [] }) });
    assert.equal((await call({ method: 'GET', path: '/v1/calls' })).status, 200);
  });

  it('closes even while a keep-alive connection is open', async () => {
    const s = createHttpApiServer({ config: { host: '127.0.0.1', port: 0, apiToken: TOKEN }, logger: silentLogger() });
    s.addRoute({ method: 'GET', pattern: '/x', auth: 'none', handler: async () => ({ status: 204 }) });
    const addr = await s.listen();
    const r = await httpClient(addr, TOKEN)({ method: 'GET', path: '/x', headers: { connection: 'keep-alive' } });
    assert.equal(r.status, 204);
    await s.close();
  });
});
