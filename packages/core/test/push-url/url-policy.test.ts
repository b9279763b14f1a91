import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { describe, expect, it } from 'vitest';
import {
  createPushUrlPolicy,
  PushUrlRejectedError,
  type PushUrlRejectionReason,
} from '../../src/index.js';
import { corpusDns, HOSTILE_URLS, LEGITIMATE_URLS } from './corpus.js';
import { fakeDns, PUBLIC_V4, PUBLIC_V6 } from './fake-dns.js';

async function rejection(promise: Promise<unknown>): Promise<PushUrlRejectedError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PushUrlRejectedError);
    return error as PushUrlRejectedError;
  }
  return expect.fail('the URL was accepted');
}

describe('push URL policy: the hostile corpus', () => {
  it('has at least 60 distinct hostile spellings', () => {
    expect(new Set(HOSTILE_URLS.map((entry) => entry.url)).size).toBeGreaterThanOrEqual(60);
  });

  const strict = createPushUrlPolicy({ resolver: corpusDns() });
  it.each(HOSTILE_URLS)('refuses $url ($why) as $reason', async ({ url, reason }) => {
    const error = await rejection(strict(url));
    expect(error.policyReason).toBe(reason);
    expect(error.code).toBe('PUSH_URL_REJECTED');
    // A client error on the wire, like every InvalidInputError.
    expect(error).toBeInstanceOf(RequestMalformedError);
    expect(error.name).toBe('RequestMalformedError');
  });

  // The development opt-in opens loopback and http-to-loopback; nothing else in the corpus.
  const optedIn = createPushUrlPolicy({ resolver: corpusDns(), allowInsecureLocalhost: true });
  const loopbackOnly: ReadonlySet<PushUrlRejectionReason> = new Set([
    'loopback-address',
    'insecure-scheme',
  ]);
  it.each(HOSTILE_URLS.filter((entry) => !loopbackOnly.has(entry.reason)))(
    'still refuses $url ($why) under allowInsecureLocalhost',
    async ({ url, reason }) => {
      expect((await rejection(optedIn(url))).policyReason).toBe(reason);
    },
  );

  it('never echoes the path or query of a refused URL (they may carry secrets)', async () => {
    const error = await rejection(strict('https://10.0.0.1/hook/s3cr3t-path?token=s3cr3t-query'));
    expect(error.message).not.toMatch(/s3cr3t/);
    const invalid = await rejection(strict('https://exa mple.com/s3cr3t'));
    expect(invalid.message).not.toMatch(/s3cr3t/);
  });
});

describe('push URL policy: legitimate URLs', () => {
  it.each(LEGITIMATE_URLS)('accepts %s', async (url) => {
    const policy = createPushUrlPolicy({ resolver: corpusDns() });
    await expect(policy(url)).resolves.toBeUndefined();
  });

  it('returns every resolved address, checked, for the sender to pin', async () => {
    const policy = createPushUrlPolicy({ resolver: corpusDns() });
    const validated = await policy.validate('https://dual.example.com:8443/hook?x=1');
    expect(validated.hostname).toBe('dual.example.com');
    expect(validated.port).toBe(8443);
    expect(validated.secure).toBe(true);
    expect(validated.addresses).toEqual([
      { address: PUBLIC_V4, family: 4 },
      { address: PUBLIC_V6, family: 6 },
    ]);
  });

  it('normalises a unicode host to punycode before resolving it', async () => {
    const dns = corpusDns();
    const validated = await createPushUrlPolicy({ resolver: dns }).validate(
      'https://bücher.example.com/',
    );
    expect(validated.hostname).toBe('xn--bcher-kva.example.com');
    expect(dns.queries).toEqual(['xn--bcher-kva.example.com']);
  });

  it('resolves an IP literal without asking DNS', async () => {
    const dns = corpusDns();
    const validated = await createPushUrlPolicy({ resolver: dns }).validate(
      'https://[2606:4700:4700::1111]/',
    );
    expect(validated.addresses).toEqual([{ address: '2606:4700:4700::1111', family: 6 }]);
    expect(dns.queries).toEqual([]);
  });
});

describe('push URL policy: DNS', () => {
  it('fails closed when the resolver does not answer in time', async () => {
    const hanging = () => new Promise<readonly string[]>(() => {});
    const policy = createPushUrlPolicy({ resolver: hanging, resolveTimeoutMs: 20 });
    expect((await rejection(policy('https://slow.example.com/'))).policyReason).toBe(
      'unresolvable-host',
    );
  });

  it('uses the system resolver by default, and refuses a name that cannot resolve', async () => {
    // RFC 6761: .invalid never resolves, on any network.
    const error = await rejection(createPushUrlPolicy()('https://hooks.a2a-stores.invalid/'));
    expect(error.policyReason).toBe('unresolvable-host');
  });

  it('checks names the system resolves to loopback (localhost via /etc/hosts)', async () => {
    // "localhost" alone is refused by name; a dotted name is resolved and judged by address.
    const policy = createPushUrlPolicy({
      resolver: fakeDns({ 'hooks.example.com': ['127.0.0.53'] }),
    });
    expect((await rejection(policy('https://hooks.example.com/'))).policyReason).toBe(
      'loopback-address',
    );
  });
});

