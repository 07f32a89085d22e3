import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../src/platform/config/config.ts';

test('defaults: port 3000 on 127.0.0.1, ./data, embedded database, public URL from host and port', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.match(config.dataDir, /\/data$/);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.publicUrl, 'http://127.0.0.1:3000');
  assert.equal(config.logLevel, 'info');
  assert.equal(config.secureCookies, false);
});

test('PUBLIC_URL overrides the derived base and https turns on secure cookies', () => {
  const config = loadConfig({ PUBLIC_URL: 'https://ops.example.com/' });
  assert.equal(config.publicUrl, 'https://ops.example.com');
  assert.equal(config.secureCookies, true);
});

for (const [variable, value] of [
  ['PORT', 'eighty'],
  ['PORT', '70000'],
  ['DATABASE_URL', 'mysql://localhost/x'],
  ['DATABASE_URL', 'not a url'],
  ['PUBLIC_URL', 'ftp://example.com'],
  ['LOG_LEVEL', 'loud'],
  ['OPSBASE_DEMO', 'maybe'],
  ['HOST', 'bad host!'],
  ['TRUST_PROXY', 'the load balancer'],
] as const) {
  test(`a bad ${variable} (${value}) fails at start with a message naming ${variable}`, () => {
    assert.throws(() => loadConfig({ [variable]: value }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.variable, variable);
      assert.match(error.message, new RegExp(variable));
      return true;
    });
  });
}

test('TRUST_PROXY: off by default; true, a hop count or a list of addresses and CIDRs', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: '0' }).trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy, ['10.0.0.0/8', '127.0.0.1', '::1']);
});
