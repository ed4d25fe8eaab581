// Line plots in SVG: several series of [x, y] points on shared axes, redrawn on each update.

import { el, short } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 560;
const HEIGHT = 180;
const MARGIN = { left: 64, right: 10, top: 10, bottom: 22 };
export const COLORS = ['#2166ac', '#d6604d', '#1b7837', '#762a83', '#e08214', '#4d4d4d',
  '#35978f', '#c51b7d'];

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceTicks(lo, hi, count) {
  const step0 = (hi - lo) / count || 1;
  const magnitude = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= step0);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(t);
  return ticks;
}

/// A plot in `container` (class name `name` for tests and styling). `xLabel(x)` and
/// `yLabel(y)` format the axes' tick labels. set(series) redraws with [{name, points}].
export function linePlot(container, name, xLabel, yLabel) {
  const root = svg('svg', { class: `plot ${name}`, viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    preserveAspectRatio: 'none' });
  const key = el('div', { class: 'series-key' });
  container.append(root, key);

  function set(series) {
    const all = series.flatMap((s) => s.points);
    root.replaceChildren();
    root.dataset.points = String(all.length);
    key.replaceChildren(...series.map((s, i) =>
      el('span', {}, el('i', { style: `background:${COLORS[i % COLORS.length]}` }), s.name)));
    if (all.length === 0) {
      root.append(svg('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle' }, 'no data yet'));
      return;
    }
    const xs = all.map((p) => p[0]);
    const ys = all.map((p) => p[1]);
    let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    const y0 = Math.min(0, ...ys);
    let y1 = Math.max(...ys);
    if (y1 <= y0) y1 = y0 + 1;
    const px = (x) => MARGIN.left + ((x - x0) / (x1 - x0)) * (WIDTH - MARGIN.left - MARGIN.right);
    const py = (y) => HEIGHT - MARGIN.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - MARGIN.top - MARGIN.bottom);
    for (const t of niceTicks(y0, y1, 4)) {
      root.append(svg('line', { class: 'grid-line', x1: MARGIN.left, x2: WIDTH - MARGIN.right,
        y1: py(t), y2: py(t) }));
      root.append(svg('text', { x: MARGIN.left - 4, y: py(t) + 4, 'text-anchor': 'end' }, yLabel(t)));
    }
    for (const t of niceTicks(x0, x1, 5))
      root.append(svg('text', { x: px(t), y: HEIGHT - 6, 'text-anchor': 'middle' }, xLabel(t)));
    root.append(svg('line', { class: 'axis', x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top,
      y2: HEIGHT - MARGIN.bottom }));
    root.append(svg('line', { class: 'axis', x1: MARGIN.left, x2: WIDTH - MARGIN.right,
      y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom }));
    series.forEach((s, i) => {
      const line = svg('polyline', { stroke: COLORS[i % COLORS.length], 'data-series': s.name,
        'data-count': s.points.length, 'data-last': s.points.length ? s.points[s.points.length - 1][1] : '',
        points: s.points.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ') });
      line.append(svg('title', {}, s.name));
      root.append(line);
    });
  }
  set([]);
  return { set };
}
