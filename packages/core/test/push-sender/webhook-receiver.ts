import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * A self-signed certificate for `hooks.a2a-stores.test` and `rebind.a2a-stores.test` (no IP in
 * it), valid until 2126. Test-only: the key protects nothing.
 */
export const TEST_CERT = readFileSync(
  new URL('./fixtures/webhook-cert.pem', import.meta.url),
  'utf8',
);
const TEST_KEY = readFileSync(new URL('./fixtures/webhook-key.pem', import.meta.url), 'utf8');

/** What the receiver saw of one request. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** TLS server name the client sent (SNI), for https receivers. */
  readonly servername: string | undefined;
}

/** How the receiver answers: status and body, or `'hang'` to never answer. */
export type Answer =
  | {
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: string | Buffer;
    }
  | 'hang'
  | ((request: ReceivedRequest, response: http.ServerResponse) => void);

export interface WebhookReceiver {
  readonly port: number;
  /** `http(s)://<host>:<port><path>` */
  url(path?: string, host?: string): string;
  readonly requests: ReceivedRequest[];
  /** Sockets accepted so far (a connection that never became a request counts too). */
  readonly connections: () => number;
  /** Resolves with the next request (or one already received and not yet taken). */
  nextRequest(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/**
 * A real webhook receiver on 127.0.0.1 (or `bindAddress`) and a free port. Over TLS with the test certificate when
 * `tls` is set.
 */
export async function startReceiver(
  answer: Answer = { status: 204 },
  tls = false,
  bindAddress = '127.0.0.1',
): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiting: Array<(request: ReceivedRequest) => void> = [];
  let taken = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const handler = (incoming: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const received: ReceivedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        servername: tls ? (incoming.socket as TLSSocket).servername || undefined : undefined,
      };
      requests.push(received);
      const waiter = waiting.shift();
      if (waiter) {
        taken++;
        waiter(received);
      }
      if (answer === 'hang') return;
      if (typeof answer === 'function') return answer(received, response);
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    });
  };
  const server = tls
    ? https.createServer({ cert: TEST_CERT, key: TEST_KEY }, handler)
    : http.createServer(handler);
  const countSocket = (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  // TCP connections, TLS or not: a connection that never became a request counts too.
  server.on('connection', countSocket);
  await new Promise<void>((resolve) => server.listen(0, bindAddress, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path = '/hook', host = bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress) =>
      `${tls ? 'https' : 'http'}://${host}:${port}${path}`,
    requests,
    connections: () => connections,
    nextRequest: () =>
      new Promise((resolve) => {
        const ready = requests[taken];
        if (ready) {
          taken++;
          resolve(ready);
        } else {
          waiting.push(resolve);
        }
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
