// The job graph drawn as a DAG in SVG, left to right: one box per vertex (its chained operators,
// parallelism, busy and backpressured time), edges labelled with their partitioner. Vertices
// are coloured as in Flink's UI: idle blue, busy red, backpressured black, shades in between.

const SVG = 'http://www.w3.org/2000/svg';
const BOX_WIDTH = 240;
const LINE_HEIGHT = 16;
const LAYER_GAP = 110;
const ROW_GAP = 28;
const MAX_CHARS = 34;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function clip(text) {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
}

/// Layer of each vertex: the longest path to it from a vertex without inputs.
function layers(vertices, edges) {
  const layer = new Map(vertices.map((v) => [v.id, 0]));
  for (let round = 0; round < vertices.length; ++round)
    for (const e of edges)
      if (layer.has(e.source) && layer.has(e.target))
        layer.set(e.target, Math.max(layer.get(e.target), layer.get(e.source) + 1));
  return layer;
}

function operatorLines(vertex) {
  return vertex.name.split(' -> ').map((op, i) => clip(i === 0 ? op : `→ ${op}`));
}

/// Positions of every vertex box: {x, y, height} by vertex id, and the drawing's size.
function layout(vertices, edges) {
  const layer = layers(vertices, edges);
  const columns = [];
  for (const v of vertices) {
    const l = layer.get(v.id);
    (columns[l] = columns[l] || []).push(v);
  }
  const boxes = new Map();
  let height = 0;
  columns.forEach((column, l) => {
    let y = 10;
    for (const v of column) {
      const h = (operatorLines(v).length + 3) * LINE_HEIGHT + 12;
      boxes.set(v.id, { x: 10 + l * (BOX_WIDTH + LAYER_GAP), y, height: h });
      y += h + ROW_GAP;
    }
    height = Math.max(height, y);
  });
  // Centre each column vertically against the tallest one.
  columns.forEach((column) => {
    const last = boxes.get(column[column.length - 1].id);
    const shift = (height - (last.y + last.height + ROW_GAP)) / 2;
    for (const v of column) boxes.get(v.id).y += shift;
  });
  return { boxes, width: 20 + columns.length * (BOX_WIDTH + LAYER_GAP) - LAYER_GAP, height };
}

const IDLE = [165, 205, 236];
const BUSY = [214, 64, 52];
const BACKPRESSURED = [36, 36, 36];

/// Flink's colouring: busy and backpressured fractions (0..1) mixed with the idle rest.
export function vertexColor(busy, backpressured) {
  const b = Math.min(Math.max(busy || 0, 0), 1);
  const p = Math.min(Math.max(backpressured || 0, 0), 1 - b);
  const idle = 1 - b - p;
  const rgb = IDLE.map((c, i) => Math.round(c * idle + BUSY[i] * b + BACKPRESSURED[i] * p));
  const light = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255 > 0.55;
  return { fill: `rgb(${rgb.join(',')})`, text: light ? '#10202f' : '#ffffff' };
}

function percent(ratio) {
  return ratio === undefined || ratio === null ? '–' : `${Math.round(ratio * 100)}%`;
}

/// Draws the graph into `container` (replacing its content). `vertices`: [{id, name,
/// parallelism}]; `edges`: [{source, target, partitioner}]. `onSelect(id)` on a click.
/// Returns {update(load), select(id)}: `load` maps a vertex id to {busy, backpressured}.
export function drawDag(container, vertices, edges, onSelect) {
  const { boxes, width, height } = layout(vertices, edges);
  const root = svg('svg', { class: 'dag', viewBox: `0 0 ${width} ${height}`,
    style: `max-width: ${width}px` });
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: 'auto' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#7a8794' }));
  const defs = svg('defs');
  defs.append(marker);
  root.append(defs);

  for (const e of edges) {
    const from = boxes.get(e.source);
    const to = boxes.get(e.target);
    if (!from || !to) continue;
    const x1 = from.x + BOX_WIDTH, y1 = from.y + from.height / 2;
    const x2 = to.x, y2 = to.y + to.height / 2;
    const mid = (x1 + x2) / 2;
    const g = svg('g', { class: 'edge', 'data-source': e.source, 'data-target': e.target });
    g.append(svg('path', { d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`,
      'marker-end': 'url(#arrow)' }));
    g.append(svg('text', { x: mid, y: (y1 + y2) / 2 - 6, 'text-anchor': 'middle' }, e.partitioner));
    root.append(g);
  }

  const nodes = new Map();
  for (const v of vertices) {
    const box = boxes.get(v.id);
    const g = svg('g', { class: 'vertex', 'data-vertex-id': v.id, 'data-parallelism': v.parallelism,
      transform: `translate(${box.x},${box.y})` });
    g.append(svg('title', {}, v.name));
    const rect = svg('rect', { width: BOX_WIDTH, height: box.height });
    g.append(rect);
    const texts = [];
    let y = 6 + LINE_HEIGHT;
    for (const line of operatorLines(v)) {
      texts.push(svg('text', { x: 10, y, class: 'operator', 'font-weight': 600 }, line));
      y += LINE_HEIGHT;
    }
    texts.push(svg('text', { x: 10, y, class: 'parallelism' }, `Parallelism: ${v.parallelism}`));
    const busy = svg('text', { x: 10, y: y + LINE_HEIGHT, class: 'busy' });
    const backpressured = svg('text', { x: 10, y: y + 2 * LINE_HEIGHT, class: 'backpressured' });
    texts.push(busy, backpressured);
    g.append(...texts);
    g.addEventListener('click', () => onSelect(v.id));
    root.append(g);
    nodes.set(v.id, { g, rect, texts, busy, backpressured });
  }
  container.replaceChildren(root);

  function update(loadByVertex) {
    for (const [id, node] of nodes) {
      const l = loadByVertex.get(id) || {};
      const color = vertexColor(l.busy, l.backpressured);
      node.rect.setAttribute('fill', color.fill);
      for (const t of node.texts) t.setAttribute('fill', color.text);
      node.busy.textContent = `Busy (max): ${percent(l.busy)}`;
      node.backpressured.textContent = `Backpressured (max): ${percent(l.backpressured)}`;
    }
  }
  function select(id) {
    for (const [vid, node] of nodes) node.g.classList.toggle('selected', vid === id);
  }
  update(new Map());
  return { update, select };
}
