// Confirmation and error dialogs on one <dialog> element ("Warning !!" with OK/CANCEL, the danger variant with
// JUST DO IT/CANCEL, "Error !!" showing the JSON body with its keys, strings and numbers coloured).
import { h } from './dom.js';

const dialog = () => document.getElementById('dialog');

function open(title, body, { danger = false, okLabel = 'OK', cancel = true } = {}) {
  const d = dialog();
  d.classList.toggle('danger', danger);
  document.getElementById('dialog-title').textContent = title;
  document.getElementById('dialog-body').replaceChildren(body);
  const ok = document.getElementById('dialog-ok');
  ok.textContent = okLabel;
  document.getElementById('dialog-cancel').hidden = !cancel;
  d.returnValue = '';
  return new Promise((resolve) => {
    d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true });
    d.showModal();
  });
}

/** Asks before a destructive action; resolves true on OK. */
export function confirmAction(message, { danger = false } = {}) {
  return open(danger ? 'Warning !! (in conflict with HA)' : 'Warning !!', h('pre', { class: 'message' }, message),
    { danger, okLabel: danger ? 'JUST DO IT' : 'OK' });
}

/** Shows a failed call: the pretty JSON body when there is one, else the text. */
export function showError(error) {
  const json = error?.json ?? null;
  const body = json !== null ? prettyJson(json) : h('pre', { class: 'message' }, error?.body || String(error));
  return open('Error !!', body, { danger: true, cancel: false });
}

/** JSON with syntax colours, as the dialog shows it. */
export function prettyJson(value) {
  const text = JSON.stringify(value, null, 4);
  const pre = h('pre', { class: 'json' });
  const token = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    pre.append(text.slice(last, m.index));
    let cls = 'number';
    if (m[1]) cls = m[2] ? 'key' : 'string';
    else if (m[3]) cls = m[3] === 'null' ? 'null' : 'boolean';
    pre.append(h('span', { class: `json-${cls}` }, m[1] ?? m[0]));
    if (m[2]) pre.append(m[2]);
    last = token.lastIndex;
  }
  pre.append(text.slice(last));
  return pre;
}
