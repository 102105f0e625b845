// What every page does first: the header, and the page's own content
// rendered into <main id="main">.
import { render, type TemplateResult } from 'lit';
import '../components/lc-header';

export function mount(content: TemplateResult): void {
  const main = document.getElementById('main');
  if (!main) throw new Error('the page has no <main id="main">');
  render(content, main);
}

export function setTitle(text: string): void {
  document.title = `${text} · livecart`;
}

/** A form field's text ('' when absent or a file). */
export function field(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
}
