import { LuaScript } from '../lua-script.js';

/**
 * PUBLISH routed by KEYS[1] (never read or written): on a Cluster the script runs on the node
 * owning the key's slot, so every message of a channel enters the cluster bus at one node.
 * ARGV: wire channel, message.
 */
export const publishScript = new LuaScript(
  'coordination-publish',
  `return redis.call('PUBLISH', ARGV[1], ARGV[2])`,
);
