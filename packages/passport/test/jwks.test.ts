import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkJwksUrl,
  jwksUrlPolicy,
  MemoryReplayCache,
  type RemoteKeyResolverOptions,
  remoteKeyResolver,
  signPassport,
  verifyPassport,
} from '../src/index.js';
import { makeKey, type TestKey } from './helpers.js';

describe('JWKS URL allowlist decisions', () => {
  const policy = jwksUrlPolicy({
    allowedOrigins: ['https://keys.example.com', 'https://Other.Example.org:8443'],
  });
  const devPolicy = jwksUrlPolicy({
    allowedOrigins: ['http://127.0.0.1:8080', 'https://keys.example.com'],
    allowInsecureLoopback: true,
  });

  it.each<[string, string, string]>([
    ['an allowlisted https origin', 'https://keys.example.com/.well-known/jwks.json', 'allowed'],
    ['a normalized host and explicit default port', 'https://KEYS.example.com:443/jwks', 'allowed'],
    ['an allowlisted origin with its port', 'https://other.example.org:8443/jwks', 'allowed'],
    ['the same host over http', 'http://keys.example.com/jwks', 'insecure-scheme'],
    ['another port', 'https://keys.example.com:8443/jwks', 'origin-not-allowed'],
    ['another host', 'https://evil.example.com/jwks', 'origin-not-allowed'],
    ['a suffix trick', 'https://keys.example.com.evil.com/jwks', 'origin-not-allowed'],
    ['a trailing dot', 'https://keys.example.com./jwks', 'origin-not-allowed'],
    ['userinfo posing as the host', 'https://keys.example.com@evil.com/jwks', 'credentials-in-url'],
    ['a fragment posing as the host', 'https://evil.com#@keys.example.com', 'origin-not-allowed'],
    [
      'a backslash posing as a path',
      'https://evil.com\\@keys.example.com/jwks',
      'origin-not-allowed',
    ],
    ['a file URL', 'file:///etc/passwd', 'unsupported-scheme'],
    ['a data URL', 'data:application/json,{}', 'unsupported-scheme'],
    ['garbage', 'not a url', 'invalid-url'],
    ['loopback http without the opt-in', 'http://127.0.0.1:8080/jwks', 'insecure-scheme'],
  ])('decides %s', (_name, url, expected) => {
    const decision = checkJwksUrl(url, policy);
    expect(decision.allowed ? 'allowed' : decision.reason).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['a listed loopback origin', 'http://127.0.0.1:8080/jwks', 'allowed'],
    ['a loopback alias normalized by URL', 'http://127.1:8080/jwks', 'allowed'],
    ['an unlisted loopback port', 'http://127.0.0.1:9090/jwks', 'origin-not-allowed'],
    ['a host that only looks local', 'http://127.0.0.1.evil.com:8080/jwks', 'insecure-scheme'],
    ['a non-loopback http host', 'http://keys.example.com/jwks', 'insecure-scheme'],
  ])('with the development opt-in, decides %s', (_name, url, expected) => {
    const decision = checkJwksUrl(url, devPolicy);
    expect(decision.allowed ? 'allowed' : decision.reason).toBe(expected);
  });

  it.each<[string, string[], boolean | undefined]>([
    ['an entry with a path', ['https://keys.example.com/jwks'], undefined],
    ['an entry with credentials', ['https://u:p@keys.example.com'], undefined],
    ['a plain http origin', ['http://keys.example.com'], true],
    ['a loopback http origin without the opt-in', ['http://127.0.0.1:8080'], false],
    ['garbage', ['keys.example.com'], undefined],
  ])('refuses an allowlist with %s', (_name, allowedOrigins, allowInsecureLoopback) => {
    expect(() => jwksUrlPolicy({ allowedOrigins, allowInsecureLoopback })).toThrow(TypeError);
  });

  it('refuses configured JWKS URLs outside the allowlist at construction', () => {
    expect(() =>
      remoteKeyResolver({
        jwksUrls: { 'a2a://x': 'https://evil.example.com/jwks' },
        allowedOrigins: ['https://keys.example.com'],
      }),
    ).toThrow(/origin-not-allowed/);
    expect(() =>
      remoteKeyResolver({
        jwksUrls: { 'a2a://x': 'http://127.0.0.1:1/jwks' },
        allowedOrigins: ['http://127.0.0.1:1'],
      }),
    ).toThrow(TypeError);
  });
});

/** A real JWKS host on 127.0.0.1 (a local https server is not available in tests). */
class JwksHost {
  jwks: JSONWebKeySet = { keys: [] };
  readonly hits = new Map<string, number>();
  #server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  count(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '';
    this.hits.set(path, this.count(path) + 1);
    const json = (body: string) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    switch (path) {
      case '/jwks.json':
        return void json(JSON.stringify(this.jwks));
      case '/redirect':
        return void res.writeHead(302, { location: '/jwks.json' }).end();
      case '/big':
        // No content-length: the bound must hold while streaming.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"keys":[],"pad":"`);
        res.write('x'.repeat(200_000));
        return void res.end('"}');
      case '/not-json':
        return void json('<html>');
      case '/hang':
        return; // never answers: the fetch must time out
      default:
        res.writeHead(404).end();
    }
  }
}

