#!/usr/bin/env node
// Checks the README of every published package against the project's rule that README examples
// are compiled code:
// - an "Install" heading followed by a ```sh block with an install command;
// - at least one ```ts block that is a compiled example: a block is MARKED when the paragraph
//   right before it, or right after it, names `examples/<file>.ts`; a marked block must be
//   identical (up to trailing whitespace) to packages/<pkg>/examples/<file>.ts, which the
//   package's tsconfig includes, so `pnpm typecheck` compiles exactly what the README shows;
//   unmarked ```ts blocks (fragments) are allowed besides;
// - an options section: a heading containing "Options" or "API";
// - a "Guarantees" heading whose section speaks of scope, concurrency, durability and security.
// Usage: node tooling/scripts/check-readme-examples.mjs [package-dir...]
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { publishedPackages } from './lib/published-packages.mjs';

const GUARANTEE_TOPICS = [
  ['scope', /scope/i],
  ['concurrency', /concurren/i],
  ['durability', /durab/i],
  ['security', /secur/i],
];

/** Splits markdown into headings, paragraphs and fenced code blocks, in order. */
export function parseMarkdown(text) {
  const blocks = [];
  const lines = text.split('\n');
  let paragraph = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ type: 'text', text: paragraph.join('\n') });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence) {
      flush();
      const body = [];
      for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
      blocks.push({ type: 'code', lang: fence[1], text: body.join('\n'), line: i - body.length });
    } else if (/^#{1,6} /.test(line)) {
      flush();
      const level = /^#+/.exec(line)[0].length;
      blocks.push({ type: 'heading', level, text: line.slice(level + 1).trim() });
    } else if (line.trim() === '') {
      flush();
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return blocks;
}

const normalizeCode = (code) =>
  code
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();

/** The `examples/<file>.ts` each marked ```ts block of a README names, in order, each once. */
export function markedExamples(readme) {
  const blocks = parseMarkdown(readme);
  const names = blocks.flatMap((_block, i) => {
    const name = exampleNamedAround(blocks, i);
    return name === undefined ? [] : [name];
  });
  return [...new Set(names)];
}

/** The example file a ```ts block is marked as a copy of, or undefined. */
function exampleNamedAround(blocks, i) {
  const block = blocks[i];
  if (block.type !== 'code' || !/^(ts|typescript)$/.test(block.lang)) return undefined;
  return [blocks[i - 1], blocks[i + 1]]
    .filter((b) => b?.type === 'text')
    .map((b) => /`?examples\/([\w./-]+\.ts)`?/.exec(b.text)?.[1])
    .find((name) => name !== undefined);
}

/** The problems of one package README, as sentences; empty when it is right. */
export function readmeProblems(readme, readExample) {
  const blocks = parseMarkdown(readme);
  const problems = [];

  const installAt = blocks.findIndex((b) => b.type === 'heading' && /install/i.test(b.text));
  const installBlock = blocks
    .slice(installAt + 1)
    .find((b) => b.type === 'code' || (b.type === 'heading' && b.level <= 2));
  if (installAt < 0) problems.push('no "Install" section');
  else if (
    installBlock?.type !== 'code' ||
    !/\b(npm (i|install)|pnpm add|yarn add)\b/.test(installBlock.text)
  ) {
    problems.push('the Install section has no code block with an install command');
  }

  let compiled = 0;
  blocks.forEach((block, i) => {
    const named = exampleNamedAround(blocks, i);
    if (named === undefined) return;
    const file = readExample(named);
    if (file === undefined) {
      problems.push(`the ts block at line ${block.line} names examples/${named}, which is missing`);
    } else if (normalizeCode(file) !== normalizeCode(block.text)) {
      problems.push(
        `the ts block at line ${block.line} differs from examples/${named}: copy the file into the README`,
      );
    } else {
      compiled += 1;
    }
  });
  if (compiled === 0) {
    problems.push('no ```ts example marked with the examples/<file>.ts it is a copy of');
  }

  if (!blocks.some((b) => b.type === 'heading' && /\b(options|api)\b/i.test(b.text))) {
    problems.push('no "Options" (or "API") section');
  }

  const guaranteesAt = blocks.findIndex(
    (b) => b.type === 'heading' && /^guarantees\b/i.test(b.text),
  );
  if (guaranteesAt < 0) {
    problems.push('no "Guarantees" section');
  } else {
    const level = blocks[guaranteesAt].level;
    const end = blocks.findIndex(
      (b, i) => i > guaranteesAt && b.type === 'heading' && b.level <= level,
    );
    const section = blocks
      .slice(guaranteesAt + 1, end < 0 ? undefined : end)
      .map((b) => b.text)
      .join('\n');
    for (const [topic, pattern] of GUARANTEE_TOPICS) {
      if (!pattern.test(section)) problems.push(`the Guarantees section says nothing on ${topic}`);
    }
  }
  return { problems, compiled };
}

function main() {
  const only = process.argv.slice(2).map((dir) => resolve(dir));
  const packages = publishedPackages().filter(({ dir }) => only.length === 0 || only.includes(dir));
  let failed = 0;
  for (const { dir, manifest } of packages) {
    const readmePath = join(dir, 'README.md');
    if (!existsSync(readmePath)) {
      failed += 1;
      console.log(`FAIL ${manifest.name}: no README.md`);
      continue;
    }
    const { problems, compiled } = readmeProblems(readFileSync(readmePath, 'utf8'), (name) => {
      const path = join(dir, 'examples', name);
      return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    });
    if (problems.length === 0) {
      console.log(`ok   ${manifest.name}: ${compiled} compiled example(s)`);
    } else {
      failed += 1;
      console.log(`FAIL ${manifest.name} (README.md):`);
      for (const problem of problems) console.log(`     - ${problem}`);
    }
  }
  console.log(`check-readme-examples: ${packages.length - failed}/${packages.length} READMEs pass`);
  process.exit(failed === 0 && packages.length > 0 ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
