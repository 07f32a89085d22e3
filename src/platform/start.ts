import type { Config } from './config/config.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { BackgroundWork } from './background.ts';
import { buildServer, type App } from './http/server.ts';
import { ensureDemo, findDemo } from './demo/demo.ts';
import { renderBanner } from './banner.ts';
import { apis } from '../apis/index.ts';
import type { AppContext } from './context.ts';

export interface RunningServer {
  app: App;
  ctx: AppContext;
  url: string;
  stop(): Promise<void>;
}

/** Opens the database, migrates, seeds the demo on first start, listens, and prints the banner. */
export async function startServer(config: Config, print: (text: string) => void = console.log): Promise<RunningServer> {
  const db = await openDatabase(config, 'server');
  const background = new BackgroundWork();
  let app: App;
  let ctx: AppContext;
  try {
    await migrate(db.pool);
    ({ app, ctx } = await buildServer({ config, db, background }, apis));
    const demo = config.demo ? (await ensureDemo(ctx, apis)).demo : await findDemo(ctx);
    await app.listen({ port: config.port, host: config.host });
    print(await renderBanner(ctx, apis, config.demo ? demo : null));
  } catch (error) {
    await background.stop();
    await db.close();
    throw error;
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    // Order matters: stop taking requests and let in-flight ones finish, then let background work end,
    // then close the database they both use.
    stopping ??= (async () => {
      await app.close();
      await background.stop();
      await db.close();
    })();
    return stopping;
  };
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return { app, ctx, url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`, stop };
}
