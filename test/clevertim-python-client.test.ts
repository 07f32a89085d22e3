import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { apis } from '../src/apis/index.ts';
import { issueApiToken } from '../src/platform/credentials/api-tokens.ts';
import { ensureDemo } from '../src/platform/demo/demo.ts';
import { addMembership, createPerson } from '../src/platform/tenancy/tenancy.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The real Python client of Clevertim, clevertimapi (github.com/ciprianmiclaus/clevertim-api-py), run by
 * scripts/clevertim-python-client.py against this server over HTTP, on the demo workspace: every resource
 * listed, read, created, changed and deleted through the client's own classes, groups included. The
 * client is not part of Opsbase: the test runs when CLEVERTIM_PY_CLIENT names a checkout of it (the
 * folder holding `clevertimapi/`) and python3 with `requests` is installed, and says so when it skips.
 */
const clientPath = process.env.CLEVERTIM_PY_CLIENT ?? '';
const python = spawnSync('python3', ['-c', 'import requests'], { encoding: 'utf8' });
const skip = !clientPath
  ? 'SKIPPED: set CLEVERTIM_PY_CLIENT to a checkout of github.com/ciprianmiclaus/clevertim-api-py to run the real Python client'
  : !fs.existsSync(path.join(clientPath, 'clevertimapi', 'session.py'))
    ? `SKIPPED: CLEVERTIM_PY_CLIENT=${clientPath} holds no clevertimapi/session.py`
    : python.status !== 0
      ? 'SKIPPED: python3 with the requests package is not available'
      : false;

let t: TestApp;
let ownerToken: string;
let outsiderToken: string;
before(async () => {
  if (skip) return;
  t = await startTestApp({ listen: true });
  const { demo } = await ensureDemo(t.ctx, apis);
  ownerToken = (await issueApiToken(t.ctx.db.orm, { api: 'clevertim', companyId: demo.company.id, personId: demo.owner.id })).token;
  // A member of the demo company in none of its groups: group-restricted records are not theirs.
  const outsider = await createPerson(t.ctx.db.orm, { email: 'outsider@python-client.test', password: 'correct horse battery staple', name: 'Otto Outsider' });
  await addMembership(t.ctx.db.orm, { companyId: demo.company.id, personId: outsider.id, role: 'member' });
  outsiderToken = (await issueApiToken(t.ctx.db.orm, { api: 'clevertim', companyId: demo.company.id, personId: outsider.id })).token;
});
after(() => t?.close());

test('the real Python client clevertimapi lists, reads, creates, changes and deletes every resource, and sees groups (R-5)', { skip }, async () => {
  const child = spawn('python3', ['scripts/clevertim-python-client.py', '--client', clientPath, '--url', t.url], {
    env: { ...process.env, CLEVERTIM_TOKEN: ownerToken, CLEVERTIM_OUTSIDER_TOKEN: outsiderToken, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  assert.equal(code, 0, `the client failed:\n${stdout}\n${stderr}`);
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { checks: number };
  for (const check of ['Group.all lists the groups, each with a power-of-two gid', 'a user in none of the groups gets 404 for the group-restricted case', 'Contact update: PUT of the whole cached object', 'moving a folder under its own sub-folder is refused (400)']) {
    assert.ok(stdout.includes(`ok ${check}\n`), check);
  }
  assert.ok(summary.checks >= 50, `${summary.checks} checks`);
});
