// The jobs page: the cluster's totals (GET /overview) and every job (GET /jobs/overview).

import { api } from './api.js';
import { el, table, stateBadge, duration, time, count } from './format.js';

export function jobsPage(root) {
  const facts = el('div', { class: 'facts' });
  const jobs = el('div', { id: 'jobs' });
  root.replaceChildren(el('h1', {}, 'Jobs'), facts,
    el('section', { class: 'panel' }, el('h2', {}, 'Running and completed jobs'), jobs));

  async function refresh() {
    const [overview, list] = await Promise.all([api.overview(), api.jobsOverview()]);
    facts.replaceChildren(
      el('div', {}, el('span', {}, 'Task managers '), el('b', {}, count(overview.taskmanagers))),
      el('div', {}, el('span', {}, 'Slots '),
        el('b', {}, `${count(overview['slots-available'])} free of ${count(overview['slots-total'])}`)),
      el('div', {}, el('span', {}, 'Running '), el('b', {}, count(overview['jobs-running']))),
      el('div', {}, el('span', {}, 'Finished '), el('b', {}, count(overview['jobs-finished']))),
      el('div', {}, el('span', {}, 'Cancelled '), el('b', {}, count(overview['jobs-cancelled']))),
      el('div', {}, el('span', {}, 'Failed '), el('b', {}, count(overview['jobs-failed']))));
    const rows = (list.jobs || [])
      .sort((a, b) => (b['start-time'] || 0) - (a['start-time'] || 0))
      .map((job) => [
        el('a', { href: `#/jobs/${job.jid}`, class: 'job-link', 'data-job-id': job.jid },
          job.name || job.jid),
        el('code', {}, job.jid),
        stateBadge(job.state),
        time(job['start-time']),
        duration(job.duration),
        job.tasks ? count(job.tasks.total) : '–',
      ]);
    jobs.replaceChildren(rows.length === 0
      ? el('p', { class: 'empty' }, 'No jobs.')
      : table(['Name', 'Job id', 'State', 'Started', 'Duration', 'Tasks'], rows,
        { class: 'jobs-table' }));
  }
  return { refresh };
}
