// Shared by the package-quality scripts: which workspace packages are published, and how to
// pack one exactly as `pnpm publish` would (workspace: ranges rewritten, `files` applied).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (this file lives in tooling/scripts/lib). */
export const repoRoot = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');

/**
 * Every package under packages/ that is not private, with its parsed package.json. Only
 * packages/ is published: tooling/ and examples/ are private by design.
 * @param {string} [root]
 * @returns {{ dir: string, manifest: Record<string, any> }[]}
 */
export function publishedPackages(root = repoRoot) {
  const base = join(root, 'packages');
  return readdirSync(base)
    .map((name) => join(base, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/**
 * Runs a command and returns its output; throws with the command's stderr when it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/**
 * `pnpm pack` of one package into `destination`; returns the tarball's path.
 * @param {string} dir
 * @param {string} destination
 */
export function packPackage(dir, destination) {
  const out = run('pnpm', ['pack', '--json', '--pack-destination', destination], { cwd: dir });
  // pnpm may print lifecycle output before the JSON document.
  const json = out.slice(out.indexOf('{'));
  return JSON.parse(json).filename;
}

/**
 * The file paths inside a tarball, relative to its `package/` folder.
 * @param {string} tarball
 */
export function tarballFiles(tarball) {
  return run('tar', ['-tzf', tarball])
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''));
}

/**
 * One file's content from a tarball.
 * @param {string} tarball
 * @param {string} path relative to `package/`
 */
export function tarballFile(tarball, path) {
  return run('tar', ['-xzOf', tarball, `package/${path}`]);
}
