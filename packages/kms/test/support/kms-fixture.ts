import {
  type EndpointCredentials,
  type EndpointKeyInfo,
  type KmsEndpoint,
  startKmsEndpoint,
} from '@a2a-stores/kms-endpoint';
import { KMSClient } from '@aws-sdk/client-kms';
import { AwsKmsKeyring, type AwsKmsKeyringOptions } from '../../src/index.js';

/** A local KMS endpoint, one key with an alias, and a real KMSClient pointed at it. */
export interface KmsFixture {
  readonly kms: KmsEndpoint;
  readonly key: EndpointKeyInfo;
  readonly client: KMSClient;
  /** A client of the same endpoint with other credentials (or a wrong secret). */
  clientWith(credentials: EndpointCredentials): KMSClient;
  /** An `AwsKmsKeyring` over the fixture's client, under `key` unless told otherwise. */
  keyring(options?: Partial<AwsKmsKeyringOptions>): AwsKmsKeyring;
  close(): Promise<void>;
}

export async function startKmsFixture(): Promise<KmsFixture> {
  const kms = await startKmsEndpoint();
  const key = kms.createKey({ alias: 'alias/a2a-stores-test' });
  const clients: KMSClient[] = [];
  const clientWith = (credentials: EndpointCredentials) => {
    // One attempt: outage tests must see the failure of this call, not three of them.
    const client = new KMSClient({
      endpoint: kms.url,
      region: kms.region,
      credentials,
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  };
  const client = clientWith(kms.credentials);
  return {
    kms,
    key,
    client,
    clientWith,
    keyring: (options = {}) => new AwsKmsKeyring({ client, keyId: key.arn, ...options }),
    async close() {
      for (const c of clients) c.destroy();
      await kms.close();
    },
  };
}
