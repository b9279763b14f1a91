import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { defineAgentE2e } from './support/agent-e2e.js';

// The default store: a SQLite file, fresh for this run, shared by the agent's restarts.
const directory = mkdtempSync(path.join(tmpdir(), 'durable-agent-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

defineAgentE2e({
  name: 'sqlite (file)',
  packageName: '@a2a-stores/sqlite',
  storeUrl: async () => `sqlite:${path.join(directory, 'agent.db')}`,
});