describe('push URL policy: allowlist', () => {
  const policy = createPushUrlPolicy({
    resolver: corpusDns(),
    allowlist: ['HOOKS.example.com.', '*.partner.example', '8.8.8.8', '[2606:4700:4700::1111]'],
  });

  it.each([
    'https://hooks.example.com/a2a',
    'https://a.partner.example/a2a',
    'https://8.8.8.8/hook',
    'https://[2606:4700:4700:0::1111]/hook',
  ])('accepts allowlisted %s', async (url) => {
    await expect(policy(url)).resolves.toBeUndefined();
  });

  it.each([
    'https://other.example.com/a2a',
    'https://partner.example/a2a',
    'https://evilpartner.example/a2a',
    'https://1.1.1.1/hook',
  ])('refuses %s, not allowlisted', async (url) => {
    expect((await rejection(policy(url))).policyReason).toBe('host-not-allowed');
  });

  it('still applies the address checks to allowlisted hosts', async () => {
    const dns = fakeDns({ 'hooks.example.com': ['10.0.0.7'] });
    const listed = createPushUrlPolicy({ resolver: dns, allowlist: ['hooks.example.com'] });
    expect((await rejection(listed('https://hooks.example.com/'))).policyReason).toBe(
      'private-address',
    );
  });

  it('refuses bad patterns when the policy is created', () => {
    for (const pattern of [
      '',
      'hooks.example.com:443',
      'a*.example.com',
      'https://x.example/',
      'a..b',
    ]) {
      expect(() => createPushUrlPolicy({ allowlist: [pattern] }), pattern).toThrow(TypeError);
    }
  });
});

describe('push URL policy: allowed networks', () => {
  const policy = createPushUrlPolicy({
    resolver: corpusDns(),
    allowedNetworks: ['10.20.0.0/16', '169.254.0.0/16'],
  });

  it('accepts an internal network the operator opened', async () => {
    await expect(policy('https://10.20.1.2/hook')).resolves.toBeUndefined();
    await expect(policy('https://internal.corp.example/hook')).resolves.toBeUndefined();
  });

  it('refuses private addresses outside it', async () => {
    expect((await rejection(policy('https://10.21.0.1/hook'))).policyReason).toBe(
      'private-address',
    );
  });

  it('never opens metadata addresses, even inside an opened network', async () => {
    expect((await rejection(policy('https://169.254.169.254/'))).policyReason).toBe(
      'cloud-metadata',
    );
    // All of 169.254/16 is metadata-class (issue #17): a network never opens any of it.
    expect((await rejection(policy('https://169.254.1.1/'))).policyReason).toBe(
      'link-local-address',
    );
  });

  it('refuses bad networks when the policy is created', () => {
    expect(() => createPushUrlPolicy({ allowedNetworks: ['10.0.0.0/33'] })).toThrow(TypeError);
    expect(() => createPushUrlPolicy({ allowedNetworks: ['intranet'] })).toThrow(TypeError);
  });
});

describe('push URL policy: development opt-in', () => {
  const dev = createPushUrlPolicy({ resolver: corpusDns(), allowInsecureLocalhost: true });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://127.0.0.2/hook',
    'http://[::1]:3000/hook',
    'http://localhost:3000/hook',
    'http://app.localhost/hook',
    'https://localhost/hook',
    'https://hooks.example.com/a2a',
  ])('accepts %s', async (url) => {
    await expect(dev(url)).resolves.toBeUndefined();
  });

  it('keeps http refused for every host that is not loopback', async () => {
    expect((await rejection(dev('http://hooks.example.com/'))).policyReason).toBe(
      'insecure-scheme',
    );
    expect((await rejection(dev(`http://${PUBLIC_V4}/`))).policyReason).toBe('insecure-scheme');
  });

  it('is off by default', async () => {
    const strict = createPushUrlPolicy({ resolver: corpusDns() });
    expect((await rejection(strict('http://127.0.0.1:8080/hook'))).policyReason).toBe(
      'insecure-scheme',
    );
    expect((await rejection(strict('https://localhost/hook'))).policyReason).toBe(
      'loopback-address',
    );
  });
});

describe('push URL policy: options', () => {
  it('refuses a resolver that is not a function and a non-positive timeout', () => {
    expect(() => createPushUrlPolicy({ resolver: 'dns' as never })).toThrow(TypeError);
    expect(() => createPushUrlPolicy({ resolveTimeoutMs: 0 })).toThrow(TypeError);
  });

  it('refuses a URL that is not a string', async () => {
    const policy = createPushUrlPolicy();
    expect((await rejection(policy.validate(42 as never))).policyReason).toBe('invalid-url');
  });
});
