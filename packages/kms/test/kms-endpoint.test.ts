import { rejectionOf } from '@a2a-stores/core/conformance';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { startKmsFixture } from './support/kms-fixture.js';

const fixture = await startKmsFixture();
afterAll(() => fixture.close());

/** A raw POST to the endpoint, as a client without the AWS SDK would send it. */
async function rawPost(target: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(fixture.kms.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `TrentService.${target}`,
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('local KMS endpoint (tooling/kms-endpoint)', () => {
  it('listens on loopback only', () => {
    expect(fixture.kms.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses unsigned and badly signed requests with the KMS error shapes', async () => {
    const unsigned = await rawPost('DescribeKey', { KeyId: fixture.key.arn });
    expect(unsigned).toEqual({
      status: 400,
      type: 'application/x-amz-json-1.1',
      body: { __type: 'MissingAuthenticationTokenException', message: expect.any(String) },
    });
    const forged = await rawPost(
      'DescribeKey',
      { KeyId: fixture.key.arn },
      {
        authorization: `AWS4-HMAC-SHA256 Credential=${fixture.kms.credentials.accessKeyId}/20240101/${fixture.kms.region}/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        'x-amz-date': '20240101T000000Z',
      },
    );
    expect(forged.body.__type).toBe('InvalidSignatureException');
    const unknownTarget = await rawPost('ScheduleKeyDeletion', {});
    expect(unknownTarget.body.__type).toBe('UnknownOperationException');

    const stranger = fixture.clientWith({ accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' });
    const error = await rejectionOf(
      stranger.send(new DescribeKeyCommand({ KeyId: fixture.key.arn })),
    );
    expect(error).toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('resolves key ids, key ARNs, alias names and alias ARNs; other accounts are not found', async () => {
    const { kms, key, client } = fixture;
    for (const ref of [
      key.keyId,
      key.arn,
      'alias/a2a-stores-test',
      `arn:aws:kms:${kms.region}:${kms.accountId}:alias/a2a-stores-test`,
    ]) {
      const output = await client.send(new DescribeKeyCommand({ KeyId: ref }));
      expect(output.KeyMetadata).toMatchObject({ Arn: key.arn, KeyId: key.keyId, Enabled: true });
    }
    const elsewhere = key.arn.replace(kms.accountId, '999999999999');
    expect(
      await rejectionOf(client.send(new DescribeKeyCommand({ KeyId: elsewhere }))),
    ).toMatchObject({ name: 'NotFoundException' });
  });

  it('binds the encryption context and the key to every ciphertext', async () => {
    const { client, key } = fixture;
    const other = fixture.kms.createKey();
    const context = { purpose: 'test' };
    const generated = await client.send(
      new GenerateDataKeyCommand({
        KeyId: key.arn,
        KeySpec: 'AES_256',
        EncryptionContext: context,
      }),
    );
    expect(generated.KeyId).toBe(key.arn);
    const blob = generated.CiphertextBlob!;
    const opened = await client.send(
      new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context, KeyId: key.arn }),
    );
    expect(Buffer.from(opened.Plaintext!).equals(Buffer.from(generated.Plaintext!))).toBe(true);
    const wrongContext = client.send(
      new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { purpose: 'other' } }),
    );
    expect(await rejectionOf(wrongContext)).toMatchObject({ name: 'InvalidCiphertextException' });
    const wrongKey = client.send(
      new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context, KeyId: other.arn }),
    );
    expect(await rejectionOf(wrongKey)).toMatchObject({ name: 'IncorrectKeyException' });
    const encrypted = await client.send(
      new EncryptCommand({ KeyId: other.arn, Plaintext: Buffer.from('hello') }),
    );
    expect(encrypted.KeyId).toBe(other.arn);
  });

  it('counts requests per operation, and stops and starts on the same port', async () => {
    const { kms, client, key } = fixture;
    kms.resetCounts();
    await client.send(new DescribeKeyCommand({ KeyId: key.arn }));
    await client.send(new DescribeKeyCommand({ KeyId: key.arn }));
    expect(kms.requestCount('DescribeKey')).toBe(2);
    expect(kms.requestCount('Decrypt')).toBe(0);
    const port = kms.port;
    await kms.stop();
    // A pooled keep-alive socket may see the reset before the client notices the close.
    const down = await rejectionOf(client.send(new DescribeKeyCommand({ KeyId: key.arn })));
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain((down as { code?: string }).code);
    await kms.start();
    expect(kms.port).toBe(port);
    await expect(client.send(new DescribeKeyCommand({ KeyId: key.arn }))).resolves.toBeDefined();
  });
});
