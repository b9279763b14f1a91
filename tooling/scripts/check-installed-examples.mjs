#!/usr/bin/env node
// Every README example, as a user meets it: packs every published package (`pnpm pack`, after
// `pnpm build`), installs the tarballs with npm into a new project in a temp folder (outside the
// workspace: no hoisting, no workspace links), then
// - type-checks each example with `skipLibCheck: false` (so every type our .d.ts files name must
//   be installed) under `module`/`moduleResolution` nodenext (as .mts and as .cts), node16 (ESM:
//   see writeSources) and bundler;
// - runs each one as ESM and as CommonJS (the .mjs/.cjs tsc emitted) against the real services
//   (PostgreSQL, MariaDB/MySQL, Redis on loopback, or the A2A_STORES_*_URL variables), each in
//   a fresh working folder, through a driver that calls its exports (lib/example-runs.mjs);
//   conformance examples run together in one vitest run, on a few groups.
// An example must exit by itself within its time limit: a handle left open is a failure.
// Usage: node tooling/scripts/check-installed-examples.mjs [--keep] [package-dir...]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { markedExamples } from './check-readme-examples.mjs';
import { DONE_MARKER, driverSource, EXAMPLE_RUNS, VITEST_FILTER } from './lib/example-runs.mjs';
import { publishedPackages } from './lib/published-packages.mjs';
import { installScratchProject, packAll } from './lib/scratch-project.mjs';

const RUN_LIMIT_MS = 30_000;
/**
 * How long a process may live on after its example finished: closing sockets takes
 * milliseconds, while a pool or client left open keeps it alive until its idle timeout (10 s for
 * pg's Pool) or forever.
 */
const LINGER_LIMIT_S = 5;
const VITEST_LIMIT_MS = 180_000;
// Generous: on a loaded 2-core machine one skipLibCheck-false program took 147 s.
const TSC_LIMIT_MS = 300_000;
const PARALLEL = 3;

const COMPILER = {
  strict: true,
  skipLibCheck: false,
  target: 'es2022',
  types: ['node'],
};

/** Each README example of the selected packages: `{ id, key, source, spec }`. */
function collectExamples(only) {
  const examples = [];
  const problems = [];
  for (const { dir } of publishedPackages()) {
    if (only.length > 0 && !only.includes(dir)) continue;
    const folder = basename(dir);
    for (const name of markedExamples(readFileSync(join(dir, 'README.md'), 'utf8'))) {
      const key = `${folder}/${name}`;
      const spec = EXAMPLE_RUNS[key];
      if (spec === undefined)
        problems.push(`${key}: no entry in lib/example-runs.mjs says how to run it`);
      else {
        const source = readFileSync(join(dir, 'examples', name), 'utf8');
        examples.push({ id: `${folder}-${name.replace(/\.ts$/, '')}`, key, source, spec });
      }
    }
  }
  return { examples, problems };
}

/**
 * Runs a command; resolves with its exit code (null after a kill), output, duration and, when
 * it printed `doneMarker`, how long it lived on after that (`lingered`, seconds).
 */
function execute(command, args, { cwd, env = {}, limitMs, doneMarker }) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: 'pipe' });
    let output = '';
    let doneAt;
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (doneMarker !== undefined && doneAt === undefined && output.includes(doneMarker)) {
        doneAt = Date.now();
      }
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', (error) => {
      output += String(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const now = Date.now();
      const lingered = doneAt === undefined ? undefined : (now - doneAt) / 1000;
      resolvePromise({ code, timedOut, output, seconds: (now - started) / 1000, lingered });
    });
  });
}

/** Runs `jobs` (functions returning promises) at most `limit` at a time, in order of results. */
async function pool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

