// A job's page: header and actions, the job graph, live plots of throughput and watermark lag
// per vertex, the subtasks of the selected vertex, checkpoints and exceptions. Refreshed every
// second by app.js through refresh().

import { api } from './api.js';
import { el, stateBadge, duration, time, short } from './format.js';
import { drawDag } from './dag.js';
import { linePlot } from './plot.js';
import { jobActions } from './job_actions.js';
import { subtaskTable, checkpointsPanel, exceptionList } from './job_panels.js';

const KEEP_POINTS = 120;
const NO_WATERMARK = -9e15; // Long.MIN_VALUE and the like: no watermark yet

/// The vertices and edges of GET /jobs/{id}/plan ({plan: {nodes}} or {nodes}), named after the
/// vertices of GET /jobs/{id} where they are known.
function jobGraph(planAnswer, job) {
  const names = new Map((job.vertices || []).map((v) => [String(v.id), v.name]));
  const nodes = (planAnswer.plan || planAnswer).nodes || [];
  const vertices = nodes.map((n) => ({ id: String(n.id), parallelism: n.parallelism,
    name: names.get(String(n.id)) || n.description || n.operator || String(n.id) }));
  const edges = nodes.flatMap((n) => (n.inputs || []).map((input) => ({ source: String(input.id),
    target: String(n.id), partitioner: input.ship_strategy || input.exchange || '' })));
  return { vertices, edges, sources: new Set(vertices.filter((v) =>
    !edges.some((e) => e.target === v.id)).map((v) => v.id)) };
}

function panel(title, ...content) {
  return el('section', { class: 'panel' }, el('h2', {}, title), ...content);
}

/// Minimum over the subtasks of GET .../watermarks entries named "<subtask>.<metric>".
function minimumWatermark(entries, metric) {
  const values = (entries || []).filter((e) => String(e.id).endsWith(`.${metric}`))
    .map((e) => Number(e.value)).filter((v) => Number.isFinite(v) && v > NO_WATERMARK);
  return values.length === 0 ? null : Math.min(...values);
}

function append(series, id, point) {
  const points = series.get(id) || [];
  points.push(point);
  if (points.length > KEEP_POINTS) points.shift();
  series.set(id, points);
}

