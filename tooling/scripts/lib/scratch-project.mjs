// A brand-new npm project outside the workspace, holding the tarballs `pnpm pack` makes of every
// published package plus the registry packages their README examples import: what a user gets
// after `npm install`. Used by check-installed-examples.mjs.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { packPackage, publishedPackages, repoRoot, run } from './published-packages.mjs';

/**
 * Registry packages the examples (and the TypeScript checks) need, each with the workspace
 * package whose installed copy pins its version: the scratch project installs the versions our
 * tests run with, so a lockfile bump is what moves them, not the registry's latest.
 */
const REGISTRY_PACKAGES = [
  ['@a2a-js/sdk', 'packages/core'],
  ['better-sqlite3', 'packages/sqlite'],
  ['@types/better-sqlite3', 'packages/sqlite'],
  ['pg', 'packages/postgres'],
  ['@types/pg', 'packages/postgres'],
  ['mysql2', 'packages/mysql'],
  ['ioredis', 'packages/redis'],
  ['@aws-sdk/client-kms', 'packages/kms'],
  ['jose', 'packages/passport'],
  ['vitest', 'packages/core'],
  ['fast-check', 'packages/core'],
  ['@types/node', 'packages/core'],
  ['typescript', 'packages/core'],
];

/** The version of `name` installed for the workspace package at `from` (pnpm links it there). */
function pinnedVersion(name, from) {
  return readJson(join(repoRoot, from, 'node_modules', name, 'package.json')).version;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Packs every published package into `dir`; returns `{ name: tarballPath }`. */
export function packAll(dir) {
  const tarballs = {};
  for (const { dir: packageDir, manifest } of publishedPackages()) {
    tarballs[manifest.name] = packPackage(packageDir, dir);
  }
  return tarballs;
}

/**
 * Creates the scratch project in `dir` and installs the tarballs and pinned registry packages
 * with npm (not pnpm: the strictest common case a user has, no workspace, no hoisting tricks).
 * `--prefer-offline` answers from npm's cache when it can, so a second run needs no network;
 * `--ignore-scripts` skips better-sqlite3's download of a prebuilt binary from GitHub (not
 * reachable from CI): the binary the workspace already built for the same version and Node is
 * copied in instead, or compiled by `npm rebuild` when the versions differ.
 */
export function installScratchProject(dir, tarballs) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'a2a-stores-scratch', private: true, version: '0.0.0' }, null, 2)}\n`,
  );
  // No workspace .npmrc applies here; a project-level one keeps npm quiet and fast.
  writeFileSync(join(dir, '.npmrc'), 'audit=false\nfund=false\nupdate-notifier=false\n');
  const specs = [
    ...Object.values(tarballs),
    ...REGISTRY_PACKAGES.map(([name, from]) => `${name}@${pinnedVersion(name, from)}`),
  ];
  run('npm', ['install', '--prefer-offline', '--ignore-scripts', ...specs], {
    cwd: dir,
  });
  installSqliteBinary(dir);
  return specs;
}

function installSqliteBinary(dir) {
  const target = join(dir, 'node_modules', 'better-sqlite3');
  const source = realpathSync(
    join(repoRoot, 'packages', 'sqlite', 'node_modules', 'better-sqlite3'),
  );
  const binary = join('build', 'Release', 'better_sqlite3.node');
  if (
    readJson(join(source, 'package.json')).version ===
      readJson(join(target, 'package.json')).version &&
    existsSync(join(source, binary))
  ) {
    mkdirSync(dirname(join(target, binary)), { recursive: true });
    copyFileSync(join(source, binary), join(target, binary));
  } else {
    run('npm', ['rebuild', 'better-sqlite3'], { cwd: dir });
  }
}
