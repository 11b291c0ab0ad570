import assert from 'node:assert/strict';
import { healthRoutes } from '../../../src/api/routes/health-routes';
import type { ApiRequest } from '../../../src/api/route';

async function ready(deps: Parameters<typeof healthRoutes>[0]) {
  const route = healthRoutes(deps).routes.find((r) => r.pattern === '/health/ready');
  assert.ok(route);
  return route.handler({} as ApiRequest);
}

const storeUp = { isEmpty: async () => false };
const storeDown = {
  isEmpty: async (): Promise<boolean> => {
    throw new Error('database gone');
  },
};

describe('readiness', () => {
  it('is ready when the store answers and charging is reachable', async () => {
    const answer = await ready({ store: storeUp, charging: { reachable: () => true } });
    assert.equal(answer.status, 200);
  });

  it('is not ready, with Retry-After, while no charging peer is connected', async () => {
    const answer = await ready({ store: storeUp, charging: { reachable: () => false } });
    assert.equal(answer.status, 503);
    assert.deepEqual('body' in answer ? answer.body : null, {
      status: 'not ready',
      checks: { store: 'up', charging: 'down' },
    });
    assert.equal(answer.headers?.['Retry-After'], '5');
  });

  it('is not ready while the store fails', async () => {
    assert.equal((await ready({ store: storeDown })).status, 503);
  });

  it('counts a charging adapter without standing connections as reachable', async () => {
    assert.equal((await ready({ store: storeUp, charging: {} })).status, 200);
  });
});
