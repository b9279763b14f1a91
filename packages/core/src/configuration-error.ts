import { StoreError } from './errors.js';

/**
 * What an operator must fix when a store is misconfigured:
 * - `authentication`: the server refused the user or its credentials;
 * - `missing-database`: the database (or Redis database index) the connection names does not exist;
 * - `missing-privilege`: the user may connect but lacks a privilege the stores need;
 * - `tls-required`: the server refuses unencrypted connections.
 */
export type ConfigurationProblem =
  | 'authentication'
  | 'missing-database'
  | 'missing-privilege'
  | 'tls-required';

/** What each problem means, in words an operator can act on. Never quotes the connection. */
const PROBLEM_TEXT: Readonly<Record<ConfigurationProblem, string>> = {
  authentication:
    'authentication failed: the server refused the user name or password (or the authentication method) of the connection',
  'missing-database':
    'the database the connection names does not exist on the server: create it or fix the database in the connection settings',
  'missing-privilege':
    'the database user lacks a privilege the stores need: grant it (see the adapter README) or connect as a user that has it',
  'tls-required':
    'the server requires an encrypted connection: enable TLS in the connection settings',
};

/**
 * The store's configuration is wrong: bad credentials, a database that does not exist, a user
 * without the privileges the stores need, or TLS required by the server. Unlike
 * `StoreUnavailableError` it is not retryable: the same call fails until an operator changes the
 * settings. The message says what is wrong in words and names the engine's code; it never quotes
 * the connection string or a password. The driver's error stays available as `cause`.
 *
 * @example
 * ```ts
 * import { StoreConfigurationError } from '@a2a-stores/core';
 * try { await stores.migrate(); } catch (e) {
 *   if (e instanceof StoreConfigurationError) console.error(e.problem, e.message);
 * }
 * ```
 */
export class StoreConfigurationError extends StoreError {
  /** What is wrong. */
  readonly problem: ConfigurationProblem;
  /**
   * @param engine - the service, e.g. `'PostgreSQL'`.
   * @param problem - what is wrong.
   * @param detail - the engine's code for it, e.g. `'SQLSTATE 28P01'` (no user data).
   */
  constructor(
    engine: string,
    problem: ConfigurationProblem,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('STORE_CONFIGURATION', `${engine}: ${PROBLEM_TEXT[problem]} (${detail})`, options);
    this.problem = problem;
  }
}
