import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { KmsFault } from './kms-fault.js';

/** What the verifier needs of a received request. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query as received, e.g. `/`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Where the endpoint expects signatures to be scoped. */
export interface SigV4Scope {
  readonly region: string;
  readonly service: string;
  /** Secret access key by access key id. */
  readonly secrets: ReadonlyMap<string, string>;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{8})T\d{6}Z$/;

const sha256Hex = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

const invalidSignature = (message: string): KmsFault =>
  new KmsFault('InvalidSignatureException', message);

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** RFC 3986 encoding as SigV4 requires (encodeURIComponent leaves !'()* alone). */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(search: string): string {
  const pairs = [...new URLSearchParams(search)].map(([k, v]) => [uriEncode(k), uriEncode(v)]);
  pairs.sort(([ak, av], [bk, bv]) => (ak! < bk! ? -1 : ak! > bk! ? 1 : av! < bv! ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * Verifies an AWS Signature Version 4 `Authorization` header in full: structure, credential
 * scope (date, region, service), known access key, and the signature itself recomputed over the
 * canonical request (method, path, query, signed headers, SHA-256 of the body). Resolves the
 * access key id of the caller; throws the fault KMS would answer otherwise.
 */
export function verifySigV4(request: SignedRequest, scope: SigV4Scope): string {
  const authorization = headerValue(request.headers, 'authorization');
  if (!authorization) {
    throw new KmsFault('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
  }
  const match = AUTHORIZATION.exec(authorization);
  if (!match) throw new KmsFault('IncompleteSignatureException', 'Malformed Authorization header');
  const [, credential, signedHeaderList, signature] = match as unknown as [
    string,
    string,
    string,
    string,
  ];
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (
    !accessKeyId ||
    !date ||
    !region ||
    !service ||
    terminator !== 'aws4_request' ||
    rest.length
  ) {
    throw new KmsFault('IncompleteSignatureException', 'Malformed credential scope');
  }
  const secret = scope.secrets.get(accessKeyId);
  if (secret === undefined) {
    throw new KmsFault(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  }
  if (region !== scope.region || service !== scope.service) {
    throw invalidSignature(
      `Credential should be scoped to a valid region and service (${scope.region}/${scope.service})`,
    );
  }
  const amzDate = headerValue(request.headers, 'x-amz-date') ?? '';
  const dated = AMZ_DATE.exec(amzDate);
  if (!dated || dated[1] !== date) {
    throw invalidSignature('X-Amz-Date is missing or does not match the credential scope date');
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    throw invalidSignature('SignedHeaders must include host and x-amz-date');
  }
  const sorted = [...signedHeaders].sort();
  if (sorted.join(';') !== signedHeaderList) {
    throw invalidSignature('SignedHeaders must be lower case and sorted');
  }
  const canonicalHeaders = signedHeaders
    .map((name) => {
      const value = headerValue(request.headers, name);
      if (value === undefined) throw invalidSignature(`Signed header ${name} is missing`);
      return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const bodyHash = sha256Hex(request.body);
  const declaredHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== bodyHash) {
    throw invalidSignature('x-amz-content-sha256 does not match the body');
  }
  const url = new URL(request.url, 'http://endpoint');
  const canonicalRequest = [
    request.method,
    url.pathname,
    canonicalQuery(url.search),
    canonicalHeaders,
    signedHeaderList,
    bodyHash,
  ].join('\n');
  const credentialScope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    credentialScope,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    throw invalidSignature(
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  return accessKeyId;
}
