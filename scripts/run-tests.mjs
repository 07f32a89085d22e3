#!/usr/bin/env node
// Runs the test files with node:test through tsx. Node 20's --test does not expand globs, so we list
// the files here. Browser tests (test/browser) need Chromium and run with --browser.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const browser = args.includes('--browser');
const explicit = args.filter((a) => !a.startsWith('--'));

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const files = explicit.length > 0
  ? explicit
  : [...findTests('test'), ...findTests('src')].filter((f) => browser === f.split(path.sep).includes('browser')).sort();

if (files.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}
console.log(`Running ${files.length} test files on ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'the embedded database'}`);
const concurrency = process.env.TEST_CONCURRENCY ?? (browser ? '1' : '2');
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
