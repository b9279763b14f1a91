import ipaddr from 'ipaddr.js';
import type { PushUrlRejectionReason } from './rejection.js';

/** A parsed IPv4 or IPv6 address (ipaddr.js). */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** What an address is, for the push URL policy. Only `'public'` is reachable by default. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved'
  | 'cloud-metadata';

/**
 * Instance-metadata and platform endpoints of cloud providers. Most sit in ranges refused
 * anyway; they are listed so that no network allowance (`allowedNetworks`) opens them (only an
 * entry naming the single address does), and because some are public addresses (Azure's
 * WireServer).
 */
const CLOUD_METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254', // AWS, GCP, Azure, OCI, OpenStack, DigitalOcean, Hetzner... instance metadata
  '169.254.170.2', // AWS ECS task credentials
  '169.254.170.23', // AWS EKS pod identity
  '169.254.169.253', // AWS VPC DNS resolver
  '169.254.169.123', // AWS time sync
  '169.254.42.42', // Scaleway instance metadata
  '169.254.0.23', // Tencent Cloud instance metadata
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud
  '168.63.129.16', // Azure WireServer (a public address, reachable from every Azure VM)
  'fd00:ec2::254', // AWS instance metadata over IPv6
  'fd00:ec2::23', // AWS EKS pod identity over IPv6
  'fd00:ec2::253', // AWS VPC DNS resolver over IPv6
  'fd00:ec2::123', // AWS time sync over IPv6
  'fd20:ce::254', // GCP metadata server over IPv6
  'fd00:42::42', // Scaleway instance metadata over IPv6
  'fe80::a9fe:a9fe', // OpenStack metadata over IPv6
];

const metadataAddresses = CLOUD_METADATA_ADDRESSES.map((text) => ipaddr.parse(text));

const cidr = (text: string): [IpAddress, number] => ipaddr.parseCIDR(text);
const MAPPED = cidr('::ffff:0:0/96');
const SIIT = cidr('::ffff:0:0:0/96'); // RFC 6145 IPv4-translated
const NAT64 = cidr('64:ff9b::/96'); // RFC 6052 well-known prefix
const COMPATIBLE = cidr('::/96'); // deprecated IPv4-compatible
const SIX_TO_FOUR = cidr('2002::/16');
const GLOBAL_UNICAST = cidr('2000::/3');

/** Every text ipaddr.js's IPv4 parser accepts: one to four dotted decimal, octal or hex parts. */
const IPV4_SPELLING = /^(?:0?\d+|0x[a-f0-9]+)(?:\.(?:0?\d+|0x[a-f0-9]+)){0,3}$/i;
const FOUR_PART_DECIMAL = /^(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*)){3}$/;

/**
 * ipaddr.js's `IPv4.isValid`, in any spelling it accepts. The shape test comes first because
 * `isValid` answers "no" by throwing and catching an error, which costs about 10 µs: every push
 * URL with a host name would pay it twice.
 */
export function isIPv4Spelling(text: string): boolean {
  return IPV4_SPELLING.test(text) && ipaddr.IPv4.isValid(text);
}

/**
 * Parses an address exactly as resolvers and WHATWG URLs print it: dotted-decimal IPv4 with
 * four parts, or IPv6 (zone id allowed). Loose IPv4 spellings (`0x7f.1`, `2130706433`) are
 * refused here because they never come out of a resolver or a normalised URL.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  // ipaddr.js's isValidFourPartDecimal, with the cheap test first (see isIPv4Spelling).
  if (FOUR_PART_DECIMAL.test(text) && ipaddr.IPv4.isValid(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

function ipv4FromWords(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * The IPv4 address an IPv6 address carries, for the forms a network turns back into IPv4
 * traffic: mapped, SIIT-translated, NAT64 (well-known prefix), IPv4-compatible and 6to4.
 */
export function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = address.parts;
  if (address.match(MAPPED) || address.match(SIIT) || address.match(NAT64)) {
    return ipv4FromWords(p[6]!, p[7]!);
  }
  if (address.match(COMPATIBLE) && (p[6] !== 0 || p[7]! > 1)) return ipv4FromWords(p[6]!, p[7]!);
  if (address.match(SIX_TO_FOUR)) return ipv4FromWords(p[1]!, p[2]!);
  return undefined;
}

/** True for the metadata endpoints, including IPv4 ones embedded in IPv6. */
export function isCloudMetadataAddress(address: IpAddress): boolean {
  const candidates: IpAddress[] = [address];
  if (address.kind() === 'ipv6') {
    const inner = embeddedIPv4(address as ipaddr.IPv6);
    if (inner) candidates.push(inner);
  }
  return candidates.some((candidate) =>
    metadataAddresses.some(
      (known) =>
        known.kind() === candidate.kind() &&
        known.toNormalizedString() === candidate.toNormalizedString(),
    ),
  );
}

/**
 * IPv4 link-local: where clouds put their metadata and platform services. Providers add new
 * endpoints there (Scaleway, Tencent...), so the whole range is metadata-class: no network
 * allowance opens any of it.
 */
const IPV4_LINK_LOCAL = cidr('169.254.0.0/16');

/**
 * True for metadata-class addresses: a known metadata endpoint ({@link isCloudMetadataAddress})
 * or any IPv4 link-local address (169.254.0.0/16), also when embedded in IPv6 (mapped, NAT64,
 * 6to4...). The push URL policy opens such an address only for an `allowedNetworks` entry that
 * names that single address, never for a wider network that contains it.
 */
