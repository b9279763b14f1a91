import { describe, expect, it } from 'vitest';
import { readAnonymous, readConfig, readDevMode } from '../src/config.js';
import { createAgentPushUrlPolicy } from '../src/push-notifications.js';

describe('development mode', () => {
  it('is off by default, whatever else is set', () => {
    expect(readConfig({}).devMode).toBe(false);
    expect(readDevMode({ NODE_ENV: 'production' })).toBe(false);
    expect(readDevMode({ NODE_ENV: 'test' })).toBe(false);
    expect(readDevMode({ A2A_AGENT_DEV: '' })).toBe(false);
  });

  it('is on with A2A_AGENT_DEV=1/true, or NODE_ENV=development when A2A_AGENT_DEV is unset', () => {
    expect(readDevMode({ A2A_AGENT_DEV: '1' })).toBe(true);
    expect(readDevMode({ A2A_AGENT_DEV: 'TRUE' })).toBe(true);
    expect(readDevMode({ NODE_ENV: 'development' })).toBe(true);
    expect(readConfig({ A2A_AGENT_DEV: 'true' }).devMode).toBe(true);
  });

  it('an explicit A2A_AGENT_DEV=0/false wins over NODE_ENV=development', () => {
    expect(readDevMode({ A2A_AGENT_DEV: '0', NODE_ENV: 'development' })).toBe(false);
    expect(readDevMode({ A2A_AGENT_DEV: 'false', NODE_ENV: 'development' })).toBe(false);
  });

  it('refuses a value it does not understand instead of guessing', () => {
    for (const value of ['yes', 'on', '2', 'dev']) {
      expect(() => readDevMode({ A2A_AGENT_DEV: value }), value).toThrow(/A2A_AGENT_DEV must be/);
    }
  });
});

describe('anonymous callers (A2A_AGENT_ANONYMOUS)', () => {
  it('are shared by default and refused with reject; anything else stops the agent', () => {
    expect(readConfig({}).anonymous).toBe('shared');
    expect(readAnonymous({ A2A_AGENT_ANONYMOUS: 'reject' })).toBe('reject');
    expect(readAnonymous({ A2A_AGENT_ANONYMOUS: 'shared' })).toBe('shared');
    expect(() => readAnonymous({ A2A_AGENT_ANONYMOUS: 'deny' })).toThrow(/A2A_AGENT_ANONYMOUS/);
  });
});

describe('the agent push URL policy', () => {
  it('strict by default: only https to public addresses', async () => {
    const strict = createAgentPushUrlPolicy(false);
    await expect(strict('https://93.184.215.14/hook')).resolves.toBeUndefined();
    for (const [url, reason] of [
      ['http://127.0.0.1:8080/hook', 'insecure-scheme'],
      ['https://127.0.0.1/hook', 'loopback-address'],
      ['https://[::1]/hook', 'loopback-address'],
      ['https://169.254.169.254/', 'cloud-metadata'],
      ['https://10.1.2.3/hook', 'private-address'],
      ['http://93.184.215.14/hook', 'insecure-scheme'],
    ] as const) {
      await expect(strict(url), url).rejects.toMatchObject({
        name: 'RequestMalformedError',
        code: 'PUSH_URL_REJECTED',
        policyReason: reason,
      });
    }
  });

  it('in development mode also accepts loopback, over http or https, and nothing else more', async () => {
    const dev = createAgentPushUrlPolicy(true);
    for (const url of ['http://127.0.0.1:8080/hook', 'https://[::1]/hook', 'http://localhost/h']) {
      await expect(dev(url), url).resolves.toBeUndefined();
    }
    for (const [url, reason] of [
      ['https://169.254.169.254/', 'cloud-metadata'],
      ['http://10.1.2.3/hook', 'private-address'],
      ['http://93.184.215.14/hook', 'insecure-scheme'],
    ] as const) {
      await expect(dev(url), url).rejects.toMatchObject({ policyReason: reason });
    }
  });
});

describe('cluster settings', () => {
  it('default to one worker in auto coordination, 15 s leases, 5 s sweeps, failing orphans', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      coordination: 'auto',
      leaseMs: 15_000,
      sweepMs: 5_000,
      recovery: 'fail',
      workers: 1,
    });
  });

  it('are read from A2A_AGENT_COORDINATION, _LEASE_MS, _SWEEP_MS, _RECOVERY and _WORKERS', () => {
    const config = readConfig({
      A2A_AGENT_COORDINATION: 'off',
      A2A_AGENT_LEASE_MS: '1500',
      A2A_AGENT_SWEEP_MS: '200',
      A2A_AGENT_RECOVERY: 'resume',
      A2A_AGENT_WORKERS: '3',
    });
    expect(config).toMatchObject({
      coordination: 'off',
      leaseMs: 1500,
      sweepMs: 200,
      recovery: 'resume',
      workers: 3,
    });
    expect(readConfig({ A2A_AGENT_RECOVERY: 'leave' }).recovery).toBe('leave');
  });

  it('refuse values they do not understand, naming the variable', () => {
    const refused: Array<[string, string]> = [
      ['A2A_AGENT_COORDINATION', 'on'],
      ['A2A_AGENT_RECOVERY', 'retry'],
      ['A2A_AGENT_LEASE_MS', '100'],
      ['A2A_AGENT_SWEEP_MS', 'soon'],
      ['A2A_AGENT_WORKERS', '0'],
      ['A2A_AGENT_WORKERS', '33'],
    ];
    for (const [name, value] of refused) {
      expect(() => readConfig({ [name]: value }), `${name}=${value}`).toThrow(
        new RegExp(`${name} must be`),
      );
    }
  });
});
