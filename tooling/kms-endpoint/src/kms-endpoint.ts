import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyRegistry } from './key-registry.js';
import { KmsFault } from './kms-fault.js';
import { KMS_OPERATIONS, type KmsOperation, runOperation } from './operations.js';
import { verifySigV4 } from './sigv4.js';

const JSON_11 = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'TrentService.';
const MAX_BODY_BYTES = 1024 * 1024;

/** How the endpoint fails while an outage is switched on. */
export type OutageMode =
  /** Every request is answered HTTP 500 `KMSInternalException`. */
  | 'http-500'
  /** Every request's connection is destroyed before any answer (the client sees ECONNRESET). */
  | 'connection-reset';

/** Static credentials the endpoint accepts SigV4 signatures from. */
export interface EndpointCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface KmsEndpointOptions {
  /** Region the signatures must be scoped to and the ARNs carry. Default `us-east-1`. */
  readonly region?: string;
  /** Account id of the ARNs. Default `111122223333`. */
  readonly accountId?: string;
}

/** What the endpoint handles per request, for the request log. */
export interface EndpointRequest {
  readonly operation: KmsOperation;
  readonly accessKeyId: string | undefined;
  /** The `KeyId` the request quoted (`SourceKeyId` for ReEncrypt), as sent. */
  readonly keyId: string | undefined;
  /** The `__type` of the error answered (`'connection-reset'` in that outage), or undefined. */
  readonly error: string | undefined;
}

export type RouteRequest = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The HTTP side of the endpoint: KMS JSON 1.1 over `POST /`, SigV4 checked on every request,
 * per-operation counters, and the outage switch. {@link startKmsEndpoint} builds it.
 */
export class KmsEndpointServer {
  readonly registry: KeyRegistry;
  readonly secrets = new Map<string, string>();
  readonly log: EndpointRequest[] = [];
  outage: OutageMode | undefined;
  #server: Server | undefined;
  #port = 0;

  constructor(registry: KeyRegistry) {
    this.registry = registry;
  }

  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  /** Listens on 127.0.0.1: on a port the OS picks the first time, on the same port afterwards. */
  async listen(): Promise<void> {
    if (this.#server) return;
    const server = createServer((request, response) => this.#handle(request, response));
    // Node closes a kept-alive socket after 5 s idle by default. The AWS SDK's agent does not read
    // the server's Keep-Alive hint, so a request sent on a socket the server is closing at that
    // moment fails with ECONNRESET, and the tests' clients make one attempt only. Idle sockets stay
    // open here until stop() or close() drops them.
    server.keepAliveTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and drops every open connection, so clients see connection refused. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (this.outage === 'connection-reset') {
        const target = String(request.headers['x-amz-target'] ?? '').slice(TARGET_PREFIX.length);
        if ((KMS_OPERATIONS as readonly string[]).includes(target)) {
          this.log.push({
            operation: target as KmsOperation,
            accessKeyId: undefined,
            keyId: undefined,
            error: 'connection-reset',
          });
        }
        request.socket.destroy();
        return;
      }
      this.#answer(request, response, body, size);
    });
  }

  #answer(request: IncomingMessage, response: ServerResponse, body: Buffer, size: number): void {
    let operation: KmsOperation | undefined;
    let accessKeyId: string | undefined;
    let keyId: string | undefined;
    try {
      operation = this.#operationOf(request);
      if (this.outage === 'http-500') {
        throw new KmsFault('KMSInternalException', 'The service is unavailable (outage).', 500);
      }
      if (size > MAX_BODY_BYTES) throw new KmsFault('ValidationException', 'Request too large');
      accessKeyId = verifySigV4(
        { method: request.method ?? '', url: request.url ?? '/', headers: request.headers, body },
        { region: this.registry.region, service: 'kms', secrets: this.secrets },
      );
      const payload = this.#parse(request, body);
      const quoted = payload.KeyId ?? payload.SourceKeyId;
      keyId = typeof quoted === 'string' ? quoted : undefined;
      const result = runOperation(this.registry, operation, payload, { accessKeyId });
      this.log.push({ operation, accessKeyId, keyId, error: undefined });
      this.#send(response, 200, result);
    } catch (error) {
      const fault =
        error instanceof KmsFault
          ? error
          : new KmsFault('KMSInternalException', (error as Error).message, 500);
      if (operation) this.log.push({ operation, accessKeyId, keyId, error: fault.type });
      this.#send(response, fault.status, { __type: fault.type, message: fault.message });
    }
  }

  #operationOf(request: IncomingMessage): KmsOperation {
    const target = request.headers['x-amz-target'];
    const name =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : '';
    if (request.method !== 'POST' || !(KMS_OPERATIONS as readonly string[]).includes(name)) {
      throw new KmsFault('UnknownOperationException', `Unknown operation ${String(target)}`);
    }
    return name as KmsOperation;
  }

  #parse(request: IncomingMessage, body: Buffer): Record<string, unknown> {
    const type = request.headers['content-type'] ?? '';
    if (!type.startsWith(JSON_11)) {
      throw new KmsFault('SerializationException', `Content-Type must be ${JSON_11}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      throw new KmsFault('SerializationException', 'Body is not JSON');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new KmsFault('SerializationException', 'Body is not a JSON object');
    }
    return value as Record<string, unknown>;
  }

  #send(response: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': JSON_11,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    });
    response.end(text);
  }
}
