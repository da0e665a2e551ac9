// The -status -cluster table, fitted to the terminal (80 columns in a pipe): no borders, a short
// note per row pointing at numbered lines under the table that give the full reasons. chalk is
// loaded only here, and only when colour is wanted.

import type { ClusterView, MemberView } from './cluster-view.js';
import type { ClusterVerdict } from './cluster-verdict.js';

export const PIPE_WIDTH = 80;

interface Column {
  head: string;
  cell: (m: MemberView) => string;
  right?: boolean;
  /** Dropped when no row has a value (PySyncObj reports no mode or digest). */
  optional?: boolean;
}

const num = (v: bigint | null) => (v === null ? '-' : String(v));
const DISPLAY_ROLE: Partial<Record<MemberView['role'], string>> = { unreachable: 'down', 'not a member': 'non-member' };

function columns(digestWidth: number, notes: Map<MemberView, string>): Column[] {
  return [
    { head: 'member', cell: (m) => m.address },
    { head: 'role', cell: (m) => DISPLAY_ROLE[m.role] ?? m.role },
    { head: 'term', cell: (m) => num(m.term), right: true },
    { head: 'commit', cell: (m) => num(m.commit), right: true },
    { head: 'applied', cell: (m) => num(m.applied), right: true },
    { head: 'lag', cell: (m) => num(m.lag), right: true },
    { head: 'link', cell: (m) => (m.connected === null ? '-' : m.connected ? 'yes' : 'no'), optional: true },
    { head: 'mode', cell: (m) => (m.status?.get('drained') === true ? 'drained' : (m.mode ?? '-')), optional: true },
    { head: 'digest', cell: (m) => (m.digest ? m.digest.slice(0, digestWidth) : '-'), optional: true },
    { head: 'note', cell: (m) => notes.get(m) ?? '', optional: true },
  ];
}

/**
 * Wider layouts first; the first that fits is used, else the narrowest with its notes cut. The
 * applied index and digest go first: the verdict already compares them (a DIVERGED note), and
 * -json and a wider terminal still show them.
 */
const LAYOUTS = [
  { gap: 2, digest: 12, drop: [] as string[] },
  { gap: 2, digest: 7, drop: [] as string[] },
  { gap: 2, digest: 0, drop: ['applied', 'digest'] },
  { gap: 1, digest: 0, drop: ['applied', 'digest'] },
];

/** Each member's note: the numbers of its findings, then their short words: `[1,3] no answer, lag 5`. */
function rowNotes(rows: MemberView[], verdict: ClusterVerdict): Map<MemberView, string> {
  const notes = new Map<MemberView, string>();
  for (const m of rows) {
    const mine = verdict.findings.map((f, i) => ({ f, n: i + 1 })).filter(({ f }) => f.member === m.address);
    if (mine.length) notes.set(m, `[${mine.map(({ n }) => n).join(',')}] ${[...new Set(mine.map(({ f }) => f.short))].join(', ')}`);
  }
  return notes;
}

/** Wraps one numbered reason to the width, continuation lines indented under its text. */
function wrapReason(label: string, text: string, width: number): string[] {
  const indent = ' '.repeat(label.length + 1);
  const lines: string[] = [];
  let line = `${label} `;
  for (const word of text.split(' ')) {
    if (line.length + word.length > width && line.trim().length > label.length) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += word + ' ';
  }
  lines.push(line.trimEnd());
  return lines;
}

export async function renderClusterTable(view: ClusterView, verdict: ClusterVerdict, options: { color: boolean; width?: number | undefined }): Promise<string> {
  const width = options.width ?? PIPE_WIDTH;
  const rows = [...view.members, ...view.readOnly, ...view.outsiders];
  const notes = rowNotes(rows, verdict);
  let layout = LAYOUTS[LAYOUTS.length - 1]!;
  let cols: Column[] = [];
  let widths: number[] = [];
  for (const candidate of LAYOUTS) {
    cols = columns(candidate.digest, notes).filter((c) => !candidate.drop.includes(c.head) && (!c.optional || rows.some((m) => !['-', ''].includes(c.cell(m)))));
    widths = cols.map((c) => Math.max(c.head.length, ...rows.map((m) => c.cell(m).length)));
    layout = candidate;
    if (widths.reduce((a, b) => a + b, 0) + candidate.gap * (cols.length - 1) <= width) break;
  }
  const paint = await painter(options.color, view);
  const gap = ' '.repeat(layout.gap);
  const used = widths.slice(0, -1).reduce((a, b) => a + b + layout.gap, 0);
  const lastRoom = Math.max(4, width - used);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const last = i === cells.length - 1;
        if (last) return cell.length > lastRoom ? cell.slice(0, lastRoom - 1) + '…' : cell;
        return cols[i]!.right ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join(gap)
      .trimEnd();
  const out = [paint.head(line(cols.map((c) => c.head)))];
  for (const m of rows) out.push(paint.row(m)(line(cols.map((c) => c.cell(m)))));
  verdict.findings.forEach((f, i) => out.push(...wrapReason(`[${i + 1}]`, f.text, width)));
  return out.join('\n') + '\n';
}

async function painter(color: boolean, view: ClusterView): Promise<{ head: (s: string) => string; row: (m: MemberView) => (s: string) => string }> {
  const plain = (s: string) => s;
  if (!color) return { head: plain, row: () => plain };
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return {
    head: chalk.bold,
    row: (m) => (m.status === null && m.role !== 'read-only') || m.diverged || m.role === 'not a member' ? chalk.red : m === view.leader ? chalk.green.bold : plain,
  };
}