export function isMetadataClassAddress(address: IpAddress): boolean {
  if (isCloudMetadataAddress(address)) return true;
  const inner = address.kind() === 'ipv6' ? embeddedIPv4(address as ipaddr.IPv6) : address;
  return inner !== undefined && inner.kind() === 'ipv4' && inner.match(IPV4_LINK_LOCAL);
}

function classifyIPv4(address: ipaddr.IPv4): AddressClass {
  switch (address.range() as string) {
    case 'unicast':
      return 'public';
    case 'loopback':
      return 'loopback';
    case 'private':
      return 'private';
    case 'linkLocal':
      return 'link-local';
    case 'carrierGradeNat':
      return 'cgnat';
    case 'multicast':
      return 'multicast';
    case 'unspecified':
      return 'unspecified';
    case 'broadcast':
      return 'broadcast';
    default:
      // reserved (incl. documentation, benchmarking, 240/4), as112, amt and any range a
      // newer ipaddr.js adds: not a place to deliver webhooks.
      return 'reserved';
  }
}

function classifyIPv6(address: ipaddr.IPv6): AddressClass {
  // A zone id only means something for scoped (link-local) addresses.
  if (address.zoneId !== undefined && address.zoneId !== '') return 'link-local';
  const inner = embeddedIPv4(address);
  if (inner) {
    const innerClass = classifyIPv4(inner);
    // IPv4-compatible addresses are deprecated (RFC 4291): never deliverable, whatever inside.
    const compatible = address.match(COMPATIBLE);
    return compatible && innerClass === 'public' ? 'reserved' : innerClass;
  }
  switch (address.range() as string) {
    case 'unicast':
      // Outside 2000::/3 nothing is allocated for global unicast today.
      return address.match(GLOBAL_UNICAST) ? 'public' : 'reserved';
    case 'loopback':
      return 'loopback';
    case 'uniqueLocal':
    case 'deprecatedSiteLocal':
      return 'private';
    case 'linkLocal':
      return 'link-local';
    case 'multicast':
      return 'multicast';
    case 'unspecified':
      return 'unspecified';
    default:
      // teredo, NAT64 local-use /48, documentation, benchmarking, ORCHID, discard, AMT, ...
      return 'reserved';
  }
}

/**
 * Classifies an address. IPv6 forms that carry an IPv4 address (mapped `::ffff:127.0.0.1`,
 * compatible `::127.0.0.1`, NAT64 `64:ff9b::a00:1`, 6to4 `2002:a00:1::`) are judged by the
 * IPv4 address inside, since that is where the packets end up.
 *
 * @example
 * ```ts
 * import { classifyAddress, parseIpAddress } from '@a2a-stores/core';
 * classifyAddress(parseIpAddress('::ffff:10.0.0.1')!); // 'private'
 * ```
 */
export function classifyAddress(address: IpAddress): AddressClass {
  if (isCloudMetadataAddress(address)) return 'cloud-metadata';
  return address.kind() === 'ipv4'
    ? classifyIPv4(address as ipaddr.IPv4)
    : classifyIPv6(address as ipaddr.IPv6);
}

const REASON_BY_CLASS: Record<Exclude<AddressClass, 'public'>, PushUrlRejectionReason> = {
  loopback: 'loopback-address',
  private: 'private-address',
  'link-local': 'link-local-address',
  cgnat: 'cgnat-address',
  multicast: 'multicast-address',
  unspecified: 'unspecified-address',
  broadcast: 'broadcast-address',
  reserved: 'reserved-address',
  'cloud-metadata': 'cloud-metadata',
};

/** The rejection reason for an address class other than `'public'`. */
export function rejectionReasonFor(
  addressClass: Exclude<AddressClass, 'public'>,
): PushUrlRejectionReason {
  return REASON_BY_CLASS[addressClass];
}

/** True for a network of one address (`/32` IPv4, `/128` IPv6, or a bare address). */
export function isSingleAddress([network, bits]: [IpAddress, number]): boolean {
  return bits === (network.kind() === 'ipv4' ? 32 : 128);
}

/**
 * Parses a CIDR list (`'10.20.0.0/16'`, `'fd12::/48'`) once, refusing bad entries up front.
 * A bare address is a single-host network.
 */
export function parseNetworks(
  entries: readonly string[],
  what: string,
): Array<[IpAddress, number]> {
  return entries.map((entry) => {
    const text = entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`;
    if (!ipaddr.isValidCIDR(text))
      throw new TypeError(`${what}: ${JSON.stringify(entry)} is not a CIDR network`);
    return ipaddr.parseCIDR(text);
  });
}

/** True when the address (or the IPv4 address it embeds) lies in one of the networks. */
export function inNetworks(
  address: IpAddress,
  networks: ReadonlyArray<[IpAddress, number]>,
): boolean {
  const candidates: IpAddress[] = [address];
  if (address.kind() === 'ipv6') {
    const inner = embeddedIPv4(address as ipaddr.IPv6);
    if (inner) candidates.push(inner);
  }
  return candidates.some((candidate) =>
    networks.some(
      ([network, bits]) => network.kind() === candidate.kind() && candidate.match(network, bits),
    ),
  );
}
