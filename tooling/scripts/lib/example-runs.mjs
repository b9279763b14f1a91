// How check-installed-examples.mjs runs each README example once it compiled: most examples
// export functions (a handler factory, a shutdown), so a small driver calls them the way an
// agent would and then lets the process end by itself; a conformance example is a vitest test
// file and runs under vitest. Every README example must have an entry here: a new example
// without one fails the check, so nothing is merely compiled.

const PG_URL = process.env.A2A_STORES_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_URL = process.env.A2A_STORES_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const REDIS_URL = process.env.A2A_STORES_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Conformance groups a vitest example runs: enough to load and exercise it, not the hours. */
const CONFORMANCE_FILTER = 'scope isolation|raw probe';

/** Why an example is ESM only (not compiled or run as CommonJS). */
const CONFORMANCE_ESM_ONLY = '@a2a-stores/core/conformance is ESM only (vitest cannot be required)';

/**
 * Per example (`<package folder>/<file>`): `driver`, the body of an async function given the
 * example's exports as `m`, a minimal `card` and `executor`, and `load(name)` (import or require,
 * as the example is loaded, so both sides share one copy of each package); or `vitest: true`. `env` is
 * added to the example's environment; `esmOnly` says why there is no CommonJS run.
 */
export const EXAMPLE_RUNS = {
  'cli/memory-harness.ts': {
    esmOnly: CONFORMANCE_ESM_ONLY,
    driver: `const stores = m.harness.create({});
      await stores.close();`,
  },
  'core/readme-example.ts': { driver: 'await m.main();' },
  'core/push-safety-example.ts': { driver: 'm.createRequestHandler(card, executor);' },
  'core/conformance-harness.ts': { vitest: true, esmOnly: CONFORMANCE_ESM_ONLY },
  'kms/readme-example.ts': {
    env: { A2A_LOCAL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') },
    driver: `const { close } = await m.createEncryptedHandler(card, executor);
      await close();`,
  },
  'kms/rotation-example.ts': {
    driver: `const { createMemoryStores } = await load('@a2a-stores/core');
      const kms = await load('@a2a-stores/kms');
      const keyring = new kms.LocalAesKeyring({
        keys: { k: Buffer.alloc(32, 1).toString('base64') },
        primary: 'k',
      });
      const stores = kms.withEnvelopeEncryption(createMemoryStores(), { keyring });
      const saved = [];
      const scopes = (async function* () {
        yield { tenant: 't', owner: 'o' };
      })();
      await m.rotateAll(stores, scopes, {
        load: async () => undefined,
        save: async (checkpoint) => { saved.push(checkpoint); },
      });
      await stores.close();`,
  },
  'mysql/readme-example.ts': {
    env: { DATABASE_URL: MYSQL_URL },
    driver: `await m.createDurableHandler(card, executor);
      await m.shutdown();`,
  },
  'mysql/raw-probe-example.ts': {
    vitest: true,
    esmOnly: CONFORMANCE_ESM_ONLY,
    env: { TEST_DATABASE_URL: MYSQL_URL },
  },
  'passport/readme-example.ts': {
    driver: `const { generateKeyPairSync } = await load('node:crypto');
      const { publicKey } = generateKeyPairSync('ed25519');
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'orchestrator-2025', alg: 'EdDSA' };
      const agent = m.createCurrencyAgent(card, executor, [jwk]);
      if (!JSON.stringify(agent.card).includes('passport')) throw new Error('no passport extension');`,
  },
  'postgres/readme-example.ts': {
    env: { DATABASE_URL: PG_URL },
    driver: `await m.createDurableHandler(card, executor);
      await m.shutdown();`,
  },
  'postgres/coordination-example.ts': {
    env: { DATABASE_URL: PG_URL },
    driver: 'await m.main();',
  },
  'postgres/raw-probe-example.ts': {
    vitest: true,
    esmOnly: CONFORMANCE_ESM_ONLY,
    env: { TEST_DATABASE_URL: PG_URL },
  },
  'redis/readme-example.ts': {
    env: { REDIS_URL },
    driver: `const { close } = await m.createDurableHandler(card, executor);
      await close();`,
  },
  'redis/raw-probe-example.ts': {
    vitest: true,
    esmOnly: CONFORMANCE_ESM_ONLY,
    env: { TEST_REDIS_URL: REDIS_URL },
  },
  'sqlite/readme-example.ts': {
    driver: `const { close } = await m.createDurableHandler(card, executor);
      await close();`,
  },
  'sqlite/raw-probe-example.ts': { vitest: true, esmOnly: CONFORMANCE_ESM_ONLY },
};

/** What a driver prints when the example's calls all returned (its exit should follow). */
export const DONE_MARKER = 'example finished; the process should now exit';

/** The vitest `-t` pattern of conformance examples. */
export const VITEST_FILTER = CONFORMANCE_FILTER;

/** What drivers share: an AgentCard as small as the SDK accepts, and an executor doing nothing. */
const FIXTURES = `const card = {
  name: 'example',
  description: 'README example run',
  supportedInterfaces: [
    { url: 'http://127.0.0.1:1/a2a', protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
  ],
  provider: undefined,
  version: '0.0.0',
  documentationUrl: undefined,
  capabilities: { streaming: true, pushNotifications: true, extensions: [], extendedAgentCard: false },
  securitySchemes: {},
  securityRequirements: [],
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [],
  signatures: [],
  iconUrl: undefined,
};
const executor = { execute: async () => {}, cancelTask: async () => {} };`;

/**
 * The source of a driver that loads the compiled example `compiled` (a path relative to the
 * driver) and runs `body`; `format` is 'esm' or 'cjs'. A failure sets exit code 1; success
 * lets the event loop drain, so a handle the example leaves open shows up as a hang.
 */
export function driverSource(format, compiled, body) {
  const load =
    format === 'esm'
      ? 'const load = (name) => import(name);'
      : 'const load = async (name) => require(name);';
  return `${FIXTURES}
${load}
(async () => {
  const m = await load(${JSON.stringify(compiled)});
  ${body}
  console.log(${JSON.stringify(DONE_MARKER)});
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}
