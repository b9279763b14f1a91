import { lookup } from 'node:dns/promises';
import { type IpAddress, parseIpAddress } from './address-classification.js';
import { rejectPushUrl } from './rejection.js';

/**
 * Resolves a host name to every address it has (A and AAAA). Inject one to control DNS in
 * tests, or to use a resolver other than the system's. An empty answer or a rejection means
 * the name does not resolve.
 */
export type PushHostResolver = (hostname: string) => Promise<readonly string[]>;

/**
 * The system resolver (`getaddrinfo`, like Node's own connections: `/etc/hosts` included), all
 * addresses, in the order the system returns them.
 */
export const systemHostResolver: PushHostResolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
};

/**
 * Resolves `name` within `timeoutMs` and parses every answer. Fails closed: no answer, a
 * resolver error, a timeout or an answer that is not an address are all `unresolvable-host`.
 */
export async function resolveHostAddresses(
  name: string,
  resolver: PushHostResolver,
  timeoutMs: number,
): Promise<IpAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          rejectPushUrl('unresolvable-host', `resolving ${name} took longer than ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    timer.unref?.();
  });
  let answers: readonly string[];
  try {
    answers = await Promise.race([resolver(name), timeout]);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'PUSH_URL_REJECTED') throw error;
    const code = (error as { code?: unknown }).code;
    throw rejectPushUrl(
      'unresolvable-host',
      `${name} does not resolve${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  } finally {
    clearTimeout(timer);
  }
  if (!Array.isArray(answers) || answers.length === 0) {
    throw rejectPushUrl('unresolvable-host', `${name} has no addresses`);
  }
  const seen = new Set<string>();
  const addresses: IpAddress[] = [];
  for (const answer of answers) {
    const address = typeof answer === 'string' ? parseIpAddress(answer) : undefined;
    if (!address)
      throw rejectPushUrl(
        'unresolvable-host',
        `${name} resolved to something that is not an address`,
      );
    const key = `${address.kind()} ${address.toNormalizedString()} ${address.kind() === 'ipv6' ? ((address as { zoneId?: string }).zoneId ?? '') : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    addresses.push(address);
  }
  return addresses;
}
