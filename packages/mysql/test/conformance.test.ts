import { runStoreConformance } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { mysqlHarness } from './support/mysql-harness.js';

runStoreConformance(
  mysqlHarness(
    'mysql (MariaDB/MySQL from resolveTestBackend)',
    async () => (await resolveTestBackend('mysql')).url,
  ),
);
