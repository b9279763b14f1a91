import { Redis } from 'ioredis';

/** One line of CLUSTER NODES. */
export interface ClusterNodeInfo {
  readonly id: string;
  readonly port: number;
  readonly master: boolean;
  readonly failed: boolean;
  /** Id of the master it replicates, for a replica. */
  readonly masterId: string | undefined;
  readonly connected: boolean;
  /** Slot ranges it serves, as [first, last] (masters only; migration markers left out). */
  readonly slots: readonly (readonly [number, number])[];
}

/** A short-lived direct connection to one node (no cluster routing). */
export async function withNode<T>(port: number, work: (node: Redis) => Promise<T>): Promise<T> {
  const node = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, lazyConnect: true });
  node.on('error', () => {});
  try {
    await node.connect();
    return await work(node);
  } finally {
    node.disconnect();
  }
}

/** CLUSTER NODES as seen from the node on `port`. */
export async function clusterNodes(port: number): Promise<ClusterNodeInfo[]> {
  const text = await withNode(port, (node) => node.call('CLUSTER', 'NODES') as Promise<string>);
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, masterId, , , , link, ...slots] = line.split(' ');
      const flagSet = new Set(flags!.split(','));
      return {
        id: id!,
        port: Number(address!.split('@')[0]!.split(':')[1]),
        master: flagSet.has('master'),
        failed: flagSet.has('fail') || flagSet.has('fail?'),
        masterId: masterId === '-' ? undefined : masterId,
        connected: link === 'connected',
        slots: slots
          .filter((range) => !range.startsWith('['))
          .map((range) => {
            const [first, last] = range.split('-').map(Number);
            return [first!, last ?? first!] as const;
          }),
      };
    });
}

/** The live master serving `slot`, per the node on `port`. */
export async function slotOwner(port: number, slot: number): Promise<ClusterNodeInfo> {
  const owner = (await clusterNodes(port)).find(
    (node) => node.master && !node.failed && node.slots.some(([a, b]) => slot >= a && slot <= b),
  );
  if (!owner) throw new Error(`no live master serves slot ${slot}`);
  return owner;
}

/** Hash slot of a key (asks a node: CLUSTER KEYSLOT). */
export function keySlot(port: number, key: string): Promise<number> {
  return withNode(port, async (node) => Number(await node.call('CLUSTER', 'KEYSLOT', key)));
}

/**
 * Moves one slot from its owner to `target` the way `redis-cli --cluster reshard` does:
 * IMPORTING on the target, MIGRATING on the source, MIGRATE the keys in batches, then the new
 * owner announced to every master. Clients meanwhile get ASK (and TRYAGAIN for multi-key
 * commands over a half-moved scope); once done, MOVED.
 */
export async function migrateSlot(
  anyPort: number,
  slot: number,
  target: ClusterNodeInfo,
): Promise<number> {
  const source = await slotOwner(anyPort, slot);
  if (source.id === target.id) return 0;
  await withNode(target.port, (n) => n.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id));
  await withNode(source.port, (n) => n.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id));
  let moved = 0;
  await withNode(source.port, async (node) => {
    for (;;) {
      const keys = (await node.call('CLUSTER', 'GETKEYSINSLOT', slot, 20)) as string[];
      if (keys.length === 0) break;
      await node.call('MIGRATE', '127.0.0.1', target.port, '', 0, 5000, 'KEYS', ...keys);
      moved += keys.length;
    }
  });
  const masters = (await clusterNodes(anyPort)).filter((node) => node.master && !node.failed);
  const ordered = [
    target,
    source,
    ...masters.filter((m) => m.id !== target.id && m.id !== source.id),
  ];
  for (const node of ordered) {
    await withNode(node.port, (n) => n.call('CLUSTER', 'SETSLOT', slot, 'NODE', target.id));
  }
  return moved;
}

/**
 * Every key under `prefix` on every live master, checked: each key is on the master serving its
 * slot, and all keys of one hash tag (one scope) are on one node. Returns the problems found.
 */
export async function scopeSplits(anyPort: number, prefix: string): Promise<string[]> {
  const masters = (await clusterNodes(anyPort)).filter((node) => node.master && !node.failed);
  const problems: string[] = [];
  const tagHome = new Map<string, string>();
  for (const master of masters) {
    await withNode(master.port, async (node) => {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const slot = Number(await node.call('CLUSTER', 'KEYSLOT', key));
          if (!master.slots.some(([a, b]) => slot >= a && slot <= b)) {
            problems.push(`${key} (slot ${slot}) is on ${master.port}, which does not serve it`);
          }
          const tag = /\{([^}]*)\}/.exec(key)?.[1];
          if (tag === undefined) continue;
          const home = tagHome.get(tag);
          if (home === undefined) tagHome.set(tag, master.id);
          else if (home !== master.id) problems.push(`scope {${tag}} is split across nodes`);
        }
      } while (cursor !== '0');
    });
  }
  return problems;
}
