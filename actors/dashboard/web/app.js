// The dashboard's router: #/ (jobs), #/jobs/<id> (a job), #/taskmanagers. The current page is
// refreshed from the REST API every second; a failed refresh shows in the header.

import { jobsPage } from './page_jobs.js';
import { jobPage } from './page_job.js';
import { taskManagersPage } from './page_taskmanagers.js';

const REFRESH_MS = 1000;
let current = null;
let timer = null;

function route() {
  const root = document.getElementById('page');
  const hash = location.hash.replace(/^#/, '') || '/';
  const job = hash.match(/^\/jobs\/([^/]+)$/);
  let nav = 'jobs';
  if (job) {
    current = jobPage(root, decodeURIComponent(job[1]));
  } else if (hash === '/taskmanagers') {
    current = taskManagersPage(root);
    nav = 'taskmanagers';
  } else {
    current = jobsPage(root);
  }
  for (const a of document.querySelectorAll('[data-nav]'))
    a.classList.toggle('current', a.dataset.nav === nav);
  clearTimeout(timer);
  tick(current);
}

/// Refreshes `page` and schedules its next refresh, until another page replaces it.
async function tick(page) {
  const status = document.getElementById('status');
  try {
    await page.refresh();
    if (page === current) status.textContent = '';
  } catch (e) {
    if (page === current) status.textContent = e.message;
  }
  if (page === current) timer = setTimeout(() => tick(page), REFRESH_MS);
}

window.addEventListener('hashchange', route);
route();
