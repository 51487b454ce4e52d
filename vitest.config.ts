import { Socket } from 'node:net';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Two projects: every test on the embedded SQLite store, and the integration tests (test/)
 * again on PostgreSQL (HOOKD_TEST_DATABASE_URL, default the local server's `test` database;
 * each file gets its own schema). Without a reachable PostgreSQL the second project is left out
 * with one line saying so, unless HOOKD_REQUIRE_PG=1 makes that a failure (CI sets it).
 */
const PG_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port || 5432), hostname || '127.0.0.1', () => done(true));
  });
}

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const pg = await reachable(PG_URL);
  if (!pg) {
    if (process.env.HOOKD_REQUIRE_PG === '1') throw new Error(`HOOKD_REQUIRE_PG=1 but PostgreSQL at ${PG_URL} is not reachable`);
    console.log(`PostgreSQL at ${PG_URL} is not reachable: the PostgreSQL run of the integration tests is skipped (set HOOKD_REQUIRE_PG=1 to fail instead).`);
  }
  return {
    test: {
      // Integration tests open real SQLite files, PostgreSQL schemas, servers on port 0 and child processes.
      pool: 'forks' as const,
      globalSetup: ['test/global-setup.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      projects: [
        { extends: true as const, test: { name: 'sqlite', include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts', 'packages/**/*.test.ts'], exclude: ['test/**/*.pg.test.ts'] } },
        ...(pg ? [{
          extends: true as const,
          test: {
            name: 'postgres',
            include: ['test/**/*.test.ts'],
            // The SQLite-only cases: raw-file checks, the one-process lease takeover, disk faults under the file.
            // Browser tests drive the page, not the store (test/dashboard-stats.test.ts runs its SQL on both): once is enough.
            exclude: ['test/restart.test.ts', 'test/**/*.sqlite.test.ts', 'test/**/*.browser.test.ts'],
            env: { HOOKD_TEST_STORE: 'postgres', HOOKD_TEST_DATABASE_URL: PG_URL },
          },
        }] : []),
      ],
    },
  };
});
