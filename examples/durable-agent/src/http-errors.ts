import type { ErrorRequestHandler, RequestHandler } from 'express';
import { JSONRPC_PATH } from './agent-card.js';
import type { AgentLogger } from './logger.js';

// Fixed texts: Express's own messages echo the request (a path that failed to decode) and its
// default page adds a stack trace with absolute paths outside NODE_ENV=production.
const MESSAGES: Readonly<Record<number, string>> = {
  400: 'Malformed request',
  404: 'Not found',
  413: 'Request body too large',
  415: 'Unsupported content type',
  500: 'Internal error',
};

/** The google.rpc.Status name the SDK's REST transport uses for the same HTTP status. */
const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  413: 'RESOURCE_EXHAUSTED',
  415: 'INVALID_ARGUMENT',
  500: 'INTERNAL',
};

/** The HTTP status an error asks for (`status`/`statusCode` of http-errors), if a client error. */
function clientStatus(error: unknown): number | undefined {
  const candidate =
    (error as { status?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof candidate === 'number' &&
    Number.isInteger(candidate) &&
    candidate >= 400 &&
    candidate < 500
    ? candidate
    : undefined;
}

function send(res: Parameters<RequestHandler>[1], path: string, status: number): void {
  const message = MESSAGES[status] ?? (status < 500 ? 'Bad request' : 'Internal error');
  if (path === JSONRPC_PATH || path.startsWith(`${JSONRPC_PATH}/`)) {
    // JSON-RPC: Invalid Request for anything the client got wrong, Internal error otherwise.
    res.status(status).json({
      jsonrpc: '2.0',
      id: null,
      error: { code: status < 500 ? -32600 : -32603, message },
    });
    return;
  }
  res.status(status).json({
    error: {
      code: status,
      status: STATUS_NAMES[status] ?? (status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL'),
      message,
      details: [],
    },
  });
}

/**
 * The last two handlers of the app: a JSON 404 for unknown routes, and a JSON answer for errors
 * that escape the A2A handlers (a path that fails to decode, an oversized or unreadable body).
 * Without them Express answers with its HTML page, which outside `NODE_ENV=production` carries the
 * stack trace, and logs that stack: the answer here is the same whatever `NODE_ENV` says, and
 * names nothing behind the agent. Client errors are logged at debug level, others as errors by
 * name only.
 */
export function httpErrorHandlers(logger: AgentLogger): [RequestHandler, ErrorRequestHandler] {
  const notFound: RequestHandler = (req, res) => send(res, req.path, 404);
  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const status = clientStatus(error) ?? 500;
    if (status >= 500) {
      logger.error('request failed', { name: (error as Error | null)?.name ?? typeof error });
    } else {
      logger.debug('request refused', { status });
    }
    if (res.headersSent) {
      // Part of an answer is out already; all that is left is to end it.
      res.end();
      return;
    }
    send(res, req.originalUrl.split('?')[0] ?? '', status);
  };
  return [notFound, onError];
}
