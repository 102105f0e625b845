// The parts every data table (`table.data`) of the pages draws the same way.
import { html, type TemplateResult } from 'lit';

/** A column of buttons: its heading is for screen readers only. */
export const ACTIONS = null;

export type Columns = readonly (string | typeof ACTIONS)[];

/** The table's head: one heading per column. */
export function tableHead(columns: Columns): TemplateResult {
  return html`<thead>
    <tr>
      ${columns.map((c) =>
        c === ACTIONS ? html`<th><span class="visually-hidden">Actions</span></th>` : html`<th>${c}</th>`,
      )}
    </tr>
  </thead>`;
}

/** The one row of a table that has none, across every column. */
export function emptyRow(columns: Columns, text: string): TemplateResult {
  return html`<tr>
    <td colspan=${columns.length} class="muted">${text}</td>
  </tr>`;
}
