#!/usr/bin/env node
// Release rehearsal: runs the changesets flow on throwaway copies of the repository and checks
// what it produces, without touching the work tree, git or the registry.
//
// Each scenario copies the work tree (the files git tracks or would track, plus every package's
// built dist/; node_modules is linked, never copied), replaces the pending changesets when the
// scenario brings its own, runs `changeset version`, and checks:
// - every package's new version against the bump the changesets rule gives (lib/release-plan.mjs,
//   written from the docs and .changeset/config.json, not from changesets' code), plus the
//   scenario's own hard expectations (a core patch bumps only core; an adapter-only change bumps
//   only that adapter);
// - every bumped package's CHANGELOG.md: a "## <version>" entry on top, each changeset summary
//   under its "### <Type> Changes", and "Updated dependencies" for a dependency-driven bump;
// - the changeset files are consumed.
// The last scenario (the repository's own pending changesets, i.e. the next real release) then
// runs `pnpm publish --dry-run` for every published package with npm in offline mode and the
// registry set to a closed loopback port, and checks the manifest users would get: no
// `workspace:` range left, internal ranges rewritten to the new versions.
//
// Why not `changeset publish --dry-run` or `pnpm publish -r --dry-run`: changesets has no dry
// run, and `pnpm publish -r` first asks the registry which versions exist (it retries for minutes
// with no registry). A per-package `pnpm publish --dry-run` packs exactly what `changeset
// publish` would upload and needs no network. Usage: node tooling/scripts/release-dry-run.mjs
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { repoRoot, run, tarballFile } from './lib/published-packages.mjs';
import { expectedBumps, nextVersion } from './lib/release-plan.mjs';

const CHANGESET_BIN = join(repoRoot, 'node_modules/@changesets/cli/bin.js');
const WORKSPACE_DIRS = ['packages', 'tooling', 'examples'];
const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
};

/** Every workspace package of a checkout: name, folder, manifest. */
function workspacePackages(root) {
  return WORKSPACE_DIRS.flatMap((group) =>
    existsSync(join(root, group))
      ? readdirSync(join(root, group)).map((name) => join(root, group, name))
      : [],
  )
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { name: manifest.name, dir, manifest };
    });
}

/** A throwaway copy of the work tree, ready for `changeset version` and `pnpm pack`. */
function copyWorkTree() {
  const copy = mkdtempSync(join(tmpdir(), 'a2a-stores-release-'));
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(repoRoot, file)));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(copy, file));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
  const packages = workspacePackages(copy);
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  for (const pkg of packages) {
    const built = join(repoRoot, relative(copy, pkg.dir), 'dist');
    if (pkg.manifest.private !== true) {
      if (!existsSync(built)) throw new Error(`${pkg.name} is not built: run \`pnpm build\` first`);
      cpSync(built, join(pkg.dir, 'dist'), { recursive: true });
    }
    // pnpm rewrites `workspace:` ranges from the linked package's version, so the links must
    // point inside the copy, whose versions `changeset version` changes.
    for (const group of ['dependencies', 'devDependencies', 'peerDependencies']) {
      for (const [dep, spec] of Object.entries(pkg.manifest[group] ?? {})) {
        const target = byName.get(dep);
        if (!String(spec).startsWith('workspace:') || target === undefined) continue;
        const link = join(pkg.dir, 'node_modules', dep);
        if (existsSync(link)) continue;
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(target.dir, link);
      }
    }
  }
  return copy;
}

/** The `releases` of a changeset file's frontmatter. */
function parseChangeset(text) {
  const front = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'));
  if (!front) throw new Error(`not a changeset:\n${text}`);
  const releases = {};
  for (const line of front[1].split('\n')) {
    const match = /^\s*["']?([^"':]+)["']?\s*:\s*(patch|minor|major)\s*$/.exec(line);
    if (match) releases[match[1]] = match[2];
  }
  return { releases, summary: front[2].trim() };
}

function pendingChangesets(copy) {
  const dir = join(copy, '.changeset');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .map((file) => ({ file, ...parseChangeset(readFileSync(join(dir, file), 'utf8')) }));
}

