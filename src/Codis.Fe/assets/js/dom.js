// Small DOM helpers: the UI is built from plain elements, no framework.

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (key === 'value' && 'value' in el) {
      el.value = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: h('td', {class: 'x'}, 'text', otherElement). */
export function h(tag, attrs, ...children) {
  return apply(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return apply(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** A button that runs an action; disabled while it runs so a double click sends one request. */
export function button(label, attrs, action) {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await action();
    } finally {
      b.disabled = attrs?.disabled ?? false;
    }
  });
  return b;
}

/** A labelled input; returns the input (the label wraps it so a narrow screen stacks them). */
export function field(label, attrs) {
  const input = h('input', { type: 'text', ...attrs });
  return { input, el: h('label', { class: 'field' }, h('span', null, label), input) };
}

/** A table with a header row and body rows. */
export function table(headers, rows, attrs) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs,
      h('thead', null, h('tr', null, headers.map((c) => (c instanceof Node ? c : h('th', null, c))))),
      h('tbody', null, rows)));
}

const ICONS = {
  // A wrench (the sync action of a server), drawn for 16x16.
  wrench: 'M11 1.2a3.8 3.8 0 0 0-3.6 5L1.7 11.9a1.5 1.5 0 0 0 2.1 2.1l5.7-5.7a3.8 3.8 0 0 0 5-3.6l-2.2 2.2-2.3-.5-.5-2.3z',
  // A bin (remove an empty group).
  trash: 'M5.5 1.5h5l.5 1.5H14v1.5H2V3h3zM3.5 5.5h9l-.8 9h-7.4zM6 7v6h1V7zm3 0v6h1V7z',
};

/** A small inline icon (no emoji, so every system draws it the same), with a text alternative. */
export function icon(name, label) {
  return s('svg', { viewBox: '0 0 16 16', width: 14, height: 14, class: 'icon', role: 'img', 'aria-label': label },
    s('path', { d: ICONS[name], fill: 'currentColor' }));
}
