// Small formatting and DOM helpers shared by the pages.

/// An element: el('td', {class: 'num'}, 'text', child, ...). Attributes starting with "on" are
/// event handlers; null children are skipped.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/// A table with a header row; rows are arrays of cells (strings, numbers or nodes). Numbers are
/// right-aligned.
export function table(headers, rows, attrs = {}) {
  const head = el('tr', {}, headers.map((h) => el('th', {}, h)));
  const body = rows.map((cells) =>
    el('tr', {}, cells.map((c) => el('td', typeof c === 'number' ? { class: 'num' } : {}, c))));
  return el('table', attrs, el('thead', {}, head), el('tbody', {}, body));
}

export function stateBadge(state) {
  return el('span', { class: `state state-${state}` }, state);
}

export function duration(ms) {
  if (ms === undefined || ms === null || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : `${m}m ${s % 60}s`;
}

export function bytes(n) {
  if (n === undefined || n === null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; ++i; }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

export function count(n) {
  if (n === undefined || n === null) return '–';
  return Number(n).toLocaleString('en-US');
}

export function time(ms) {
  if (!ms || ms < 0) return '–';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/// A short number for an axis: 1.2k, 3.4M.
export function short(n) {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return a >= 10 || n === 0 ? String(Math.round(n)) : n.toFixed(1);
}
