import { definePackageConfig } from '@a2a-stores/vitest-config';

export default definePackageConfig();
