import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookReceiver } from './support/webhook-receiver.ts';
import { nonPublicReason } from '../src/platform/webhooks/address-guard.ts';
import { sendWebhook, type SendRequest } from '../src/platform/webhooks/send.ts';
import { validateEventTypes, validateWebhookUrl, WebhookInputError } from '../src/platform/webhooks/subscriptions.ts';
import { ConfigError, loadConfig } from '../src/platform/config/config.ts';
import { blueClerkWebhooks } from '../src/apis/blueclerk/webhooks/settings.ts';

/**
 * The SSRF guard refuses non-public addresses at connect time — on the address the name resolves to,
 * so a host name pointing at a private address is refused too — unless WEBHOOK_ALLOW_PRIVATE=1.
 */
let receiver: WebhookReceiver;
before(async () => {
  receiver = await WebhookReceiver.start();
});
after(() => receiver.close());

const attempt = (url: string, options: Partial<SendRequest> = {}) =>
  sendWebhook({ url, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2000, allowPrivate: false, httpsOnly: false, ...options });

describe('address classes', () => {
  const cases: [string, string | null][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.32.0.1', null],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['100.128.0.1', null],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['8.8.8.8', null],
    ['93.184.216.34', null],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', null],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:0001::1', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::127.0.0.1', 'reserved'],
    ['2606:4700:4700::1111', null],
    ['2a00:1450:4001:80b::200e', null],
  ];
  for (const [address, expected] of cases) {
    test(`${address} is ${expected ?? 'public'}`, () => assert.equal(nonPublicReason(address), expected));
  }
});

describe('refused at connect time unless WEBHOOK_ALLOW_PRIVATE=1', () => {
  for (const host of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '100.64.0.1', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:a9fe:a9fe]']) {
    test(`http://${host}/ is refused without a connection`, async () => {
      const result = await attempt(`http://${host}:${receiver.port}/hook`);
      assert.equal(result.ok, false);
      assert.equal(result.status, null);
      assert.match(result.error!, /^refused to connect to .*address; set WEBHOOK_ALLOW_PRIVATE=1/);
    });
  }

  test('a host name that resolves to a loopback address (localhost) is refused on the resolved address, and nothing arrives', async () => {
    const before = receiver.receipts.length;
    const result = await attempt(`http://localhost:${receiver.port}/hook`);
    assert.equal(result.ok, false);
    assert.match(result.error!, /^refused to connect to localhost \((127\.0\.0\.1|::1)\): loopback address/);
    assert.equal(receiver.receipts.length, before);
  });

  test('the literal loopback address is never contacted either', async () => {
    const before = receiver.receipts.length;
    await attempt(receiver.url());
    assert.equal(receiver.receipts.length, before);
  });

  test('with WEBHOOK_ALLOW_PRIVATE=1 the same receiver gets the delivery', async () => {
    const before = receiver.receipts.length;
    const result = await attempt(`http://localhost:${receiver.port}/hook`, { allowPrivate: true });
    assert.equal(result.ok, true, result.error ?? '');
    assert.equal(result.status, 200);
    assert.equal(receiver.receipts.length, before + 1);
  });

  test('WEBHOOK_HTTPS_ONLY=1 refuses plain http before connecting', async () => {
    const before = receiver.receipts.length;
    const result = await attempt(receiver.url(), { allowPrivate: true, httpsOnly: true });
    assert.equal(result.ok, false);
    assert.match(result.error!, /only https URLs are delivered/);
    assert.equal(receiver.receipts.length, before);
  });

  test('a connection error is a failure with its reason', async () => {
    const closed = await WebhookReceiver.start();
    const url = closed.url();
    await closed.close();
    const result = await attempt(url, { allowPrivate: true });
    assert.equal(result.ok, false);
    assert.match(result.error!, /^connection failed: ECONNREFUSED/);
  });
});

