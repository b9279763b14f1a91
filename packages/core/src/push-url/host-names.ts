import type { PushUrlRejectionReason } from './rejection.js';

/**
 * Names of cloud metadata services. They resolve to refused addresses inside their clouds, but
 * some resolve to public addresses elsewhere (or through a split-horizon resolver), so the name
 * alone is enough to refuse.
 */
const CLOUD_METADATA_NAMES: ReadonlySet<string> = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.packet.net',
  'metadata.platformequinix.com',
]);

/**
 * Suffixes of special-use and private-network names (RFC 6761, RFC 6762, RFC 8375, ICANN's
 * `.internal`, and the customary `.localdomain`): they name hosts inside the agent's network.
 */
const SPECIAL_USE_SUFFIXES: readonly string[] = [
  'local',
  'internal',
  'home.arpa',
  'localdomain',
  'arpa',
];

function isOrUnder(name: string, suffix: string): boolean {
  return name === suffix || name.endsWith(`.${suffix}`);
}

/** `localhost` and every name under it (RFC 6761: they resolve to loopback). */
export function isLocalhostName(name: string): boolean {
  return isOrUnder(name, 'localhost');
}

/**
 * What a normalised host name alone says about it: `'loopback'` for localhost names (allowed
 * only under the development opt-in), a rejection reason, or `undefined` when only its
 * addresses can tell.
 */
export function classifyHostName(name: string): 'loopback' | PushUrlRejectionReason | undefined {
  if (isLocalhostName(name)) return 'loopback';
  if (CLOUD_METADATA_NAMES.has(name)) return 'cloud-metadata';
  if (SPECIAL_USE_SUFFIXES.some((suffix) => isOrUnder(name, suffix)))
    return 'special-use-host-name';
  if (!name.includes('.')) return 'single-label-host';
  return undefined;
}
