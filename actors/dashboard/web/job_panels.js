// The job page's tables: subtasks of a vertex, checkpoint history (with plots of duration and
// size), exceptions. Each takes the REST answer as Flink shapes it.

import { el, table, stateBadge, duration, bytes, count, time } from './format.js';
import { linePlot } from './plot.js';

const ratio = (r) => (r === undefined || r === null ? '–' : `${Math.round(r * 100)}%`);

/// GET /jobs/{id}/vertices/{vid} (subtasks with their metrics) joined by subtask index with
/// GET .../backpressure (busy, idle and backpressured ratios).
export function subtaskTable(vertex, backpressure) {
  const load = new Map(((backpressure && backpressure.subtasks) || []).map((s) => [s.subtask, s]));
  const rows = (vertex.subtasks || []).map((s) => {
    const m = s.metrics || {};
    const l = load.get(s.subtask) || {};
    return [s.subtask, stateBadge(s.status), s['taskmanager-id'] || s.endpoint || s.host || '–',
      count(m['read-records']), count(m['write-records']), bytes(m['read-bytes']),
      bytes(m['write-bytes']), ratio(l.busyRatio), ratio(l.ratio), duration(s.duration)];
  });
  return rows.length === 0 ? el('p', { class: 'empty' }, 'No subtasks.')
    : table(['Subtask', 'Status', 'Task manager', 'Records in', 'Records out', 'Bytes in',
      'Bytes out', 'Busy', 'Backpressured', 'Duration'], rows, { class: 'subtasks-table' });
}

/// The checkpoints panel: counts, the history table and plots of duration and size.
export function checkpointsPanel(container) {
  const counts = el('div', { class: 'facts' });
  const history = el('div', { id: 'checkpoint-history' });
  const plots = el('div', { class: 'grid' });
  const durationBox = el('div', {}, el('h2', {}, 'Duration'));
  const sizeBox = el('div', {}, el('h2', {}, 'Size'));
  plots.append(durationBox, sizeBox);
  container.append(counts, history, plots);
  const id = (c) => `#${Math.round(c)}`;
  const durationPlot = linePlot(durationBox, 'checkpoint-duration', id, (ms) => duration(ms));
  const sizePlot = linePlot(sizeBox, 'checkpoint-size', id, (b) => bytes(b));

  return function update(checkpoints) {
    const c = checkpoints.counts || {};
    counts.replaceChildren(...[['Completed', c.completed], ['In progress', c.in_progress],
      ['Failed', c.failed], ['Restored', c.restored]].map(([label, n]) =>
      el('div', {}, el('span', {}, `${label} `), el('b', {}, count(n || 0)))));
    const restored = checkpoints.latest && checkpoints.latest.restored;
    if (restored)
      counts.append(el('div', {}, el('span', {}, 'Restored from '),
        el('b', {}, restored.external_path || `#${restored.id}`)));
    const entries = [...(checkpoints.history || [])].sort((a, b) => b.id - a.id);
    const size = (h) => h.checkpointed_size ?? h.state_size;
    history.replaceChildren(entries.length === 0 ? el('p', { class: 'empty' }, 'No checkpoints yet.')
      : table(['ID', 'Status', 'Type', 'Triggered', 'Duration', 'State size', 'Alignment',
        'Start delay', 'In-flight data', 'Acknowledged'], entries.map((h) => [
        h.id, stateBadge(h.status), h.is_savepoint ? 'savepoint' : 'checkpoint',
        time(h.trigger_timestamp), duration(h.end_to_end_duration), bytes(size(h)),
        duration(h.alignment_duration), duration(h.start_delay),
        bytes(h.processed_in_flight_data ?? h.processed_data),
        `${h.num_acknowledged_subtasks ?? '–'}/${h.num_subtasks ?? '–'}`]),
      { class: 'checkpoints-table' }));
    const completed = entries.filter((h) => h.status === 'COMPLETED').reverse();
    durationPlot.set([{ name: 'end-to-end duration',
      points: completed.map((h) => [h.id, h.end_to_end_duration || 0]) }]);
    sizePlot.set([{ name: 'checkpointed size', points: completed.map((h) => [h.id, size(h) || 0]) }]);
  };
}

/// GET /jobs/{id}/exceptions: the exception history (newest first), or the root exception.
export function exceptionList(answer) {
  const history = answer.exceptionHistory && answer.exceptionHistory.entries;
  const entries = history && history.length > 0 ? history
    : (answer['all-exceptions'] || []).map((e) => ({ exceptionName: e.exception,
      stacktrace: e.exception, timestamp: e.timestamp, taskName: e.task, location: e.location }));
  if (entries.length === 0 && answer['root-exception'])
    entries.push({ exceptionName: answer['root-exception'], stacktrace: answer['root-exception'],
      timestamp: answer.timestamp });
  if (entries.length === 0) return el('p', { class: 'empty' }, 'No exceptions.');
  return el('div', { class: 'exceptions' }, entries.map((e) => el('div', { class: 'exception' },
    el('div', {}, el('b', {}, time(e.timestamp)), ' ', e.taskName || '', ' ',
      e.location ? `(${e.location})` : '', e.taskManagerId ? ` on ${e.taskManagerId}` : ''),
    el('pre', { class: 'trace' }, e.stacktrace || e.exceptionName || ''))));
}
