import type { Scope } from '@a2a-stores/core';
import { callContext, randomScope, silentLogger } from '@a2a-stores/core/conformance';
import { type RedisClusterInstance, startRedisCluster, waitFor } from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, type RedisStoreBundle } from '../src/index.js';
import { clusterNodes, keySlot, migrateSlot, scopeSplits, slotOwner } from './cluster-topology.js';
import { baseOf, testPrefix } from './helpers.js';
import { WriteLoad } from './write-load.js';

// 3 masters + 3 replicas started by this file; every write waits for one replica (WAIT), the
// durability the README documents for surviving a failover.
const DURABILITY = { replicas: 1, timeoutMs: 1_000 } as const;
let cluster: RedisClusterInstance;
const opened: RedisStoreBundle[] = [];
const anyPort = () => cluster.nodes.find((_, i) => cluster.instances[i] !== victimInstance)!.port;
let victimInstance: unknown;

function open(prefix: string): RedisStoreBundle {
  const stores = createRedisStores(
    { cluster: [...cluster.nodes] },
    { keyPrefix: prefix, waitForReplicas: DURABILITY, logger: silentLogger() },
  );
  opened.push(stores);
  return stores;
}

async function replicasLinked(): Promise<boolean> {
  const nodes = await clusterNodes(anyPort());
  const masters = nodes.filter((n) => n.master && !n.failed);
  return (
    masters.length === 3 &&
    masters.every((m) => nodes.some((r) => r.masterId === m.id && !r.failed && r.connected))
  );
}

beforeAll(async () => {
  cluster = await startRedisCluster(3, { replicasPerMaster: 1, nodeTimeoutMs: 2_000 });
  await waitFor('every master to have a linked replica', replicasLinked, 30_000);
}, 90_000);

afterAll(async () => {
  for (const stores of opened) await stores.close();
  await cluster?.stop();
});

describe('Redis Cluster resharding under load', () => {
  it('moves the slots of busy scopes (ASK/MOVED) without splitting a scope or losing an acknowledged write', async () => {
    const prefix = testPrefix('reshard');
    const stores = open(prefix);
    const scopes: Scope[] = Array.from({ length: 8 }, randomScope);
    const load = new WriteLoad(
      stores,
      scopes.map((scope) => callContext(scope)),
      8,
    );
    await waitFor('200 acknowledged writes', async () => load.acked.length >= 200, 30_000);

    // Move the slots of three of the busy scopes, each to another master, while writes go on.
    const masters = (await clusterNodes(anyPort())).filter((n) => n.master && !n.failed);
    let movedKeys = 0;
    load.markFault();
    for (const scope of scopes.slice(0, 3)) {
      const slot = await keySlot(anyPort(), baseOf(prefix, scope));
      const owner = await slotOwner(anyPort(), slot);
      const target = masters.find((m) => m.id !== owner.id)!;
      movedKeys += await migrateSlot(anyPort(), slot, target);
      expect((await slotOwner(anyPort(), slot)).id).toBe(target.id);
    }
    await waitFor(
      '200 acknowledged writes after the moves',
      async () => load.acknowledgedSinceFault >= 200,
      30_000,
    );
    await load.stop();

    const figures = await load.verify(stores);
    const splits = await scopeSplits(anyPort(), prefix);
    console.info(
      `[cluster reshard] movedKeys=${movedKeys} acknowledged=${figures.acknowledged} found=${figures.found} lost=${figures.lost} errors=${figures.errors} splits=${splits.length}`,
    );
    expect(movedKeys).toBeGreaterThan(0);
    expect(splits).toEqual([]);
    expect(figures.untypedErrors).toEqual([]);
    expect(figures.lost).toBe(0);
  }, 90_000);
});

describe('Redis Cluster master failover under load', () => {
  it('promotes the replica of a SIGKILLed master; the same stores recover and no WAIT-acknowledged write is lost', async () => {
    const prefix = testPrefix('failover');
    const stores = open(prefix);
    // Scopes that all live on one master, the one to be killed: every write waits on it.
    const firstPort = cluster.nodes[0]!.port;
    const probe = randomScope();
    const victim = await slotOwner(firstPort, await keySlot(firstPort, baseOf(prefix, probe)));
    const scopes: Scope[] = [probe];
    while (scopes.length < 6) {
      const scope = randomScope();
      const slot = await keySlot(firstPort, baseOf(prefix, scope));
      if ((await slotOwner(firstPort, slot)).id === victim.id) scopes.push(scope);
    }
    const load = new WriteLoad(
      stores,
      scopes.map((scope) => callContext(scope)),
      6,
    );
    await waitFor('200 acknowledged writes', async () => load.acked.length >= 200, 30_000);

    const index = cluster.nodes.findIndex((node) => node.port === victim.port);
    const instance = cluster.instances[index]!;
    victimInstance = instance;
    const replicaId = (await clusterNodes(firstPort)).find((n) => n.masterId === victim.id)!.id;
    load.markFault();
    const killedAt = Date.now();
    await instance.kill('SIGKILL');
    // Until its replica is promoted the killed node must stay down: it has no persistence, and
    // back early it would still be the master of its slots, empty.
    await waitFor(
      'the replica of the killed master to be promoted',
      async () => {
        const promoted = (await clusterNodes(anyPort())).find((n) => n.id === replicaId);
        return promoted?.master === true && promoted.slots.length > 0;
      },
      30_000,
    );
    const promotedAfter = (Date.now() - killedAt) / 1000;
    // The promoted master has no replica left for WAIT until the old one returns: it rejoins as
    // a replica (the cluster's newer config epoch wins over its nodes.conf).
    await instance.restart();
    victimInstance = undefined;
    await waitFor('the old master to rejoin as a replica', replicasLinked, 30_000);
    await waitFor(
      '200 acknowledged writes after the failover',
      async () => load.acknowledgedSinceFault >= 200,
      30_000,
    );
    await load.stop();

    const figures = await load.verify(stores);
    console.info(
      `[cluster failover] acknowledged=${figures.acknowledged} found=${figures.found} lost=${figures.lost} errors=${figures.errors} promotedAfterS=${promotedAfter} secondsToRecover=${figures.secondsToRecover} slowestFailureMs=${figures.slowestFailureMs}`,
    );
    expect(figures.untypedErrors).toEqual([]);
    expect(figures.errors).toBeGreaterThan(0);
    expect(figures.lost).toBe(0);
    expect(figures.slowestFailureMs).toBeLessThan(10_000);
    expect(await scopeSplits(anyPort(), prefix)).toEqual([]);
  }, 90_000);
});