export function jobPage(root, jobId) {
  const title = el('h1', {}, jobId);
  const facts = el('div', { class: 'facts' });
  const message = el('div', { id: 'job-message' });
  const say = (text, isError) => message.replaceChildren(
    el('p', { class: isError ? 'message error' : 'message' }, text));
  const actions = jobActions(jobId, say);
  const dagBox = el('div', { id: 'job-graph' });
  const legend = el('div', { class: 'legend' }, el('span', {}, el('i', { style: 'background:rgb(165,205,236)' }), 'idle'),
    el('span', {}, el('i', { style: 'background:rgb(214,64,52)' }), 'busy'),
    el('span', {}, el('i', { style: 'background:rgb(36,36,36)' }), 'backpressured'));
  const throughputBox = el('div', {});
  const lagBox = el('div', {});
  const subtasksTitle = el('h2', {}, 'Subtasks');
  const subtasksBox = el('div', { id: 'subtasks' });
  const checkpointsBox = el('div', { id: 'checkpoints' });
  const exceptionsBox = el('div', { id: 'exceptions' });
  root.replaceChildren(title, facts, actions.element, message,
    panel('Job graph', dagBox, legend),
    el('div', { class: 'grid' }, panel('Throughput (records/s; in, out for sources)', throughputBox),
      panel('Watermark lag (processing time − lowest watermark)', lagBox)),
    el('section', { class: 'panel' }, subtasksTitle, subtasksBox),
    panel('Checkpoints', checkpointsBox),
    panel('Exceptions', exceptionsBox));

  const seconds = (s) => `${Number(s.toFixed(1))}s`;
  const throughputPlot = linePlot(throughputBox, 'throughput', seconds, short);
  const lagPlot = linePlot(lagBox, 'watermark-lag', seconds, (ms) => duration(ms));
  const updateCheckpoints = checkpointsPanel(checkpointsBox);
  const throughput = new Map();
  const lag = new Map();
  let graph = null;
  let dag = null;
  let selected = null;
  let firstNow = null;

  function select(id) {
    selected = id;
    dag.select(id);
  }

  /// Records per second of each vertex: numRecordsInPerSecond, numRecordsOutPerSecond for
  /// sources (summed over the vertex's subtasks by the API).
  function plotThroughput(job, now) {
    if (job.state !== 'RUNNING') return;
    for (const v of job.vertices || []) {
      const id = String(v.id);
      const rate = (v.metrics || {})[graph.sources.has(id) ? 'numRecordsOutPerSecond'
        : 'numRecordsInPerSecond'];
      if (typeof rate === 'number') append(throughput, id, [(now - firstNow) / 1000, rate]);
    }
    throughputPlot.set(graph.vertices.map((v) => ({ name: v.name, points: throughput.get(v.id) || [] })));
  }

  function plotLag(watermarks, now) {
    graph.vertices.forEach((v, i) => {
      const w = watermarks[i];
      if (!w) return;
      const low = minimumWatermark(w, 'currentInputWatermark') ??
        minimumWatermark(w, 'currentOutputWatermark');
      if (low !== null) append(lag, v.id, [(now - firstNow) / 1000, Math.max(0, now - low)]);
    });
    lagPlot.set(graph.vertices.filter((v) => lag.has(v.id))
      .map((v) => ({ name: v.name, points: lag.get(v.id) })));
  }

  async function refresh() {
    const job = await api.job(jobId);
    const now = job.now || Date.now();
    if (firstNow === null) firstNow = now;
    title.replaceChildren(job.name || jobId, ' ', stateBadge(job.state));
    facts.replaceChildren(
      el('div', {}, el('span', {}, 'Job id '), el('code', {}, job.jid || jobId)),
      el('div', {}, el('span', {}, 'Started '), el('b', {}, time(job['start-time']))),
      el('div', {}, el('span', {}, 'Duration '), el('b', {}, duration(job.duration))));
    actions.update(job.state);
    if (!graph) {
      graph = jobGraph(await api.plan(jobId), job);
      dag = drawDag(dagBox, graph.vertices, graph.edges, select);
      select(graph.vertices.length > 0 ? graph.vertices[0].id : null);
    }
    plotThroughput(job, now);

    // One failed request leaves its part as it was; the others still update. Failures show in
    // the header (app.js) once all is drawn.
    const failures = [];
    const settled = (promise) => promise.catch((e) => { failures.push(e.message); return null; });
    const [load, watermarks, vertex, checkpoints, exceptions] = await Promise.all([
      Promise.all(graph.vertices.map((v) => settled(api.backpressure(jobId, v.id)))),
      Promise.all(graph.vertices.map((v) => settled(api.watermarks(jobId, v.id)))),
      selected === null ? null : settled(api.vertex(jobId, selected)),
      settled(api.checkpoints(jobId)),
      settled(api.exceptions(jobId)),
    ]);
    const max = (answer, field) => (answer && answer.subtasks && answer.subtasks.length > 0
      ? Math.max(...answer.subtasks.map((s) => s[field] || 0)) : undefined);
    dag.update(new Map(graph.vertices.map((v, i) => [v.id,
      { busy: max(load[i], 'busyRatio'), backpressured: max(load[i], 'ratio') }])));
    plotLag(watermarks, now);
    if (vertex) {
      subtasksTitle.textContent = `Subtasks of ${vertex.name || selected}`;
      subtasksBox.replaceChildren(subtaskTable(vertex,
        load[graph.vertices.findIndex((v) => v.id === selected)]));
    }
    if (checkpoints) updateCheckpoints(checkpoints);
    if (exceptions) exceptionsBox.replaceChildren(exceptionList(exceptions));
    if (failures.length > 0) throw new Error(failures.join('; '));
  }
  return { refresh };
}
