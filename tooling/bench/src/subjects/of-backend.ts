import type { BackendName } from '../options.js';
import type { BackendSubjects } from './backend-subjects.js';
import { sdkMemorySubject } from './memory.js';
import { mysqlSubjects } from './mysql-subjects.js';
import { postgresSubjects } from './postgres-subjects.js';
import { redisSubjects } from './redis-subjects.js';
import { sqliteSubjects } from './sqlite-subjects.js';

/** Every subject of one backend, set up on its server (or in memory). */
export async function subjectsOf(backend: BackendName | 'memory'): Promise<BackendSubjects> {
  switch (backend) {
    case 'sqlite':
      return sqliteSubjects();
    case 'postgres':
      return postgresSubjects();
    case 'mysql':
      return mysqlSubjects();
    case 'redis':
      return redisSubjects();
    case 'memory':
      return {
        subjects: [sdkMemorySubject()],
        settings: 'process memory, no durability (reference only)',
      };
  }
}
