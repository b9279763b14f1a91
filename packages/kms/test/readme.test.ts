import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('README', () => {
  it.each(['examples/readme-example.ts', 'examples/rotation-example.ts'])(
    'shows %s exactly as compiled',
    (path) => {
      expect(read('README.md')).toContain('```ts\n' + read(path) + '```\n');
    },
  );
});
