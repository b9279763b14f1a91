import { PushUrlRejectedError } from '../errors.js';

/**
 * Why the push URL policy refused a webhook URL: the `policyReason` of the
 * `PushUrlRejectedError` it throws. Stable strings, safe to branch on and to log.
 */
export type PushUrlRejectionReason =
  /** Not a string, or not an absolute URL a WHATWG parser accepts (zone ids included). */
  | 'invalid-url'
  /** A scheme other than https (or http under the development opt-in). */
  | 'scheme-not-allowed'
  /** `http:` without the development opt-in, or to a host that is not loopback. */
  | 'insecure-scheme'
  /** `user:password@` in the URL: secrets belong in `authentication`, never in the URL. */
  | 'credentials-in-url'
  /** A host that is not a valid DNS name or IP address (empty labels, bad punycode...). */
  | 'invalid-host'
  /** An allowlist is configured and the host matches none of its patterns. */
  | 'host-not-allowed'
  /** A name without a dot: resolved through search domains, to whatever the network says. */
  | 'single-label-host'
  /** A special-use or private-network name (`.local`, `.internal`, `.home.arpa`...). */
  | 'special-use-host-name'
  /** A name or address of a cloud instance-metadata service. Never allowed. */
  | 'cloud-metadata'
  | 'loopback-address'
  | 'private-address'
  | 'link-local-address'
  | 'cgnat-address'
  | 'multicast-address'
  | 'unspecified-address'
  | 'broadcast-address'
  /** Reserved, documentation, benchmarking, deprecated or tunnelling ranges. */
  | 'reserved-address'
  /** The name did not resolve (no such host, DNS failure, or the lookup timed out). */
  | 'unresolvable-host';

/**
 * Builds the error the policy throws. `detail` names the host or address, never the path or
 * query of the URL (they may carry secrets).
 */
export function rejectPushUrl(
  reason: PushUrlRejectionReason,
  detail: string,
): PushUrlRejectedError {
  return new PushUrlRejectedError(reason, detail);
}
