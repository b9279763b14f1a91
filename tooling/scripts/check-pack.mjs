#!/usr/bin/env node
// Packs every published package with `pnpm pack` (what `pnpm publish` uploads) and checks the
// tarball holds exactly what users need:
// - only dist/**, package.json, README.md, CHANGELOG.md, LICENSE (no sources, tests, configs,
//   .tsbuildinfo);
// - every file package.json points at (exports, main, module, types, bin);
// - dist/index.{js,cjs,d.ts,d.cts} for a package with a "." export (a bin-only package such as
//   the CLI needs its bin files instead);
// - no source map whose sources are missing from the tarball and not embedded, and no
//   `sourceMappingURL` comment pointing at a file that is not packed;
// - no relative link in the packed README.md to a file the tarball lacks (npm shows the README
//   of the tarball: a link to ../../README.md or to src/ is dead there); link to the repository
//   with an absolute URL instead.
// Usage: node tooling/scripts/check-pack.mjs [package-dir...]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, resolve } from 'node:path';
import {
  packPackage,
  publishedPackages,
  tarballFile,
  tarballFiles,
} from './lib/published-packages.mjs';

const ALLOWED_TOP_LEVEL = new Set(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']);
const DUAL_ENTRY = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts'];

/** Every file path a manifest points at, relative to the package root. */
export function referencedFiles(manifest) {
  const paths = new Set();
  const add = (value) => {
    if (typeof value === 'string') paths.add(normalize(value).replace(/^\.\//, ''));
  };
  const walk = (node) => {
    if (typeof node === 'string') add(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(manifest.exports);
  for (const field of ['main', 'module', 'types', 'typings']) add(manifest[field]);
  if (typeof manifest.bin === 'string') add(manifest.bin);
  else walk(manifest.bin);
  return [...paths];
}

/** The problems of one tarball, as sentences; empty when it is right. */
export function packProblems(manifest, files, readFile) {
  const problems = [];
  const present = new Set(files);
  for (const file of files) {
    const allowed = file.startsWith('dist/') || ALLOWED_TOP_LEVEL.has(file);
    if (!allowed) problems.push(`packs ${file}, which is outside dist/ and the allowed files`);
    if (file.endsWith('.tsbuildinfo')) problems.push(`packs a TypeScript build cache: ${file}`);
    if (/(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]sx?$/.test(file)) {
      problems.push(`packs a test file: ${file}`);
    }
    if (/\.(ts|tsx|mts|cts)$/.test(file) && !/\.d\.[cm]?ts$/.test(file)) {
      problems.push(`packs TypeScript source: ${file}`);
    }
  }
  for (const target of referencedFiles(manifest)) {
    if (target.includes('*')) {
      problems.push(`package.json uses a pattern export (${target}): list files explicitly`);
    } else if (!present.has(target)) {
      problems.push(`package.json points at ${target}, which is not in the tarball`);
    }
  }
  const exportsRoot =
    typeof manifest.exports === 'string' ||
    (manifest.exports && typeof manifest.exports === 'object' && '.' in manifest.exports);
  if (exportsRoot) {
    for (const entry of DUAL_ENTRY) {
      if (!present.has(entry)) problems.push(`lacks ${entry} (ESM + CJS + both typings)`);
    }
  } else if (manifest.bin === undefined) {
    problems.push('has neither a "." export nor a bin: nothing for users to load');
  }
  for (const file of files) {
    if (file.endsWith('.map')) problems.push(...sourceMapProblems(file, present, readFile(file)));
    if (/\.(c|m)?js$|\.d\.[cm]?ts$/.test(file)) {
      const match = /[#@] sourceMappingURL=(\S+)\s*$/.exec(readFile(file));
      if (match && !match[1].startsWith('data:')) {
        const mapPath = normalize(join(dirname(file), match[1]));
        if (!present.has(mapPath)) {
          problems.push(`${file} names source map ${match[1]}, which is not in the tarball`);
        }
      }
    }
  }
  return problems;
}

/**
 * The relative link targets of a markdown text (`[text](target)`, `![alt](target)`,
 * `<a href="target">`, `[label]: target`), without `#fragment` or `?query`; absolute URLs
 * (any scheme, or `//host`) and in-page anchors are left out.
 */
export function relativeLinks(markdown) {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [
    ...[...withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...withoutCode.matchAll(/<a\s[^>]*href="([^"]+)"/gi)].map((m) => m[1]),
    ...[...withoutCode.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]),
  ];
  return [
    ...new Set(
      targets
        .filter((target) => !/^([a-z][a-z0-9+.-]*:|\/\/|#)/i.test(target))
        .map((target) => decodeURI(target.replace(/[#?].*$/, '')))
        .filter((target) => target !== ''),
    ),
  ];
}

/** The problems of the README's relative links against the packed files. */
export function readmeLinkProblems(readme, files) {
  const present = new Set(files);
  const folders = new Set(files.flatMap((file) => ancestors(file)));
  return relativeLinks(readme).flatMap((target) => {
    const path = normalize(target).replace(/^\.\//, '').replace(/\/$/, '');
    if (path.startsWith('..') || path.startsWith('/')) {
      return [`README.md links to ${target}, outside the package: use an absolute URL`];
    }
    return present.has(path) || folders.has(path)
      ? []
      : [`README.md links to ${target}, which is not in the tarball`];
  });
}

function ancestors(file) {
  const parts = file.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

function sourceMapProblems(file, present, text) {
  let map;
  try {
    map = JSON.parse(text);
  } catch {
    return [`${file} is not valid JSON`];
  }
  const sources = Array.isArray(map.sources) ? map.sources : [];
  const embedded = Array.isArray(map.sourcesContent) ? map.sourcesContent : [];
  const base = dirname(file);
  return sources.flatMap((source, i) => {
    if (typeof embedded[i] === 'string') return [];
    const path = normalize(join(base, map.sourceRoot ?? '', source));
    const inside = !resolve('/pkg', path).startsWith('/pkg/') ? null : path;
    return inside !== null && present.has(inside)
      ? []
      : [`${file} maps to ${source}, which is neither packed nor embedded (sourcesContent)`];
  });
}

function main() {
  const only = process.argv.slice(2).map((dir) => resolve(dir));
  const packages = publishedPackages().filter(({ dir }) => only.length === 0 || only.includes(dir));
  const destination = mkdtempSync(join(tmpdir(), 'a2a-stores-pack-'));
  let failures = 0;
  try {
    for (const { dir, manifest } of packages) {
      const tarball = packPackage(dir, destination);
      const files = tarballFiles(tarball);
      const problems = packProblems(manifest, files, (path) => tarballFile(tarball, path));
      if (files.includes('README.md')) {
        problems.push(...readmeLinkProblems(tarballFile(tarball, 'README.md'), files));
      }
      if (problems.length === 0) {
        console.log(`ok   ${manifest.name}: ${files.length} files`);
      } else {
        failures += 1;
        console.log(`FAIL ${manifest.name}:`);
        for (const problem of problems) console.log(`     - ${problem}`);
      }
    }
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
  if (packages.length === 0) {
    console.log('check-pack: no published package found');
    process.exit(1);
  }
  console.log(`check-pack: ${packages.length - failures}/${packages.length} packages clean`);
  process.exit(failures === 0 ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
