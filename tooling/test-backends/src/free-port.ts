import { readFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

/** Linux's default source-port range for outgoing connections, when it cannot be read. */
const DEFAULT_EPHEMERAL: readonly [number, number] = [32768, 60999];
/** Lowest port handed to a test server: clear of the well-known and commonly used low ports. */
const LOWEST_SERVER_PORT = 10_000;
/** Below this many candidates, picking at random would collide too often to be worth it. */
const MIN_SERVER_PORTS = 2000;
const MAX_TRIES = 50;

/**
 * The ports a test server should pick from: below the kernel's ephemeral range (text of
 * `/proc/sys/net/ipv4/ip_local_port_range`), or undefined when that leaves too few of them. The
 * OS hands ephemeral ports to every outgoing connection, and a suite makes thousands of those:
 * a server that listens on one (picked by `listen(0)`) can find it taken when it restarts after
 * a kill, by some client's source port, and fail with "address already in use".
 */
export function serverPortRange(
  ephemeralRangeText: string | undefined,
): [number, number] | undefined {
  const parsed = ephemeralRangeText?.trim().split(/\s+/).map(Number);
  const low =
    parsed?.length === 2 && parsed.every(Number.isInteger) ? parsed[0]! : DEFAULT_EPHEMERAL[0];
  const top = Math.min(low - 1, 65_535);
  if (top - LOWEST_SERVER_PORT + 1 < MIN_SERVER_PORTS) return undefined;
  return [LOWEST_SERVER_PORT, top];
}

function ephemeralRangeText(): string | undefined {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return undefined;
  }
}

/** Listens on `port` (0: the OS picks) and closes again; the port it got, or undefined if taken. */
function tryPort(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(undefined);
      else reject(error);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(address && typeof address === 'object' ? address.port : undefined),
      );
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a test server to listen on. Picked at
 * random outside the ephemeral range ({@link serverPortRange}), so neither this process's nor
 * another's outgoing connections take it while the server is down between a kill and a restart;
 * on a system whose ephemeral range leaves no room, the OS picks.
 */
export async function freePort(): Promise<number> {
  const range = serverPortRange(ephemeralRangeText());
  if (range) {
    const [low, high] = range;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const candidate = low + Math.floor(Math.random() * (high - low + 1));
      const port = await tryPort(candidate);
      if (port !== undefined) return port;
    }
  }
  const port = await tryPort(0);
  if (port === undefined) throw new Error('could not pick a free port');
  return port;
}

/** True when something accepts TCP connections on host:port within `timeoutMs`. */
export function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Polls `probe` until it resolves true, or throws after `timeoutMs` with `what` in the message. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 25;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
