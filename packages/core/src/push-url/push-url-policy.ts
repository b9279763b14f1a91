import {
  type AddressClass,
  classifyAddress,
  type IpAddress,
  inNetworks,
  isMetadataClassAddress,
  isSingleAddress,
  parseNetworks,
  rejectionReasonFor,
} from './address-classification.js';
import { compileHostAllowlist, type HostAllowlist } from './host-allowlist.js';
import { classifyHostName } from './host-names.js';
import { type ParsedPushUrl, parsePushUrl } from './parse-push-url.js';
import { rejectPushUrl } from './rejection.js';
import { type PushHostResolver, resolveHostAddresses, systemHostResolver } from './resolve-host.js';

/** Options of {@link createPushUrlPolicy}. Every default is the strict one. */
export interface PushUrlPolicyOptions {
  /**
   * Host patterns webhooks may target: `'hooks.example.com'`, `'*.example.com'` (names under
   * it), or an IP literal. When set, every other host is refused (`host-not-allowed`). Allowed
   * hosts still go through every address check. Default: any host.
   */
  readonly allowlist?: readonly string[];
  /**
   * Networks (CIDR, e.g. `'10.20.0.0/16'`) accepted although not public, for webhooks on an
   * internal network you control. Metadata-class addresses (known cloud metadata endpoints and
   * all of 169.254.0.0/16) stay refused unless an entry names that single address
   * (`'169.254.10.10'` or `'169.254.10.10/32'`): a network containing one never opens it.
   * Default: none.
   */
  readonly allowedNetworks?: readonly string[];
  /**
   * DEVELOPMENT ONLY. Accepts loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`), over
   * `http:` or `https:`, so a webhook receiver on the developer's machine works. `http:` stays
   * refused for every other host. Never turn it on in production: any client could then make
   * the agent POST to services listening on its own machine. Default false.
   */
  readonly allowInsecureLocalhost?: boolean;
  /** Resolves host names (every A and AAAA). Default: the system resolver. */
  readonly resolver?: PushHostResolver;
  /** Bound on one resolution; past it the host counts as unresolvable. Default 5000 ms. */
  readonly resolveTimeoutMs?: number;
}

/** One address a validated URL may be reached at. */
export interface ValidatedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** A push URL the policy accepted, with the addresses it checked: connect to these only. */
export interface ValidatedPushUrl {
  readonly url: URL;
  readonly secure: boolean;
  /** Host for the `Host` header and TLS server name: the name, or the literal address. */
  readonly hostname: string;
  readonly port: number;
  /** Every address the host resolved to, each one checked. Never empty. */
  readonly addresses: readonly ValidatedAddress[];
}

/**
 * A push URL policy. Call it as a `PushUrlCheck` (the `pushUrlCheck` store option): it
 * resolves when the URL is acceptable and throws `PushUrlRejectedError` otherwise. `validate`
 * does the same and also returns the addresses it checked, for a sender to pin.
 */
export interface PushUrlPolicy {
  (url: string): Promise<void>;
  validate(url: string): Promise<ValidatedPushUrl>;
}

const DEFAULT_RESOLVE_TIMEOUT_MS = 5_000;

interface PolicyRules {
  readonly allowlist: HostAllowlist | undefined;
  readonly allowedNetworks: Array<[IpAddress, number]>;
  /** The single-address entries of `allowedNetworks`: the only ones that open metadata-class. */
  readonly allowedAddresses: Array<[IpAddress, number]>;
  readonly allowLoopback: boolean;
  readonly resolver: PushHostResolver;
  readonly resolveTimeoutMs: number;
}

function compileRules(options: PushUrlPolicyOptions): PolicyRules {
  const resolveTimeoutMs = options.resolveTimeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  if (!Number.isFinite(resolveTimeoutMs) || resolveTimeoutMs <= 0) {
    throw new TypeError(
      `resolveTimeoutMs must be a positive number, got ${String(resolveTimeoutMs)}`,
    );
  }
  if (options.resolver !== undefined && typeof options.resolver !== 'function') {
    throw new TypeError('resolver must be a function');
  }
  const allowedNetworks = parseNetworks(options.allowedNetworks ?? [], 'allowedNetworks');
  return {
    allowlist:
      options.allowlist === undefined ? undefined : compileHostAllowlist(options.allowlist),
    allowedNetworks,
    allowedAddresses: allowedNetworks.filter(isSingleAddress),
    allowLoopback: options.allowInsecureLocalhost === true,
    resolver: options.resolver ?? systemHostResolver,
    resolveTimeoutMs,
  };
}

