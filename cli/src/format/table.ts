import { Template } from './template.js';

/**
 * Align tab-separated cells like Go's tabwriter as the docker CLI
 * configures it (min width 10, padding 3, spaces). Only tab-terminated
 * cells are aligned; the last cell of a line is printed as is.
 */
export function tabwrite(text: string, minWidth = 10, padding = 3): string {
  const lines = text.split('\n');
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const cells of rows) {
    for (let i = 0; i < cells.length - 1; i++) {
      const w = Math.max(minWidth, [...(cells[i] ?? '')].length + padding);
      widths[i] = Math.max(widths[i] ?? 0, w);
    }
  }
  return rows.map((cells) => cells.map((c, i) => (i < cells.length - 1 ? c + ' '.repeat((widths[i] ?? 0) - [...c].length) : c)).join('')).join('\n');
}

/** How a list command was asked to print (`--format`). */
export type FormatMode =
  | { kind: 'table'; template: string }
  | { kind: 'json' }
  | { kind: 'raw'; template: string };

/**
 * Read a `--format` value: `''`/`table` use `defaultTable`, `table TEMPLATE`
 * a custom table, `json` one JSON object per line, anything else a raw
 * template printed once per item.
 */
export function formatMode(format: string | undefined, defaultTable: string): FormatMode {
  const f = format ?? '';
  if (f === '' || f === 'table') return { kind: 'table', template: defaultTable };
  if (f === 'json') return { kind: 'json' };
  if (f.startsWith('table ')) return { kind: 'table', template: f.slice(6) };
  return { kind: 'raw', template: f };
}

/**
 * Render a list as the docker CLI's formatter does. `items` are the
 * formatting contexts (flat records of display strings); `headers` names
 * the columns for table mode (field -> header, e.g. `ID` -> `CONTAINER ID`).
 * Returns the text with a trailing newline per line (empty for no output).
 */
export function renderList(mode: FormatMode, items: readonly unknown[], headers: Readonly<Record<string, string>>): string {
  if (mode.kind === 'json') return items.map((i) => `${JSON.stringify(i)}\n`).join('');
  const tpl = new Template(mode.template.trim().replace(/\\t/g, '\t').replace(/\\n/g, '\n'));
  const rows = items.map((i) => tpl.execute(i));
  if (mode.kind === 'raw') return rows.map((r) => `${r}\n`).join('');
  const headerCtx = new Proxy({}, {
    get: (_t, key) => {
      if (typeof key !== 'string') return undefined;
      // methods of the contexts (`{{.Label "k"}}`) head their column with the method's name
      if (key === 'Label') return () => 'LABEL';
      return headers[key] ?? key.toUpperCase();
    },
    has: () => true,
  });
  let header = '';
  try {
    header = tpl.execute(headerCtx);
  } catch {
    header = '';
  }
  return `${tabwrite([header, ...rows].join('\n'))}\n`;
}
