// What every page of the site does first (client-demo/index.html is the one
// shell): the stylesheet, the header, and the page's own content rendered into
// <main id="main">. The simulated provider's page (checkout.ts) is not the
// site's and does none of it.
import { render, type TemplateResult } from 'lit';
import { siteTitle } from '@shared/web/pages';
import '../styles/livecart.css';
import '../components/lc-header';

export interface PageOptions {
  /** The wide layout (the watch page and the studio). */
  wide?: boolean;
  /** A class for <body> that scopes a page's own rules in livecart.css (`watch`: its phone layout). */
  bodyClass?: string;
}

export function mount(content: TemplateResult, { wide = false, bodyClass }: PageOptions = {}): void {
  const main = document.getElementById('main');
  if (!main) throw new Error('the page has no <main id="main">');
  if (bodyClass) document.body.classList.add(bodyClass);
  main.className = wide ? 'page wide' : 'page';
  main.before(document.createElement('lc-header'));
  render(content, main);
}

export function setTitle(text: string): void {
  document.title = siteTitle(text);
}

/** A form field's text ('' when absent or a file). */
export function field(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
}
