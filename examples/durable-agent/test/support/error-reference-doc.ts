import { readFileSync } from 'node:fs';

/** The error reference, read from the repository (docs/ is not published). */
export const ERROR_REFERENCE_PATH = new URL('../../../../docs/errors.md', import.meta.url);

/** The heading of the table that states what a client sees for each error. */
export const WIRE_HEADING = '## What a client sees';

/** One transport's answer as the doc states it. */
export interface StatedAnswer {
  readonly jsonRpc: number;
  readonly restStatus: number;
  readonly restStatusName: string;
  /** The cell says `masked`: the client reads the durable agent's generic message. */
  readonly masked: boolean;
}

/** One row of the wire table. `plain`/`durable` are undefined for a `—` row (never on the wire). */
export interface WireRow {
  /** The first cell without backticks, e.g. `ScopeResolutionError (unauthenticated)`. */
  readonly label: string;
  /** The class the row is about: the first backticked name in the first cell. */
  readonly className: string;
  readonly plain: StatedAnswer | undefined;
  readonly durable: StatedAnswer | undefined;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());
}

function tableRows(lines: readonly string[]): string[][] {
  return lines
    .filter((line) => line.trim().startsWith('|') && !/^\|[\s:|-]+\|$/.test(line.trim()))
    .map(cells);
}

function answer(rpcCell: string, restCell: string, label: string): StatedAnswer {
  const rpc = /^(-\d+)/.exec(rpcCell);
  const rest = /^(\d{3}) ([A-Z_]+)/.exec(restCell);
  if (!rpc || !rest) {
    throw new Error(
      `docs/errors.md: row "${label}" has unreadable cells "${rpcCell}", "${restCell}"`,
    );
  }
  return {
    jsonRpc: Number(rpc[1]),
    restStatus: Number(rest[1]),
    restStatusName: rest[2] as string,
    masked: /masked/.test(rpcCell) && /masked/.test(restCell),
  };
}

/** The doc's text split at its `## ` headings. */
function sections(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] = [];
  found.set('', current);
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      current = [];
      found.set(line.trim(), current);
    } else {
      current.push(line);
    }
  }
  return found;
}

/** What docs/errors.md says: the wire table's rows and the classes its other tables describe. */
export function readErrorReference(): { wire: WireRow[]; described: Set<string> } {
  const text = readFileSync(ERROR_REFERENCE_PATH, 'utf8');
  const bySection = sections(text);
  const wireLines = bySection.get(WIRE_HEADING);
  if (!wireLines) throw new Error(`docs/errors.md has no "${WIRE_HEADING}" section`);
  const wire = tableRows(wireLines)
    .slice(1) // the header row
    .map((row): WireRow => {
      const first = row[0] ?? '';
      const label = first.replaceAll('`', '');
      const className = /`([A-Za-z0-9]+)`/.exec(first)?.[1] ?? '';
      const [, plainRpc = '', plainRest = '', durableRpc = '', durableRest = ''] = row;
      const never = [plainRpc, plainRest, durableRpc, durableRest].every((cell) => cell === '—');
      return {
        label,
        className,
        plain: never ? undefined : answer(plainRpc, plainRest, label),
        durable: never ? undefined : answer(durableRpc, durableRest, label),
      };
    });
  const described = new Set<string>();
  for (const [heading, lines] of bySection) {
    if (heading === WIRE_HEADING) continue;
    for (const row of tableRows(lines)) {
      const name = /^`([A-Za-z0-9]+)`$/.exec(row[0] ?? '')?.[1];
      if (name) described.add(name);
    }
  }
  return { wire, described };
}
