import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLoadOptions } from './options.js';
import { currentLoadAverage, type LoadReport, machineInfo, renderMarkdown } from './report.js';
import { type BackendLoadResult, runBackend } from './run-backend.js';

const defaultOutDir = new URL('../results', import.meta.url).pathname;
const progress = (line: string) => process.stderr.write(`[load] ${line}\n`);

async function main(): Promise<void> {
  const options = parseLoadOptions(process.argv.slice(2), defaultOutDir);
  const startedAt = new Date().toISOString();
  const results: BackendLoadResult[] = [];
  // Sequential: each backend gets the machine (and the agent) to itself.
  for (const backend of options.backends) {
    results.push(await runBackend(backend, options, progress));
  }
  const report: LoadReport = {
    startedAt,
    machine: { ...machineInfo(), loadAverageAtEnd: currentLoadAverage() },
    options,
    backends: results,
    passed: results.every((result) => result.passed),
  };
  const markdown = renderMarkdown(report);
  mkdirSync(options.outDir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  const base = join(options.outDir, `load-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${markdown}\n`);
  writeFileSync(join(options.outDir, 'latest.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  progress(`report: ${base}.md and .json`);
  if (!report.passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[load] failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
