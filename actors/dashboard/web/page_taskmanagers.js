// The task managers page: GET /taskmanagers, and each one's metrics from GET /taskmanagers/{id}.

import { api } from './api.js';
import { el, table, bytes, count, time } from './format.js';

const looksLikeBytes = (name) => /bytes|memory|rss|heap|cache|memtable/i.test(name);

/// The metrics of a task manager's detail as a two-column table; nested objects are flattened
/// with dotted names.
function metricsTable(metrics) {
  const rows = [];
  const walk = (prefix, value) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    else rows.push([prefix, typeof value === 'number'
      ? (looksLikeBytes(prefix) ? bytes(value) : count(value)) : JSON.stringify(value)]);
  };
  walk('', metrics);
  return rows.length === 0 ? el('p', { class: 'empty' }, 'No metrics.') : table(['Metric', 'Value'], rows);
}

export function taskManagersPage(root) {
  const list = el('div', { id: 'taskmanagers' });
  const details = el('div', { id: 'taskmanager-details' });
  root.replaceChildren(el('h1', {}, 'Task managers'),
    el('section', { class: 'panel' }, list), details);

  async function refresh() {
    const answer = await api.taskManagers();
    const managers = answer.taskmanagers || [];
    list.replaceChildren(managers.length === 0 ? el('p', { class: 'empty' }, 'No task managers.')
      : table(['Id', 'Address', 'State', 'Slots', 'Free slots', 'Last report'],
        managers.map((tm) => [el('code', {}, tm.id), tm.path || '–', tm.lost ? 'LOST' : 'ACTIVE',
          tm.slotsNumber ?? '–', tm.freeSlots ?? '–', time(tm.lastReportTime)]),
      { class: 'taskmanagers-table' }));
    const detail = await Promise.all(managers.map((tm) => api.taskManager(tm.id).catch(() => null)));
    details.replaceChildren(...managers.map((tm, i) => el('section', { class: 'panel' },
      el('h2', {}, `Task manager ${tm.id}`),
      detail[i] ? metricsTable(detail[i].metrics || {}) : el('p', { class: 'empty' }, 'Unreachable.'))));
  }
  return { refresh };
}