function writeSources(project, examples) {
  for (const folder of ['esm', 'cjs', 'bundler'])
    mkdirSync(join(project, 'src', folder), { recursive: true });
  for (const { id, source, spec } of examples) {
    writeFileSync(join(project, 'src', 'esm', `${id}.mts`), source);
    if (!spec.esmOnly) writeFileSync(join(project, 'src', 'cjs', `${id}.cts`), source);
    writeFileSync(join(project, 'src', 'bundler', `${id}.ts`), source);
  }
  const tsconfig = (name, options, include) =>
    writeFileSync(
      join(project, name),
      `${JSON.stringify({ compilerOptions: { ...COMPILER, ...options }, include }, null, 2)}\n`,
    );
  tsconfig(
    'tsconfig.nodenext.json',
    { module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out', rootDir: 'src' },
    ['src/esm', 'src/cjs'],
  );
  // ESM only under node16: there a CommonJS file cannot import an ES module at all, and
  // @a2a-js/sdk 1.3 gives `require` the types of its ESM build, so no CommonJS code can import
  // the SDK under node16 (nodenext, which models Node 22's require(esm), accepts it).
  tsconfig('tsconfig.node16.json', { module: 'node16', moduleResolution: 'node16', noEmit: true }, [
    'src/esm',
  ]);
  tsconfig(
    'tsconfig.bundler.json',
    { module: 'esnext', moduleResolution: 'bundler', noEmit: true },
    ['src/bundler'],
  );
}

/**
 * Splits tsc's diagnostics: ours (in the examples or in any `@a2a-stores/*` file, e.g. a type
 * our .d.ts names that the user would have to install) fail the check; one inside another
 * package's own .d.ts (e.g. ioredis 6.1 naming the untyped `redis-errors`) is that package's
 * to fix and is printed as a note.
 */
export function splitDiagnostics(output) {
  const ours = [];
  const theirs = [];
  for (const line of output.split('\n')) {
    const match = /^(\S+?)\(\d+,\d+\): error TS\d+/.exec(line);
    if (!match) continue;
    const foreign =
      match[1].startsWith('node_modules/') && !match[1].startsWith('node_modules/@a2a-stores/');
    (foreign ? theirs : ours).push(line);
  }
  return { ours, theirs };
}

function compileJobs(project) {
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  return ['nodenext', 'node16', 'bundler'].map((mode) => async () => {
    const result = await execute(process.execPath, [tsc, '-p', `tsconfig.${mode}.json`], {
      cwd: project,
      limitMs: TSC_LIMIT_MS,
    });
    const { ours, theirs } = splitDiagnostics(result.output);
    for (const line of theirs) console.log(`note tsc ${mode}, not in our code: ${line}`);
    // Only a diagnostic of ours (or a tsc that failed without any) fails the check.
    const failed = result.timedOut || ours.length > 0 || (result.code !== 0 && theirs.length === 0);
    return { label: `tsc ${mode} (skipLibCheck false)`, ...result, code: failed ? 1 : 0 };
  });
}

/**
 * One vitest run for every conformance example (vitest's start-up is most of the cost of each):
 * a wrapper test file per example sets that example's environment, then imports it, so two
 * examples reading the same variable (TEST_DATABASE_URL) each get their own value.
 */
function vitestJob(project, examples) {
  const suites = examples.filter(({ spec }) => spec.vitest);
  if (suites.length === 0) return [];
  const folder = join(project, 'vitest');
  mkdirSync(folder, { recursive: true });
  for (const { id, spec } of suites) {
    const setEnv = Object.entries(spec.env ?? {})
      .map(([name, value]) => `process.env[${JSON.stringify(name)}] = ${JSON.stringify(value)};\n`)
      .join('');
    writeFileSync(
      join(folder, `${id}.test.mjs`),
      `${setEnv}await import('../src/esm/${id}.mts');\n`,
    );
  }
  const vitest = join(project, 'node_modules', 'vitest', 'vitest.mjs');
  return [
    async () => ({
      label: `${suites.map(({ id }) => id).join(', ')} (ESM, vitest -t '${VITEST_FILTER}')`,
      ...(await execute(
        process.execPath,
        [vitest, 'run', '--root', project, 'vitest/', '-t', VITEST_FILTER],
        {
          cwd: project,
          limitMs: VITEST_LIMIT_MS,
        },
      )),
    }),
  ];
}

function runJobs(project, examples) {
  const jobs = vitestJob(project, examples);
  for (const { id, spec } of examples) {
    if (spec.vitest) continue;
    for (const format of spec.esmOnly ? ['esm'] : ['esm', 'cjs']) {
      const cwd = join(project, 'work', `${id}-${format}`);
      mkdirSync(cwd, { recursive: true });
      const compiled = join(project, 'out', format, `${id}.${format === 'esm' ? 'mjs' : 'cjs'}`);
      const driver = join(cwd, `driver.${format === 'esm' ? 'mjs' : 'cjs'}`);
      writeFileSync(driver, driverSource(format, compiled, spec.driver));
      jobs.push(async () => ({
        label: `${id} (${format === 'esm' ? 'ESM' : 'CommonJS'})`,
        ...(await execute(process.execPath, [driver], {
          cwd,
          env: spec.env,
          limitMs: RUN_LIMIT_MS,
          doneMarker: DONE_MARKER,
        })),
      }));
    }
  }
  return jobs;
}

function report(result) {
  const lingered = result.lingered !== undefined && result.lingered > LINGER_LIMIT_S;
  const passed = result.code === 0 && !result.timedOut && !lingered;
  const seconds = `${result.seconds.toFixed(1)} s`;
  if (passed) console.log(`ok   ${result.label}: ${seconds}`);
  else {
    const why = result.timedOut
      ? `did not exit within ${seconds} (a handle left open?)`
      : lingered
        ? `stayed alive ${result.lingered.toFixed(1)} s after the example finished: something it opened was never closed (an idle pool, a client)`
        : `exit ${result.code}`;
    console.log(`FAIL ${result.label}: ${why}`);
    console.log(
      result.output
        .trim()
        .split('\n')
        .slice(-30)
        .map((line) => `     ${line}`)
        .join('\n'),
    );
  }
  return passed;
}

async function main() {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const only = args.filter((arg) => arg !== '--keep').map((dir) => resolve(dir));
  const { examples, problems } = collectExamples(only);
  for (const problem of problems) console.log(`FAIL ${problem}`);
  const root = mkdtempSync(join(tmpdir(), 'a2a-stores-examples-'));
  const project = join(root, 'project');
  let failed = problems.length;
  try {
    const started = Date.now();
    const tarballs = packAll(join(root, 'tarballs'));
    installScratchProject(project, tarballs);
    console.log(
      `installed ${Object.keys(tarballs).length} tarballs into ${project} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    writeSources(project, examples);
    for (const result of await pool(compileJobs(project), PARALLEL))
      if (!report(result)) failed += 1;
    if (!existsSync(join(project, 'out')))
      throw new Error('tsc emitted nothing: no example can run');
    for (const result of await pool(runJobs(project, examples), PARALLEL))
      if (!report(result)) failed += 1;
    console.log(
      `check-installed-examples: ${examples.length} examples, ${failed} failure(s), ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    if (keep) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  process.exit(failed === 0 && examples.length > 0 ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
