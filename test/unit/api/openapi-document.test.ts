import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApiServer } from '../../../src/api/api-server';
import type { CmrStore } from '../../../src/cmr/ports/cmr-store.port';
import { CallRegistry } from '../../../src/calls/call-registry';
import { systemClock } from '../../../src/clock';
import { operationsRoutes } from '../../../src/api/routes/operations-routes';
import { silentLogger } from '../../../src/observability/logger';

/** `METHOD /path/:param` for every operation under `paths:` of the hand-written document. */
function documentedOperations(yaml: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const line of yaml.split('\n')) {
    const path = /^ {2}(\/\S+):\s*$/.exec(line);
    if (path?.[1]) current = path[1].replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
    else if (/^\S/.test(line)) current = undefined;
    const method = /^ {4}(get|put|post|patch|delete):\s*$/.exec(line);
    if (current && method?.[1]) out.push(`${method[1].toUpperCase()} ${current}`);
  }
  return out.sort();
}

describe('docs/openapi.yaml', () => {
  const yaml = readFileSync(join(__dirname, '../../../docs/openapi.yaml'), 'utf8');

  it('documents exactly the routes the server serves', () => {
    // The routes are only registered, never called, so the store is never touched.
    const server = createApiServer({
      config: { host: '127.0.0.1', port: 0, apiToken: 't' },
      store: {} as CmrStore,
      logger: silentLogger(),
    });
    const calls = new CallRegistry({ maxCalls: 1, maxCallSeconds: 60, lingerSeconds: 1 }, systemClock);
    for (const module of operationsRoutes({
      calls,
      store: {} as CmrStore,
      metrics: { render: async () => ({ text: '', contentType: 'text/plain' }) },
      logger: silentLogger(),
      logLevel: 'info',
    })) {
      server.addRoutes(module);
    }
    calls.close();
    const served = server
      .routes()
      .map((r) => `${r.method} ${r.pattern}`)
      .sort();
    assert.deepEqual(documentedOperations(yaml), served);
  });

  it('declares OpenAPI 3.1 with bearer authentication for every operation', () => {
    assert.match(yaml, /^openapi: 3\.1\.\d+$/m);
    assert.match(yaml, /^security:\n {2}- bearerAuth: \[\]$/m);
    assert.match(yaml, /bearerAuth:\n {6}type: http\n {6}scheme: bearer/);
  });
});