describe('subscription URL and event rules', () => {
  const strict = { allowPrivate: false, httpsOnly: false };
  const rejects = (url: unknown, config = strict, message?: RegExp) =>
    assert.throws(() => validateWebhookUrl(url, config), (e: unknown) => e instanceof WebhookInputError && e.field === 'url' && (!message || message.test(e.message)));

  test('https URLs are accepted; http only for localhost (spec R-10) unless private addresses are allowed', () => {
    assert.equal(validateWebhookUrl('https://yourapp.com/webhooks/blueclerk', strict), 'https://yourapp.com/webhooks/blueclerk');
    assert.equal(validateWebhookUrl('http://localhost:3000/hook', strict), 'http://localhost:3000/hook');
    assert.equal(validateWebhookUrl('http://127.0.0.1:3000/hook', strict), 'http://127.0.0.1:3000/hook');
    rejects('http://yourapp.com/hook', strict, /must use https/);
    assert.equal(validateWebhookUrl('http://10.0.0.5/hook', { allowPrivate: true, httpsOnly: false }), 'http://10.0.0.5/hook');
  });

  test('WEBHOOK_HTTPS_ONLY=1 accepts https only, not even http://localhost', () => {
    rejects('http://localhost:3000/hook', { allowPrivate: true, httpsOnly: true }, /https/);
    assert.ok(validateWebhookUrl('https://localhost/hook', { allowPrivate: true, httpsOnly: true }));
  });

  test('malformed, non-http, credential-carrying, fragment and over-long URLs are refused with a reason', () => {
    rejects(undefined, strict, /required/);
    rejects('', strict, /required/);
    rejects('not a url', strict, /not a valid/);
    rejects('ftp://yourapp.com/hook', strict, /https/);
    rejects('javascript:alert(1)', strict, /https/);
    rejects('https://user:pass@yourapp.com/hook', strict, /user name or password/);
    rejects('https://yourapp.com/hook#frag', strict, /fragment/);
    rejects(`https://yourapp.com/${'a'.repeat(2100)}`, strict, /2048/);
  });

  test('events: a non-empty list of the API’s event names, the offending one named', () => {
    assert.deepEqual(validateEventTypes(['job.created', 'invoice.paid', 'job.created'], blueClerkWebhooks), ['job.created', 'invoice.paid']);
    assert.throws(() => validateEventTypes([], blueClerkWebhooks), (e: unknown) => e instanceof WebhookInputError && e.field === 'events');
    assert.throws(() => validateEventTypes(['job.created', 'job.deleted'], blueClerkWebhooks), (e: unknown) => e instanceof WebhookInputError && e.field === 'events[1]' && /job\.deleted/.test(e.message));
    assert.throws(() => validateEventTypes(['webhook.test'], blueClerkWebhooks), (e: unknown) => e instanceof WebhookInputError && e.field === 'events[0]');
  });
});

describe('configuration', () => {
  test('defaults: the seed’s schedule (immediately, 1, 5, 30 minutes), private addresses refused, http allowed per R-10, two workers', () => {
    const { webhooks } = loadConfig({});
    assert.deepEqual(webhooks, { retryScheduleMs: [0, 60_000, 300_000, 1_800_000], allowPrivate: false, httpsOnly: false, workers: 2 });
  });

  test('WEBHOOK_RETRY_SCHEDULE takes ms, s, m and h', () => {
    assert.deepEqual(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0s, 200ms, 400ms' }).webhooks.retryScheduleMs, [0, 200, 400]);
    assert.deepEqual(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0ms,1m,2h' }).webhooks.retryScheduleMs, [0, 60_000, 7_200_000]);
  });

  test('bad values stop start-up naming the variable', () => {
    const fails = (env: Record<string, string>, variable: string) =>
      assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.includes(variable));
    fails({ WEBHOOK_RETRY_SCHEDULE: '0s,1 minute' }, 'WEBHOOK_RETRY_SCHEDULE');
    fails({ WEBHOOK_RETRY_SCHEDULE: '1m,5m' }, 'WEBHOOK_RETRY_SCHEDULE');
    fails({ WEBHOOK_RETRY_SCHEDULE: '0s,8d' }, 'WEBHOOK_RETRY_SCHEDULE');
    fails({ WEBHOOK_RETRY_SCHEDULE: '0s,,1m' }, 'WEBHOOK_RETRY_SCHEDULE');
    fails({ WEBHOOK_ALLOW_PRIVATE: 'maybe' }, 'WEBHOOK_ALLOW_PRIVATE');
    fails({ WEBHOOK_HTTPS_ONLY: '2' }, 'WEBHOOK_HTTPS_ONLY');
    fails({ WEBHOOK_WORKERS: '-1' }, 'WEBHOOK_WORKERS');
  });
});
