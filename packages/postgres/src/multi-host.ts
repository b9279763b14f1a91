import { InvalidInputError } from '@a2a-stores/core';
import pg, { type ClientConfig } from 'pg';

/** Which server of a multi-host connection string a new connection may use (libpq's names). */
export type TargetSessionAttrs = 'any' | 'read-write' | 'primary';

const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = ['any', 'read-write', 'primary'];

export interface MultiHostCandidate {
  readonly host: string;
  readonly port: number;
  readonly connectionString: string;
}

/** A multi-host connection string, taken apart. */
export interface MultiHostTarget {
  /** Each host with the connection string naming only it (user, database, TLS settings kept). */
  readonly hosts: readonly MultiHostCandidate[];
  readonly targetSessionAttrs: TargetSessionAttrs;
  /** The string with only the first host and without `target_session_attrs`, for `pg`. */
  readonly connectionString: string;
}

const URL_PATTERN = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/i;

/**
 * Reads `postgresql://user@h1:p1,h2:p2/db?target_session_attrs=read-write`, which libpq
 * understands and `pg` 8 does not (it rejects the comma as an invalid URL). Undefined for a
 * string with one host and no `target_session_attrs`: `pg` takes that as it is.
 */
export function parseMultiHost(connectionString: string): MultiHostTarget | undefined {
  const match = URL_PATTERN.exec(connectionString);
  if (!match) return undefined;
  const [, scheme, userInfo = '', hostList = '', rest = ''] = match;
  const [beforeQuery = '', query] = splitOnce(rest, '?');
  const params = new URLSearchParams(query ?? '');
  const attrs = params.get('target_session_attrs');
  if (!hostList.includes(',') && attrs === null) return undefined;
  if (attrs !== null && !TARGET_SESSION_ATTRS.includes(attrs as TargetSessionAttrs)) {
    throw new InvalidInputError(
      `target_session_attrs must be one of ${TARGET_SESSION_ATTRS.join(', ')}`,
    );
  }
  params.delete('target_session_attrs');
  const remaining = params.toString();
  const withHost = (entry: string) =>
    `${scheme}${userInfo}${entry}${beforeQuery}${remaining ? `?${remaining}` : ''}`;
  const hosts = hostList.split(',').map((entry) => ({
    ...parseHost(entry),
    connectionString: withHost(entry),
  }));
  return {
    hosts,
    targetSessionAttrs: (attrs as TargetSessionAttrs | null) ?? 'any',
    connectionString: withHost(hostList.split(',')[0] ?? ''),
  };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function parseHost(entry: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
  const port = match?.[2] === undefined ? 5432 : Number(match[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidInputError('A host in the connection string is not host[:port]');
  }
  const host = match[1].startsWith('[') ? match[1].slice(1, -1) : decodeURIComponent(match[1]);
  return { host, port };
}

/** True when a connected client is a server `attrs` accepts. */
async function acceptable(client: pg.Client, attrs: TargetSessionAttrs): Promise<boolean> {
  if (attrs === 'any') return true;
  const { rows } = await client.query<{ standby: boolean; read_only: string }>(
    "SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS read_only",
  );
  const row = rows[0];
  if (!row) return false;
  return attrs === 'primary' ? !row.standby : !row.standby && row.read_only === 'off';
}

/**
 * A `pg.Client` class for a pool over several hosts: each new connection tries the hosts in
 * turn, starting with the last one that was accepted, and keeps the first that answers and that
 * `attrs` accepts (checked on a short-lived probe connection, even for `any`: a `pg.Client`
 * cannot connect twice, so a host must be known to answer before the real connection goes). When
 * none does, the connection fails, so calls during a failover fail fast rather than land on a
 * standby; the pool's next connection tries again.
 */
export function multiHostClientClass(target: MultiHostTarget): typeof pg.Client {
  let preferred = 0;
  const pick = async (config: ClientConfig): Promise<MultiHostCandidate> => {
    const failures: unknown[] = [];
    // Read once: connections opened together move `preferred` while this one is probing, and
    // a moving start could visit one host twice and never the other.
    const start = preferred;
    for (let i = 0; i < target.hosts.length; i++) {
      const index = (start + i) % target.hosts.length;
      const candidate = target.hosts[index];
      if (!candidate) continue;
      // The candidate's string wins over the pool's, as the pool's own string would.
      const probe = new pg.Client({ ...config, connectionString: candidate.connectionString });
      probe.on('error', () => {});
      try {
        await probe.connect();
        if (await acceptable(probe, target.targetSessionAttrs)) {
          preferred = index;
          return candidate;
        }
        failures.push(
          new Error(`${candidate.host}:${candidate.port} is not ${target.targetSessionAttrs}`),
        );
      } catch (error) {
        failures.push(error);
      } finally {
        await probe.end().catch(() => {});
      }
    }
    const last = failures.at(-1);
    // A server-less error message: callers see StoreUnavailableError, never host names.
    throw Object.assign(
      new Error(
        `no server of ${target.hosts.length} accepted target_session_attrs=${target.targetSessionAttrs}`,
      ),
      { code: 'ECONNREFUSED', cause: last },
    );
  };

  return class MultiHostClient extends pg.Client {
    private readonly multiHostConfig: ClientConfig;

    constructor(config?: ClientConfig) {
      super(config);
      this.multiHostConfig = { ...config };
    }

    // pg-pool connects with a callback; keep both forms of pg.Client#connect.
    override connect(): Promise<pg.Client>;
    override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
    override connect(
      callback?: ((err: Error) => void) | ((err: null, c: pg.Client) => void),
    ): Promise<pg.Client> | undefined {
      const connected = pick(this.multiHostConfig).then(({ host, port }) => {
        // Read by pg.Client#connect (and by cancel) when it opens the socket.
        this.host = host;
        this.port = port;
        return super.connect();
      });
      if (!callback) return connected;
      const report = callback as (err: Error | null, c?: pg.Client) => void;
      connected.then(
        (client) => report(null, client),
        (error: Error) => report(error),
      );
      return undefined;
    }
  };
}

/**
 * `pg.Pool` settings for a connection string listing several hosts, for a pool you create and
 * own: `new pg.Pool({ ...multiHostPoolConfig(url), max: 20 })`. Each new connection goes to the
 * first host that `target_session_attrs` accepts (`read-write`: the primary), so after a
 * failover the pool reconnects to the promoted standby.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createPostgresStores, multiHostPoolConfig } from '@a2a-stores/postgres';
 * const pool = new pg.Pool({
 *   ...multiHostPoolConfig('postgresql://app@db1:5432,db2:5432/agents?target_session_attrs=read-write'),
 *   max: 20,
 * });
 * const stores = createPostgresStores({ pool });
 * ```
 */
export function multiHostPoolConfig(connectionString: string): {
  connectionString: string;
  Client?: typeof pg.Client;
} {
  const target = parseMultiHost(connectionString);
  return target
    ? { connectionString: target.connectionString, Client: multiHostClientClass(target) }
    : { connectionString };
}
