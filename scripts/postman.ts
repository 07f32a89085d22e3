// `npm run postman`: writes docs/postman/<api>.postman_collection.json from each API's OpenAPI document.
// The app is built in-process on a throwaway embedded database, without the demo, at the address a
// fresh `npm start` serves, so the files depend only on the code. test/postman.test.ts fails when a
// committed file differs from what this writes: re-run it after changing routes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apis } from '../src/apis/index.ts';
import { BackgroundWork } from '../src/platform/background.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { openEphemeralEmbedded } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { buildServer } from '../src/platform/http/server.ts';
import { COLLECTION_PUBLIC_URL, postmanCollectionFiles } from '../src/platform/openapi/postman.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const db = await openEphemeralEmbedded();
const background = new BackgroundWork();
try {
  await migrate(db.pool);
  const config = loadConfig({ OPSBASE_DEMO: '0', LOG_LEVEL: 'silent', PUBLIC_URL: COLLECTION_PUBLIC_URL });
  const { app } = await buildServer({ config, db, background }, apis);
  try {
    await app.ready();
    for (const { file, json } of await postmanCollectionFiles(app, apis)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), json);
      console.log(`wrote ${file}`);
    }
  } finally {
    await app.close();
  }
} finally {
  await background.stop();
  await db.close();
}
