// Toasts: short notes in the corner, read out by screen readers (errors
// assertively). Text only, never markup.

function container(): HTMLElement {
  let box = document.querySelector<HTMLElement>('.toasts');
  if (!box) {
    box = document.createElement('div');
    box.className = 'toasts';
    document.body.append(box);
  }
  return box;
}

export function toast(text: string, kind: 'info' | 'ok' | 'error' = 'info', ms = 5000): void {
  const t = document.createElement('div');
  t.className = `toast ${kind}`;
  t.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  t.textContent = text;
  container().append(t);
  setTimeout(() => t.remove(), ms);
}
