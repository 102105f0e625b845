/// <reference types="vite/client" />
// The one entry of every page (client-demo/index.html, served for each path of
// `@shared/web/pages`): it loads the module of the page at this path and only
// that one, since each page module is its own chunk. The page module brings its
// stylesheet and header (pages/page.ts); its title is the list's (`pageTitle`).
import { pageAt, pageTitle } from '@shared/web/pages';

const modules = import.meta.glob(['./pages/*.ts', '!./pages/page.ts', '!./pages/*.spec.ts']);
const page = pageAt(location.pathname);
const load = page ? modules[`./pages/${page}.ts`] : undefined;
if (page) document.title = pageTitle(page);
if (load) void load();
else document.getElementById('main')!.textContent = 'There is no page here.';