/**
 * Refuses an address unless public, opted-in loopback, or allowed: inside an allowed network,
 * or, for a metadata-class address, named by a single-address entry.
 */
function checkAddress(rules: PolicyRules, address: IpAddress, host: string): AddressClass {
  const addressClass = classifyAddress(address);
  // Metadata-class first: some are public (Azure WireServer), and a network never opens them.
  if (isMetadataClassAddress(address)) {
    if (inNetworks(address, rules.allowedAddresses)) return addressClass;
  } else {
    if (addressClass === 'public') return addressClass;
    if (addressClass === 'loopback' && rules.allowLoopback) return addressClass;
    if (inNetworks(address, rules.allowedNetworks)) return addressClass;
  }
  // A public address is refused only as a listed metadata endpoint, which classifies as
  // 'cloud-metadata' first; the fallback only satisfies the type.
  const refused = addressClass === 'public' ? 'cloud-metadata' : addressClass;
  const shown = address.toString();
  throw rejectPushUrl(
    rejectionReasonFor(refused),
    shown === host
      ? `${shown} is a ${refused} address`
      : `${host} resolves to ${refused} address ${shown}`,
  );
}

async function addressesOf(rules: PolicyRules, parsed: ParsedPushUrl): Promise<IpAddress[]> {
  if (parsed.host.kind === 'ip') return [parsed.host.address];
  const name = parsed.host.name;
  const nameClass = classifyHostName(name);
  if (nameClass === 'loopback') {
    if (!rules.allowLoopback) throw rejectPushUrl('loopback-address', `${name} is a loopback name`);
  } else if (nameClass !== undefined) {
    throw rejectPushUrl(nameClass, `${name} is not a public host name`);
  }
  return resolveHostAddresses(name, rules.resolver, rules.resolveTimeoutMs);
}

async function validateWith(rules: PolicyRules, text: string): Promise<ValidatedPushUrl> {
  const parsed = parsePushUrl(text);
  const shownHost = parsed.host.kind === 'ip' ? parsed.host.address.toString() : parsed.host.name;
  if (!parsed.secure && !rules.allowLoopback) {
    throw rejectPushUrl('insecure-scheme', 'only https webhooks are accepted');
  }
  if (rules.allowlist && !rules.allowlist(parsed.host)) {
    throw rejectPushUrl('host-not-allowed', `${shownHost} is not in the allowlist`);
  }
  const addresses = await addressesOf(rules, parsed);
  const classes = addresses.map((address) => checkAddress(rules, address, shownHost));
  if (!parsed.secure && classes.some((addressClass) => addressClass !== 'loopback')) {
    throw rejectPushUrl(
      'insecure-scheme',
      `http is accepted for loopback hosts only, not ${shownHost}`,
    );
  }
  return {
    url: parsed.url,
    secure: parsed.secure,
    hostname: shownHost,
    port: parsed.port,
    addresses: addresses.map((address) => ({
      address: address.toString(),
      family: address.kind() === 'ipv4' ? 4 : 6,
    })),
  };
}

/**
 * Creates a push URL policy. With no options it is strict: https only; no credentials in the
 * URL; no loopback, private, link-local, CGNAT, multicast, reserved or metadata address, in any
 * spelling; no special-use or single-label names; a name must resolve (within the timeout) and
 * every address it resolves to must pass. An unresolvable name is refused
 * (`unresolvable-host`): the store cannot vouch for a host it cannot see.
 *
 * Core's stores apply a strict policy by default; pass one to change it.
 *
 * @example
 * ```ts
 * import { createMemoryStores, createPushUrlPolicy } from '@a2a-stores/core';
 * const pushUrlPolicy = createPushUrlPolicy({ allowlist: ['*.hooks.example.com'] });
 * const stores = createMemoryStores({ pushUrlCheck: pushUrlPolicy });
 * await pushUrlPolicy('https://a.hooks.example.com/a2a'); // throws PushUrlRejectedError if refused
 * ```
 */
export function createPushUrlPolicy(options: PushUrlPolicyOptions = {}): PushUrlPolicy {
  const rules = compileRules(options);
  const validate = (url: string) => validateWith(rules, url);
  const policy = async (url: string): Promise<void> => {
    await validate(url);
  };
  return Object.assign(policy, { validate });
}
