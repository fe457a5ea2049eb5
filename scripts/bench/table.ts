/** One measured figure, with its peer measured in the same run and the ratio between them. */
export interface BenchRow {
  group: string;
  name: string;
  figure: number;
  unit: string;
  peer?: { name: string; figure: number };
  /** figure / peer.figure, or as the row defines it (said in `ratioMeans`). */
  ratio?: number;
  ratioMeans?: string;
  goal?: string;
  met?: boolean;
  note?: string;
}

const format = (n: number) =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);

export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = ['| group | benchmark | figure | peer (same run) | ratio | goal | met |', '|---|---|---:|---|---:|---|:-:|'];
  for (const row of rows) {
    const peer = row.peer ? `${row.peer.name}: ${format(row.peer.figure)} ${row.unit}` : '';
    const ratio = row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}${row.ratioMeans ? ` (${row.ratioMeans})` : ''}`;
    const met = row.met === undefined ? '' : row.met ? 'yes' : 'no';
    lines.push(
      `| ${row.group} | ${row.name}${row.note ? ` — ${row.note}` : ''} | ${format(row.figure)} ${row.unit} | ${peer} | ${ratio} | ${row.goal ?? ''} | ${met} |`,
    );
  }
  return lines.join('\n');
}
