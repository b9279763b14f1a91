import { generateAgentCardSignature, verifyAgentCardSignature } from '@a2a-js/sdk';
import { describe, expect, it, vi } from 'vitest';
import {
  MemoryReplayCache,
  PASSPORT_JWS_TYPE,
  signPassport,
  staticKeyResolver,
  verifyPassport,
} from '../src/index.js';
import { makeKey, testCard } from './helpers.js';

const CLIENT = 'a2a://orchestrator-agent.com';
const AUDIENCE = 'https://agent.example/a2a';

/**
 * A passport signature and an AgentCard signature made by the same key must never stand in for
 * each other: different `typ`, and payloads that can never coincide.
 */
describe('typ confusion between passports and AgentCard signatures', () => {
  it("the SDK's AgentCard verifier accepts a real card signature but refuses a passport signature", async () => {
    const key = await makeKey('ES256');
    const card = testCard();
    const signedCard = await generateAgentCardSignature(key.privateKey, {
      alg: 'ES256',
      kid: key.kid,
      typ: 'JOSE',
    })(card);
    const verifier = verifyAgentCardSignature(async () => key.publicJwk);
    // Control: the same key and verifier accept a genuine card signature.
    await expect(verifier(signedCard)).resolves.toBeUndefined();

    const passport = await signPassport(
      { clientId: CLIENT, state: { user_preferred_currency: 'GBP' } },
      { privateKey: key.privateKey, kid: key.kid, alg: 'ES256', audience: AUDIENCE },
    );
    const [protectedHeader = '', , signature = ''] = passport.signature!.split('.');
    const forged = {
      ...card,
      signatures: [{ protected: protectedHeader, signature, header: undefined }],
    };
    // The SDK logs each refused entry with console.debug; keep the test output quiet.
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    try {
      await expect(verifier(forged)).rejects.toThrow(/No valid signatures/);
    } finally {
      debug.mockRestore();
    }
  });

  it('verifyPassport refuses an AgentCard signature as wrong_type', async () => {
    const key = await makeKey('EdDSA');
    const signedCard = await generateAgentCardSignature(key.privateKey, {
      alg: 'EdDSA',
      kid: key.kid,
      typ: 'JOSE',
    })(testCard());
    const cardSignature = signedCard.signatures[0]!;
    const result = await verifyPassport(
      {
        clientId: CLIENT,
        state: {},
        signature: `${cardSignature.protected}..${cardSignature.signature}`,
      },
      {
        keys: staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk] } }),
        audience: AUDIENCE,
        replayCache: new MemoryReplayCache(),
      },
    );
    expect(result).toMatchObject({ status: 'failed', reason: 'wrong_type' });
  });

  it('an AgentCard signature made with the passport typ still fails: the payloads differ', async () => {
    const key = await makeKey('EdDSA');
    const now = Math.floor(Date.now() / 1000);
    // Everything a passport header needs, so only the payload can tell them apart.
    const header = {
      alg: 'EdDSA',
      kid: key.kid,
      typ: PASSPORT_JWS_TYPE,
      aud: AUDIENCE,
      iat: now,
      exp: now + 60,
      nonce: 'n'.repeat(22),
    };
    const signedCard = await generateAgentCardSignature(key.privateKey, header)(testCard());
    const cardSignature = signedCard.signatures[0]!;
    const result = await verifyPassport(
      {
        clientId: CLIENT,
        state: {},
        signature: `${cardSignature.protected}..${cardSignature.signature}`,
      },
      {
        keys: staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk] } }),
        audience: AUDIENCE,
        replayCache: new MemoryReplayCache(),
      },
    );
    expect(result).toMatchObject({ status: 'failed', reason: 'bad_signature' });
  });
});
