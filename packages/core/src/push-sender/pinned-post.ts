import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ValidatedPushUrl } from '../push-url/push-url-policy.js';
import { PushDeliveryError } from './delivery-error.js';

/** Bounds of one webhook POST. */
export interface PinnedPostLimits {
  /** Whole exchange, connect to last response byte. */
  readonly timeoutMs: number;
  /** TCP connection establishment. */
  readonly connectTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxResponseHeaderBytes: number;
  /** Trusted CA certificates replacing Node's defaults (a private CA). */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

/** One POST to a URL the policy validated. */
export interface PinnedPostRequest {
  readonly target: ValidatedPushUrl;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * A `lookup` that answers only with the validated addresses: the connection can reach nothing
 * the policy did not check, whatever DNS answers by now (no rebinding window).
 */
function pinnedLookup(target: ValidatedPushUrl): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const candidates = target.addresses.filter((entry) => !family || entry.family === family);
    const first = candidates[0];
    if (hostname !== target.hostname || first === undefined) {
      const error = Object.assign(new Error(`no validated address for ${hostname}`), {
        code: 'ENOTFOUND',
      });
      callback(error, '', 0);
      return;
    }
    if (options.all) {
      callback(
        null,
        candidates.map((entry) => ({ address: entry.address, family: entry.family })),
      );
    } else {
      callback(null, first.address, first.family);
    }
  };
}

/**
 * POSTs `body` to the validated target, connecting only to its validated addresses while the
 * `Host` header and TLS server name (SNI, certificate check) stay on the URL's host name.
 * Resolves with the status of a complete 2xx answer; rejects with {@link PushDeliveryError}
 * for anything else. Never follows redirects, never uses a proxy, never reuses a connection.
 */
export function postPinned(
  request: PinnedPostRequest,
  limits: PinnedPostLimits,
): Promise<{ status: number }> {
  const { target } = request;
  const transport = target.secure ? https : http;
  const body = Buffer.from(request.body, 'utf8');
  return new Promise((resolve, reject) => {
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    let clientRequest: http.ClientRequest | undefined;
    const settle = (error: PushDeliveryError | undefined, status = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      if (error) {
        clientRequest?.destroy();
        reject(error);
      } else {
        resolve({ status });
      }
    };
    const totalTimer = setTimeout(
      () =>
        settle(
          new PushDeliveryError('timeout', `no complete answer within ${limits.timeoutMs} ms`),
        ),
      limits.timeoutMs,
    );
    connectTimer = setTimeout(
      () =>
        settle(
          new PushDeliveryError(
            'connect-timeout',
            `not connected within ${limits.connectTimeoutMs} ms`,
          ),
        ),
      limits.connectTimeoutMs,
    );
    const options: https.RequestOptions = {
      method: 'POST',
      hostname: target.hostname,
      port: target.port,
      path: `${target.url.pathname}${target.url.search}`,
      headers: { ...request.headers, 'content-length': String(body.length) },
      lookup: pinnedLookup(target),
      // A private agent: no pooled socket (possibly opened to another address) is reused.
      agent: false,
      maxHeaderSize: limits.maxResponseHeaderBytes,
    };
    if (target.secure && limits.ca !== undefined)
      options.ca = limits.ca as string | Buffer | Array<string | Buffer>;
    try {
      clientRequest = transport.request(options);
    } catch (error) {
      settle(
        new PushDeliveryError('connection-failed', (error as Error).message, { cause: error }),
      );
      return;
    }
    clientRequest.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once('connect', () => clearTimeout(connectTimer));
    });
    clientRequest.on('error', (error) =>
      settle(new PushDeliveryError('connection-failed', error.message, { cause: error })),
    );
    clientRequest.on('response', (response) => {
      const status = response.statusCode ?? 0;
      response.on('error', (error) =>
        settle(new PushDeliveryError('connection-failed', error.message, { cause: error })),
      );
      if (status >= 300 && status < 400) {
        settle(
          new PushDeliveryError('redirect', `refused to follow a ${status} redirect`, { status }),
        );
        return;
      }
      if (status < 200 || status >= 300) {
        settle(new PushDeliveryError('http-status', `webhook answered HTTP ${status}`, { status }));
        return;
      }
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limits.maxResponseBytes) {
          settle(
            new PushDeliveryError(
              'response-too-large',
              `response body over ${limits.maxResponseBytes} bytes`,
              {
                status,
              },
            ),
          );
        }
      });
      response.on('end', () => settle(undefined, status));
      response.on('close', () => {
        if (!response.complete) {
          settle(
            new PushDeliveryError('connection-failed', 'the response was cut short', { status }),
          );
        }
      });
    });
    clientRequest.end(body);
  });
}
