import { afterAll } from 'vitest';

/**
 * The table a matrix prints once all its cells ran: one row per cell, in the order the cells are declared (not the
 * order they finished), and a summary line. Rows only report; each cell's own test asserts.
 */
export class MatrixReport {
  readonly #title: string;
  readonly #columns: readonly string[];
  readonly #order: readonly string[];
  readonly #rows = new Map<string, { readonly cells: readonly string[]; readonly ok: boolean }>();

  /** `order`: every cell's name, as declared; a cell that did not report (filtered out, crashed) is left out. */
  constructor(title: string, columns: readonly string[], order: readonly string[]) {
    this.#title = title;
    this.#columns = columns;
    this.#order = order;
  }

  record(name: string, cells: readonly string[], ok: boolean): void {
    this.#rows.set(name, { cells, ok });
  }

  get size(): number {
    return this.#rows.size;
  }

  render(): string {
    const rows = this.#order.flatMap((name) => {
      const row = this.#rows.get(name);
      return row === undefined ? [] : [row];
    });
    const held = rows.filter((row) => row.ok).length;
    const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
    return [
      `${this.#title}: ${rows.length} cells, ${held} hold, ${rows.length - held} do not`,
      line(this.#columns),
      line(this.#columns.map(() => '---')),
      ...rows.map((row) => line(row.cells)),
    ].join('\n');
  }
}

/** A report for the enclosing describe block, printed once its cells have run. */
export function matrixReport(title: string, columns: readonly string[], order: readonly string[]): MatrixReport {
  const report = new MatrixReport(title, columns, order);
  afterAll(() => {
    if (report.size > 0) console.log(report.render());
  });
  return report;
}
