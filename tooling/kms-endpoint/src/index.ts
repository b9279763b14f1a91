export type { EncryptionContext } from './key-material.js';
export type { EndpointKeyInfo, KeyState } from './key-registry.js';
export type {
  EndpointCredentials,
  EndpointRequest,
  KmsEndpointOptions,
  OutageMode,
} from './kms-endpoint.js';
export { KmsFault } from './kms-fault.js';
export type { KmsOperation } from './operations.js';
export { verifySigV4 } from './sigv4.js';
export { KMS_OPERATIONS, type KmsEndpoint, startKmsEndpoint } from './start-kms-endpoint.js';