describe('remoteKeyResolver against a local JWKS host (development opt-in)', () => {
  const CLIENT = 'a2a://travel-portal.com';
  const AUDIENCE = 'https://agent.example/a2a';
  const host = new JwksHost();
  let oldKey: TestKey;
  let newKey: TestKey;

  beforeAll(async () => {
    await host.start();
    oldKey = await makeKey('EdDSA', 'k-old');
    newKey = await makeKey('ES256', 'k-new');
  });
  afterAll(() => host.stop());
  beforeEach(() => {
    host.hits.clear();
    host.jwks = { keys: [oldKey.publicJwk] };
  });

  function resolver(path: string, extra: Partial<RemoteKeyResolverOptions> = {}) {
    return remoteKeyResolver({
      jwksUrls: { [CLIENT]: `${host.origin}${path}` },
      allowedOrigins: [host.origin],
      allowInsecureLoopback: true,
      ...extra,
    });
  }

  async function verifyWith(key: TestKey, keys: ReturnType<typeof remoteKeyResolver>) {
    const passport = await signPassport(
      { clientId: CLIENT, state: { destination: 'Bali, Indonesia' } },
      { privateKey: key.privateKey, kid: key.kid, alg: key.alg, audience: AUDIENCE },
    );
    return verifyPassport(passport, {
      keys,
      audience: AUDIENCE,
      replayCache: new MemoryReplayCache(),
    });
  }

  it('fetches the published JWKS once and serves later verifications from the cache', async () => {
    const keys = resolver('/jwks.json');
    expect((await verifyWith(oldKey, keys)).status).toBe('verified');
    expect((await verifyWith(oldKey, keys)).status).toBe('verified');
    expect(host.count('/jwks.json')).toBe(1);
  });

  it('picks up a rotated-in key, and refuses a key once it is no longer published', async () => {
    const keys = resolver('/jwks.json', { cooldownMs: 0, cacheMaxAgeMs: 0 });
    expect((await verifyWith(oldKey, keys)).status).toBe('verified');
    host.jwks = { keys: [oldKey.publicJwk, newKey.publicJwk] };
    expect((await verifyWith(newKey, keys)).status).toBe('verified');
    expect((await verifyWith(oldKey, keys)).status).toBe('verified');
    host.jwks = { keys: [newKey.publicJwk] };
    expect(await verifyWith(oldKey, keys)).toMatchObject({
      status: 'failed',
      reason: 'unknown_key',
    });
    expect((await verifyWith(newKey, keys)).status).toBe('verified');
  });

  it('does not follow redirects', async () => {
    const result = await verifyWith(oldKey, resolver('/redirect'));
    expect(result).toMatchObject({ status: 'failed', reason: 'keys_unavailable' });
    expect(host.count('/redirect')).toBe(1);
    expect(host.count('/jwks.json')).toBe(0);
  });

  it('refuses a body over maxBytes, a body that is not JSON, and a host that never answers', async () => {
    expect(await verifyWith(oldKey, resolver('/big', { maxBytes: 64 * 1024 }))).toMatchObject({
      reason: 'keys_unavailable',
    });
    expect(await verifyWith(oldKey, resolver('/not-json'))).toMatchObject({
      reason: 'keys_unavailable',
    });
    expect(await verifyWith(oldKey, resolver('/hang', { timeoutMs: 200 }))).toMatchObject({
      reason: 'keys_unavailable',
    });
  });

  it('backs off after a failure instead of fetching on every passport', async () => {
    let clock = 1_000_000;
    const keys = resolver('/not-json', { failureBackoffMs: 5_000, now: () => clock });
    expect(await verifyWith(oldKey, keys)).toMatchObject({ reason: 'keys_unavailable' });
    expect(await verifyWith(oldKey, keys)).toMatchObject({ reason: 'keys_unavailable' });
    expect(host.count('/not-json')).toBe(1);
    clock += 5_000;
    expect(await verifyWith(oldKey, keys)).toMatchObject({ reason: 'keys_unavailable' });
    expect(host.count('/not-json')).toBe(2);
  });

  it('never fetches for a client without an allowlisted URL', async () => {
    const keys = remoteKeyResolver({
      jwksUrls: () => `${host.origin.replace('127.0.0.1', 'localhost')}/jwks.json`,
      allowedOrigins: [host.origin],
      allowInsecureLoopback: true,
    });
    expect(await verifyWith(oldKey, keys)).toMatchObject({
      status: 'failed',
      reason: 'unknown_key',
    });
    const unmapped = remoteKeyResolver({
      jwksUrls: {},
      allowedOrigins: [host.origin],
      allowInsecureLoopback: true,
    });
    expect(await verifyWith(oldKey, unmapped)).toMatchObject({
      status: 'failed',
      reason: 'unknown_key',
    });
    expect(host.count('/jwks.json')).toBe(0);
  });
});
