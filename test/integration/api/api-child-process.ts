/**
 * A provisioning API server in a child process, for the crash test: SQLite file from argv[2],
 * token from argv[3]; prints `{"port":N}` on stdout once listening, then runs until killed.
 */
import { createApiServer } from '../../../src/api/api-server';
import { silentLogger } from '../../../src/observability/logger';
import { createStore } from '../../../src/store/create-store';

async function main(): Promise<void> {
  const [sqlitePath, token] = process.argv.slice(2);
  if (!sqlitePath || !token) throw new Error('usage: api-child-process <sqlite file> <token>');
  const logger = silentLogger();
  const store = await createStore(
    { kind: 'sqlite', sqlitePath, postgresUrl: '', seedFile: '', selectionCacheMs: 2000 },
    logger,
    {
      seed: false,
    },
  );
  const server = createApiServer({ config: { host: '127.0.0.1', port: 0, apiToken: token }, store, logger });
  const { port } = await server.listen();
  console.log(JSON.stringify({ port }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
