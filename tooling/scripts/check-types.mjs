#!/usr/bin/env node
// are-the-types-wrong over the tarball `pnpm pack` makes of every published package (the bytes
// users install, with workspace: ranges rewritten), with attw's default profile: node10,
// node16 from CJS, node16 from ESM and bundler resolution, which is what our ESM + CJS dual
// builds promise.
//
// One rule is ours: node10 resolution (TypeScript's `moduleResolution: "node"`) does not read
// `exports`, so it can only find a SUBPATH entry point (e.g. `@a2a-stores/core/conformance`)
// through `typesVersions`. A root entry point that fails there, or any other problem, fails the
// check; a subpath that node10 cannot resolve is printed as a warning with the typesVersions
// line that fixes it, because every user of our subpaths (tests under vitest 4) already runs a
// resolver that reads `exports`.
// An entry point whose exports map has an `import` condition and no `require`/`node`/`default`
// one is ESM only by intent: node16-from-CJS finding nothing there is printed as a note.
// Bin-only packages (no typed entry point, e.g. the CLI) are skipped with a line saying so.
// Usage: node tooling/scripts/check-types.mjs [package-dir...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packPackage, publishedPackages, repoRoot } from './lib/published-packages.mjs';

const ATTW = join(repoRoot, 'node_modules', '.bin', 'attw');

/** Splits attw's problems into failures and tolerated node10 subpath gaps. */
export function judgeProblems(problems, manifest) {
  const failures = [];
  const warnings = [];
  const expected = [];
  for (const problem of problems) {
    const subpath = problem.entrypoint !== undefined && problem.entrypoint !== '.';
    if (
      problem.kind === 'NoResolution' &&
      problem.resolutionKind === 'node16-cjs' &&
      subpath &&
      isEsmOnly(manifest, problem.entrypoint)
    ) {
      expected.push(problem);
      continue;
    }
    const node10Gap =
      problem.kind === 'NoResolution' && problem.resolutionKind === 'node10' && subpath;
    const covered = subpath && typesVersionsCovers(manifest, problem.entrypoint);
    if (node10Gap && !covered) warnings.push(problem);
    else failures.push(problem);
  }
  return { failures, warnings, expected };
}

/**
 * An entry point the exports map declares ESM only: an `import` condition and no `require`,
 * `node` or `default` one (e.g. `@a2a-stores/core/conformance`, which imports vitest, which
 * cannot be required). `require` finding nothing there is the intent, not a problem.
 */
export function isEsmOnly(manifest, entrypoint) {
  const entry = manifest.exports?.[entrypoint];
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const conditions = Object.keys(entry);
  return (
    conditions.includes('import') &&
    !conditions.some((condition) => ['require', 'node', 'default'].includes(condition))
  );
}

function typesVersionsCovers(manifest, entrypoint) {
  const key = entrypoint.replace(/^\.\//, '');
  return Object.values(manifest.typesVersions ?? {}).some(
    (map) => map && typeof map === 'object' && key in map,
  );
}

function describe(problem) {
  const where = [problem.entrypoint, problem.resolutionKind].filter(Boolean).join(' / ');
  return `${problem.kind}${where ? ` (${where})` : ''}`;
}

function cjsTypesOf(manifest, entrypoint) {
  const entry = manifest.exports?.[entrypoint];
  return entry?.require?.types ?? entry?.types ?? '<the .d.cts file of that entry>';
}

function attw(tarball) {
  const result = spawnSync(ATTW, [tarball, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  const start = result.stdout.indexOf('{');
  if (start < 0) throw new Error(`attw printed no JSON:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(result.stdout.slice(start));
}

function main() {
  const only = process.argv.slice(2).map((dir) => resolve(dir));
  const packages = publishedPackages().filter(({ dir }) => only.length === 0 || only.includes(dir));
  const destination = mkdtempSync(join(tmpdir(), 'a2a-stores-attw-'));
  let failed = 0;
  try {
    for (const { dir, manifest } of packages) {
      const report = attw(packPackage(dir, destination));
      if (report.analysis?.types === false) {
        if (manifest.exports?.['.'] !== undefined || manifest.types !== undefined) {
          failed += 1;
          console.log(`FAIL ${manifest.name}: declares an entry point but ships no types`);
        } else {
          console.log(`skip ${manifest.name}: no typed entry point (bin only)`);
        }
        continue;
      }
      const problems = Object.values(report.problems ?? report.analysis?.problems ?? {}).flat();
      const { failures, warnings, expected } = judgeProblems(problems, manifest);
      for (const problem of expected) {
        console.log(
          `note ${manifest.name}: ${problem.entrypoint} is ESM only (no require condition)`,
        );
      }
      for (const gap of warnings) {
        const key = gap.entrypoint.replace(/^\.\//, '');
        console.log(
          `warn ${manifest.name}: ${gap.entrypoint} does not resolve under node10 ` +
            `(moduleResolution "node"); fix: "typesVersions": { "*": { "${key}": ["${cjsTypesOf(manifest, gap.entrypoint)}"] } }`,
        );
      }
      if (failures.length === 0) {
        const entries = Object.keys(report.analysis?.entrypoints ?? {}).join(', ');
        console.log(`ok   ${manifest.name}: ${entries}`);
      } else {
        failed += 1;
        console.log(`FAIL ${manifest.name}:`);
        for (const problem of failures) console.log(`     - ${describe(problem)}`);
        console.log(`     (details: pnpm --filter ${manifest.name} exec attw --pack .)`);
      }
    }
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
  console.log(`check-types: ${packages.length - failed}/${packages.length} packages pass attw`);
  process.exit(failed === 0 && packages.length > 0 ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