function changelogProblems(pkg, version, type, changesets) {
  const path = join(pkg.dir, 'CHANGELOG.md');
  if (!existsSync(path)) return [`${pkg.name}: no CHANGELOG.md after its bump to ${version}`];
  const text = readFileSync(path, 'utf8');
  const top = /^## (.+)$/m.exec(text)?.[1];
  const problems = [];
  if (top !== version)
    problems.push(`${pkg.name}: CHANGELOG's top entry is ${top}, not ${version}`);
  const entry = text.slice(text.indexOf(`## ${version}`)).split(/\n## /)[0];
  const own = changesets.filter((c) => c.releases[pkg.name] !== undefined);
  for (const changeset of own) {
    const heading = `### ${changeset.releases[pkg.name][0].toUpperCase()}${changeset.releases[pkg.name].slice(1)} Changes`;
    const section = entry.split(heading)[1]?.split('\n### ')[0] ?? '';
    const firstLine = changeset.summary.split('\n')[0];
    if (!section.includes(firstLine)) {
      problems.push(`${pkg.name}: "${firstLine.slice(0, 60)}…" is not under "${heading}"`);
    }
  }
  if (own.length === 0 && !(entry.includes('Updated dependencies') && type === 'patch')) {
    problems.push(`${pkg.name}: a dependency-only bump without "Updated dependencies"`);
  }
  return problems;
}

function closedLoopbackPort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Seconds one `pnpm publish --dry-run` may take (a few, normally) before it counts as stalled. */
const PUBLISH_STALL_SECONDS = 120;
/** coreutils `timeout`: it runs the command in a process group of its own and kills all of it. */
const HAS_TIMEOUT = spawnSync('timeout', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * `pnpm publish --dry-run` of one package; its output. npm (11.19, under pnpm's publish) once
 * stalled here for good after reading its config, before reading the tarball: idle, its one
 * pending request a promisified fs call that never completed (a CI run on this project's
 * machine, 2026-12-07; 1 of 5 runs that day, none before). So each attempt is bounded, and
 * killed with its npm child; a stalled attempt is reported and retried once. A failure that is
 * not a stall, or a second stall, fails the rehearsal as before.
 */
function publishDryRunOf(pkg, registry, env) {
  const args = ['publish', '--dry-run', '--no-git-checks', '--registry', registry];
  if (!HAS_TIMEOUT) return run('pnpm', args, { cwd: pkg.dir, env });
  const bounded = ['--kill-after=10', String(PUBLISH_STALL_SECONDS), 'pnpm', ...args];
  for (let attempt = 1; ; attempt++) {
    const result = spawnSync('timeout', bounded, {
      cwd: pkg.dir,
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw result.error;
    // 124: `timeout` ended it; 137: it had to kill it.
    const stalled = result.status === 124 || result.status === 137;
    if (result.status === 0) return result.stdout;
    if (!stalled || attempt === 2) {
      throw new Error(
        `\`pnpm ${args.join(' ')}\` ${stalled ? `stalled twice (${PUBLISH_STALL_SECONDS} s each)` : `exited ${result.status}`}\n${result.stdout}\n${result.stderr}`,
      );
    }
    console.log(
      `     publish --dry-run ${pkg.name}: stalled for ${PUBLISH_STALL_SECONDS} s, killed; trying once more`,
    );
  }
}

async function publishDryRun(copy, versions) {
  const registry = `http://127.0.0.1:${await closedLoopbackPort()}/`;
  const env = { ...process.env, npm_config_offline: 'true', npm_config_registry: registry };
  const packs = mkdtempSync(join(tmpdir(), 'a2a-stores-release-pack-'));
  try {
    for (const pkg of workspacePackages(copy).filter((p) => p.manifest.private !== true)) {
      const out = publishDryRunOf(pkg, registry, env);
      const published = `+ ${pkg.name}@${pkg.manifest.version}`;
      check(out.includes(published), `publish --dry-run of ${pkg.name} did not print ${published}`);
      const packed = JSON.parse(
        run('pnpm', ['pack', '--json', '--pack-destination', packs], { cwd: pkg.dir }).replace(
          /^[^{]*/,
          '',
        ),
      );
      const manifest = JSON.parse(tarballFile(packed.filename, 'package.json'));
      for (const group of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        for (const [dep, range] of Object.entries(manifest[group] ?? {})) {
          check(!range.startsWith('workspace:'), `${pkg.name} would publish ${dep}@${range}`);
          const source = pkg.manifest[group][dep];
          if (source === 'workspace:^' && versions.has(dep)) {
            const want = `^${versions.get(dep)}`;
            check(range === want, `${pkg.name} would publish ${dep}@${range}, expected ${want}`);
          }
        }
      }
      console.log(`     publish --dry-run ${pkg.name}@${pkg.manifest.version}: ok`);
    }
  } finally {
    rmSync(packs, { recursive: true, force: true });
  }
}

async function scenario({ name, changesets, expect, publish = false }) {
  const copy = copyWorkTree();
  try {
    const changesetDir = join(copy, '.changeset');
    if (changesets !== undefined) {
      for (const { file } of pendingChangesets(copy)) rmSync(join(changesetDir, file));
      changesets.forEach(({ releases, summary }, i) => {
        const front = Object.entries(releases)
          .map(([pkg, type]) => `"${pkg}": ${type}`)
          .join('\n');
        writeFileSync(
          join(changesetDir, `rehearsal-${i}.md`),
          `---\n${front}\n---\n\n${summary}\n`,
        );
      });
    }
    const applied = pendingChangesets(copy);
    const config = JSON.parse(readFileSync(join(changesetDir, 'config.json'), 'utf8'));
    const before = workspacePackages(copy);
    const bumps = expectedBumps(before, applied, config);
    run(process.execPath, [CHANGESET_BIN, 'version'], { cwd: copy });
    const after = new Map(workspacePackages(copy).map((pkg) => [pkg.name, pkg]));

    const bumped = [];
    const versions = new Map();
    for (const pkg of before) {
      const now = after.get(pkg.name);
      const type = bumps.get(pkg.name);
      const want =
        type === undefined ? pkg.manifest.version : nextVersion(pkg.manifest.version, type);
      versions.set(pkg.name, now.manifest.version);
      check(
        now.manifest.version === want,
        `[${name}] ${pkg.name}: ${pkg.manifest.version} → ${now.manifest.version}, expected ${want}`,
      );
      if (type !== undefined) {
        bumped.push(`${pkg.name} ${pkg.manifest.version}→${now.manifest.version} (${type})`);
        for (const problem of changelogProblems(now, want, type, applied)) {
          check(false, `[${name}] ${problem}`);
        }
      } else {
        check(
          !existsSync(join(now.dir, 'CHANGELOG.md')) ||
            readFileSync(join(now.dir, 'CHANGELOG.md'), 'utf8') ===
              readFileSync(join(pkg.dir.replace(copy, repoRoot), 'CHANGELOG.md'), 'utf8'),
          `[${name}] ${pkg.name} was not bumped but its CHANGELOG.md changed`,
        );
      }
    }
    for (const problem of expect(bumps, before)) check(false, `[${name}] ${problem}`);
    check(
      pendingChangesets(copy).length === 0,
      `[${name}] changeset version left changeset files behind`,
    );
    console.log(`ok   ${name}: ${bumped.join(', ') || 'nothing bumped'}`);
    if (publish) await publishDryRun(copy, versions);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const CORE = '@a2a-stores/core';
const ADAPTER = '@a2a-stores/sqlite';
const only =
  (...names) =>
  (bumps) => {
    const got = [...bumps.keys()].sort();
    return got.join() === [...names].sort().join()
      ? []
      : [`expected only ${names.join(', ')} to be bumped, got ${got.join(', ')}`];
  };

await scenario({
  name: 'core patch',
  changesets: [{ releases: { [CORE]: 'patch' }, summary: 'Rehearsal: a core fix.' }],
  // ^0.1.0 (workspace:^) still accepts core's patch: no dependent is released.
  expect: only(CORE),
});
await scenario({
  name: 'core minor',
  changesets: [{ releases: { [CORE]: 'minor' }, summary: 'Rehearsal: a core feature.' }],
  // On 0.x a minor leaves ^0.1.0: every package depending on core gets a patch, nothing else.
  expect: (bumps, packages) =>
    packages
      .filter((p) => p.manifest.private !== true && p.name !== CORE)
      .filter(
        (p) => (p.manifest.dependencies?.[CORE] !== undefined) !== (bumps.get(p.name) === 'patch'),
      )
      .map(
        (p) => `${p.name}: expected a patch only if it depends on core, got ${bumps.get(p.name)}`,
      ),
});
await scenario({
  name: 'adapter only',
  changesets: [{ releases: { [ADAPTER]: 'minor' }, summary: 'Rehearsal: an adapter feature.' }],
  // The CLI's optional peer range (>=0.1.0 <1) accepts it: only the adapter is released.
  expect: only(ADAPTER),
});
await scenario({
  name: 'pending changesets (the next release)',
  changesets: undefined,
  expect: () => [],
  publish: true,
});

if (failures.length > 0) {
  console.log(`release-dry-run: ${failures.length} problem(s)`);
  for (const failure of failures) console.log(`     - ${failure}`);
  process.exit(1);
}
console.log('release-dry-run: changeset version and publish --dry-run behave');
