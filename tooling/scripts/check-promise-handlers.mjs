#!/usr/bin/env node
// Finds promises that exist without a rejection handler while the code awaits something else:
//   const p = f(); await g(); await p;          // p rejecting during `await g()` is unhandled
//   const calls = [f(), g()]; for (const c of calls) await c;   // same for every later call
//   const all = Promise.all(calls); await other; await all;     // the aggregate has no handler
// Node reports such a rejection as unhandled and vitest fails the whole run, however the test
// ends. Biome's `noFloatingPromises` (enabled in biome.json) catches a promise that is never
// used; it does not see one that is used too late, so this type-aware pass does.
//
// Rule: a variable initialised with a promise (or an array of promises) must be used (awaited,
// passed on, `.then`/`.catch`ed...) before the enclosing function's next `await`. Exempt: a
// `new Promise` whose executor takes no `reject` (a gate that never rejects), and `.catch(...)`,
// `Promise.allSettled(...)` results. Run after `pnpm build` (packages type each other through
// dist); a type it cannot resolve is `any` and is not checked.
//
// Usage: node tooling/scripts/check-promise-handlers.mjs [project folders...]
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function projects() {
  const given = process.argv.slice(2);
  if (given.length > 0) return given.map((dir) => resolve(dir));
  return ['packages', 'examples', 'tooling'].flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter(
        (entry) =>
          entry.isDirectory() && existsSync(join(root, group, entry.name, 'tsconfig.json')),
      )
      .map((entry) => join(root, group, entry.name)),
  );
}

function isPromiseLike(checker, type) {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  if (type.isUnion()) return type.types.some((part) => isPromiseLike(checker, part));
  const then = checker.getPropertyOfType(type, 'then');
  if (!then) return false;
  const thenType = checker.getTypeOfSymbol(then);
  return thenType.getCallSignatures().length > 0;
}

function holdsPromises(checker, type) {
  if (isPromiseLike(checker, type)) return true;
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    return checker.getTypeArguments(type).some((arg) => isPromiseLike(checker, arg));
  }
  return false;
}

/** Initialisers that cannot reject, or already carry their handler. */
function exempt(init) {
  let node = init;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) node = node.expression;
  if (ts.isNewExpression(node) && node.expression.getText() === 'Promise') {
    const executor = node.arguments?.[0];
    return !!executor && ts.isFunctionLike(executor) && executor.parameters.length < 2;
  }
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const method = node.expression.name.text;
    if (method === 'catch') return true;
    if (method === 'then' && node.arguments.length >= 2) return true;
    if (method === 'allSettled' && node.expression.expression.getText() === 'Promise') return true;
  }
  return false;
}

function enclosingFunction(node) {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isFunctionLike(current)) return current;
  }
  return undefined;
}

/** Positions of the awaits that suspend `fn` itself (not those of nested functions). */
function awaitsOf(fn) {
  const found = [];
  const visit = (node) => {
    if (node !== fn && ts.isFunctionLike(node)) return;
    if (ts.isAwaitExpression(node)) found.push(node);
    if (ts.isForOfStatement(node) && node.awaitModifier) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

function firstUseAfter(checker, sourceFile, declaration) {
  const symbol = checker.getSymbolAtLocation(declaration.name);
  let first;
  const visit = (node) => {
    if (
      ts.isIdentifier(node) &&
      node !== declaration.name &&
      node.pos >= declaration.end &&
      checker.getSymbolAtLocation(node) === symbol &&
      (!first || node.pos < first.pos)
    ) {
      first = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return first;
}

const findings = [];
for (const dir of projects()) {
  const configPath = join(dir, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const checker = program.getTypeChecker();
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || !sourceFile.fileName.startsWith(dir)) continue;
    const awaitCache = new Map();
    const visit = (node) => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.initializer &&
        !ts.isAwaitExpression(node.initializer) &&
        !exempt(node.initializer) &&
        holdsPromises(checker, checker.getTypeAtLocation(node.name))
      ) {
        const fn = enclosingFunction(node);
        if (fn) {
          if (!awaitCache.has(fn)) awaitCache.set(fn, awaitsOf(fn));
          const use = firstUseAfter(checker, sourceFile, node);
          const limit = use ? use.pos : Number.POSITIVE_INFINITY;
          const awaits = awaitCache.get(fn);
          const between =
            awaits.find(
              (expr) => expr.pos >= node.end && expr.pos < limit && !isInside(use, expr),
            ) ?? awaitInLoopOver(use, awaits);
          if (between) {
            const at = (n) => sourceFile.getLineAndCharacterOfPosition(n.getStart()).line + 1;
            findings.push(
              `${relative(root, sourceFile.fileName)}:${at(node)}: '${node.name.text}' holds a promise with no handler across the await on line ${at(between)}`,
            );
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
}

/**
 * `for (const p of promises) await p`: the loop is the first use, but each element waits for
 * the ones before it without a handler. The first await in such a loop's body, if any.
 */
function awaitInLoopOver(use, awaits) {
  const loop = use?.parent;
  if (!loop || !ts.isForOfStatement(loop) || loop.expression !== use) return undefined;
  return awaits.find((expr) => expr.pos >= loop.statement.pos && expr.end <= loop.statement.end);
}

/** True when `use` sits inside `expr` (e.g. `await p` itself, or `await Promise.all([p])`). */
function isInside(use, expr) {
  return !!use && use.pos >= expr.pos && use.end <= expr.end;
}

if (findings.length > 0) {
  for (const finding of findings) console.error(finding);
  console.error(
    `\n${findings.length} promise(s) created before their handler: attach it at once (Promise.all, a thunk called when awaited, or .catch).`,
  );
  process.exit(1);
}
console.log('check-promise-handlers: every promise gets its handler before the next await');
