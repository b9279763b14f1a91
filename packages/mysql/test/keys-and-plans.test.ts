import { resolveTestBackend } from '@a2a-stores/test-backends';
import { keyAndPlanSuite } from './support/key-and-plan-suite.js';

keyAndPlanSuite('keys and list plans', async () => (await resolveTestBackend('mysql')).url);
