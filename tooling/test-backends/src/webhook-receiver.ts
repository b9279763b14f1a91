import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamResponse } from '@a2a-js/sdk';

/** One POST the receiver got. */
export interface ReceivedNotification {
  readonly method: string;
  /** The request path, e.g. `/hooks/<id>`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body text. */
  readonly body: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
  /** The body read as a v1.0 `StreamResponse`, or `undefined` when it is not one. */
  readonly event: StreamResponse | undefined;
}

/** A webhook receiver on 127.0.0.1 that records every request. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** A fresh, unique hook URL on this receiver: `<origin>/hooks/<label>-<uuid>`. */
  newHookUrl(label: string): string;
  /** Everything received at the path of `url` so far, in arrival order. */
  receivedAt(url: string): ReceivedNotification[];
  /** Everything received so far, at any path. */
  all(): ReceivedNotification[];
  /** Makes the hook at `url` answer `status` (with `headers`) instead of 200. */
  answer(url: string, status: number, headers?: Readonly<Record<string, string>>): void;
  /**
   * Resolves with the notifications at `url` once `done(them)` holds; rejects after `timeoutMs`
   * with what did arrive. Driven by arrivals, not by polling.
   */
  waitFor(
    url: string,
    done: (received: ReceivedNotification[]) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedNotification[]>;
  close(): Promise<void>;
}

/** Options of {@link startWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /**
   * Keep every notification for `receivedAt`/`all`/`waitFor` (default true). A load run that
   * only counts turns this off so its memory does not grow with the deliveries.
   */
  readonly record?: boolean;
  /** Called with each notification as it arrives, before the answer is sent. */
  readonly onReceive?: (notification: ReceivedNotification) => void;
}

// Notifications are a few KiB; a runaway body is cut off instead of filling the test's memory.
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Starts a real HTTP webhook receiver on a free loopback port. It records every request and
 * answers 200 (or what `answer` set for the path). Loopback only: the tests never send a notification off this machine.
 */
export async function startWebhookReceiver(
  options: WebhookReceiverOptions = {},
): Promise<WebhookReceiver> {
  const record = options.record ?? true;
  const received: ReceivedNotification[] = [];
  const answers = new Map<string, { status: number; headers: Record<string, string> }>();
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413).end();
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = parseJson(body);
      const path = new URL(request.url ?? '/', 'http://receiver').pathname;
      const notification: ReceivedNotification = {
        method: request.method ?? '',
        path,
        headers: request.headers,
        body,
        json,
        event: json === undefined ? undefined : readStreamResponse(json),
      };
      if (record) received.push(notification);
      options.onReceive?.(notification);
      const answer = answers.get(path) ?? { status: 200, headers: {} };
      response
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end('{"ok":true}');
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pathOf = (url: string) => new URL(url).pathname;
  const receivedAt = (url: string) => received.filter((entry) => entry.path === pathOf(url));

  return {
    origin,
    newHookUrl: (label) => `${origin}/hooks/${encodeURIComponent(label)}-${randomUUID()}`,
    receivedAt,
    all: () => [...received],
    answer: (url, status, headers = {}) => {
      answers.set(pathOf(url), { status, headers: { ...headers } });
    },
    waitFor: (url, done, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const current = receivedAt(url);
          if (!done(current)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(current);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const got = receivedAt(url).map((entry) => entry.body);
          reject(
            new Error(
              `webhook ${pathOf(url)}: condition not met within ${timeoutMs} ms; received ${got.length}: ${got.join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function readStreamResponse(json: unknown): StreamResponse | undefined {
  try {
    const event = StreamResponse.fromJSON(json);
    return event.payload ? event : undefined;
  } catch {
    return undefined;
  }
}
