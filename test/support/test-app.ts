import { loadConfig, type Config } from '../../src/platform/config/config.ts';
import { BackgroundWork } from '../../src/platform/background.ts';
import { buildServer, type App } from '../../src/platform/http/server.ts';
import type { AppContext } from '../../src/platform/context.ts';
import type { ApiModule } from '../../src/platform/api-module.ts';
import { apis as allApis } from '../../src/apis/index.ts';
import { createTestDatabase } from './test-database.ts';

export interface TestApp {
  app: App;
  ctx: AppContext;
  /** Base URL when started with `listen: true` (real HTTP for browsers and OAuth client libraries). */
  url: string;
  close(): Promise<void>;
}

/** The whole server on a fresh database, exactly as `opsbase start` builds it, minus the banner. */
export async function startTestApp(options: { listen?: boolean; env?: Record<string, string>; apis?: ApiModule[] } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const background = new BackgroundWork();
  const base: Config = loadConfig({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', OPSBASE_DEMO: '0', ...options.env });
  let url = '';
  const config = { ...base };
  const { app, ctx } = await buildServer({ config, db, background }, options.apis ?? allApis);
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // Links and OAuth issuers must name the address the test actually listens on.
    if (!options.env?.PUBLIC_URL) config.publicUrl = url;
  } else {
    await app.ready();
  }
  return {
    app,
    ctx,
    url,
    async close() {
      await app.close();
      await background.stop();
      await db.close();
    },
  };
}
