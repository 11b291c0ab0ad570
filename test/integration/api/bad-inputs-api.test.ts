import assert from 'node:assert/strict';
import { ALICE, BOB, path, resourceDoc, snapshot, startApi, subscriberDoc, type ApiHarness } from './api-harness';
import { alice, badInputs, family, rule, rulesOf } from './bad-input-cases';

describe('Bad inputs to the provisioning API', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApi();
    const setup = [
      { path: path('v1/resources', 'a'), body: resourceDoc('a') },
      { path: path('v1/resources', 'b'), body: resourceDoc('b') },
      { path: alice, body: subscriberDoc(ALICE, { privacy: { copy: 'contacts', contacts: [BOB] } }) },
      { path: path('v1/subscribers', BOB), body: subscriberDoc(BOB) },
      { path: family, body: { members: [BOB] } },
      { path: rulesOf, body: { rules: [rule('r1', { callers: { kind: 'listed', groups: ['family'] } })] } },
    ];
    for (const s of setup) {
      const r = await h.call({ method: 'PUT', ...s });
      assert.ok(r.status === 201, `setup ${s.path}: ${r.status} ${r.text}`);
    }
  });
  after(async () => {
    await h.dispose();
  });

  for (const c of badInputs) {
    it(`answers ${c.status} to ${c.name} and changes nothing`, async () => {
      const before = await snapshot(h.store);
      const r = await h.call({ method: c.method, path: c.path, body: c.body, headers: c.headers });
      assert.equal(r.status, c.status, r.text);
      const error = (r.json as { error?: { code?: unknown; message?: unknown; problems?: { field: string }[] } }).error;
      assert.equal(typeof error?.code, 'string');
      assert.equal(typeof error?.message, 'string');
      if (c.field !== undefined) {
        const fields = (error?.problems ?? []).map((p) => p.field);
        assert.ok(fields.includes(c.field), `expected a problem on ${c.field}, got ${JSON.stringify(error?.problems)}`);
      }
      assert.deepEqual(await snapshot(h.store), before);
    });
  }
});
