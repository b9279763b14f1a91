import { resolveTestBackend } from '@a2a-stores/test-backends';
import { keyAndPlanSuite } from './support/key-and-plan-suite.js';
import { recentReadSuite } from './support/recent-read-suite.js';

keyAndPlanSuite('keys and list plans', async () => (await resolveTestBackend('mysql')).url);
recentReadSuite('list with a short history', async () => (await resolveTestBackend('mysql')).url);
