// The dashboard in headless Chromium against a running word_count (fed without end through a
// socket, checkpointing every 300 ms). One scenario per run:
//
//   node browser_test.mjs --word-count PATH --node-modules DIR --scenario NAME [--screenshot PNG]
//                         [--cluster]
//
// --cluster: word_count as a job manager with two task managers of one slot each.
//
// Expected values come from the job's known structure and from the test's own counts, never
// from the page's code; every wait is for an element or a value, bounded by WAIT_MS.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  startFeeder, startWordCount, startClusterWordCount, launchBrowser, temporaryDirectory, getJson,
} from './job_harness.mjs';

const WAIT_MS = 30000;

/// Waits until `predicate(arg)`, evaluated in the page, is truthy; returns its value.
async function until(page, predicate, arg) {
  const handle = await page.waitForFunction(predicate, arg, { timeout: WAIT_MS, polling: 100 });
  return handle.jsonValue();
}

/// word_count's vertices on a socket with --parallelism 2, as its source code builds them (and
/// as Flink names them: "Source: " and "Sink: " before the names given): the socket source
/// cannot run in parallel, so the rest is a vertex of its own behind a rebalance; key_by makes
/// a hash edge; map after flat_map and the sink after sum are chained.
function expectedGraph(job, feeder) {
  const vertices = [
    { name: `Source: socket 127.0.0.1:${feeder.port}`, parallelism: 1 },
    { name: 'split words -> pair with 1', parallelism: 2 },
    { name: `sum -> Sink: files in ${job.outputDir}`, parallelism: 2 },
  ];
  const edges = [
    { source: vertices[0].name, target: vertices[1].name, partitioner: 'REBALANCE' },
    { source: vertices[1].name, target: vertices[2].name, partitioner: 'HASH' },
  ];
  return { vertices, edges };
}

const jobPage = (job) => `${job.url}/#/jobs/${encodeURIComponent(job.jobId)}`;

const scenarios = {
  async overview({ page, job }) {
    await page.goto(`${job.url}/`);
    const row = await until(page, (jid) => {
      const link = document.querySelector(`.jobs-table a.job-link[data-job-id="${jid}"]`);
      return link && [...link.closest('tr').cells].map((c) => c.textContent);
    }, job.jobId);
    assert.equal(row[0], 'word count');
    assert.equal(row[1], job.jobId);
    assert.equal(row[2], 'RUNNING');
    await page.click(`a.job-link[data-job-id="${job.jobId}"]`);
    await until(page, (jid) => location.hash === `#/jobs/${jid}`, job.jobId);
  },

  async graph({ page, job, feeder }) {
    const expected = expectedGraph(job, feeder);
    await page.goto(jobPage(job));
    await until(page, (n) => document.querySelectorAll('svg.dag g.vertex').length >= n,
      expected.vertices.length);
    const drawn = await page.evaluate(() => {
      const names = new Map();
      const vertices = [...document.querySelectorAll('svg.dag g.vertex')].map((g) => {
        names.set(g.dataset.vertexId, g.querySelector('title').textContent);
        return { name: g.querySelector('title').textContent,
          parallelism: Number(g.dataset.parallelism),
          label: g.querySelector('text.parallelism').textContent };
      });
      const edges = [...document.querySelectorAll('svg.dag g.edge')].map((g) => ({
        source: names.get(g.dataset.source), target: names.get(g.dataset.target),
        partitioner: g.querySelector('text').textContent }));
      return { vertices, edges };
    });
    const byName = (a, b) => a.name.localeCompare(b.name);
    assert.deepEqual(drawn.vertices.map(({ name, parallelism }) => ({ name, parallelism })).sort(byName),
      [...expected.vertices].sort(byName));
    for (const v of drawn.vertices) assert.equal(v.label, `Parallelism: ${v.parallelism}`);
    const key = (e) => `${e.source}|${e.target}|${e.partitioner}`;
    assert.deepEqual(drawn.edges.map(key).sort(), expected.edges.map(key).sort());
  },

  async throughput({ page, job, feeder }) {
    const source = expectedGraph(job, feeder).vertices[0].name;
    await page.goto(jobPage(job));
    const first = await until(page, () => {
      const n = Number(document.querySelector('svg.plot.throughput').dataset.points);
      return n > 0 && n;
    });
    await until(page, (n) => Number(document.querySelector('svg.plot.throughput').dataset.points) > n,
      first);
    // The source reads lines all the time: its latest rate is above zero.
    await until(page, (name) => {
      const line = [...document.querySelectorAll('svg.plot.throughput polyline')]
        .find((l) => l.dataset.series === name);
      return line && Number(line.dataset.last) > 0;
    }, source);
    assert.ok(feeder.lines() > 0);
  },

  async checkpoints({ page, job }) {
    await page.goto(jobPage(job));
    // The history is bounded (newest first): the table grows by new checkpoints at its top.
    const shown = (newerThan) => until(page, (id) => {
      const rows = [...document.querySelectorAll('.checkpoints-table tbody tr')];
      const ids = rows.map((r) => Number(r.cells[0].textContent));
      return ids.length > 0 && ids[0] > id && ids;
    }, newerThan);
    const before = await shown(0);
    // The history is bounded (the last 10 finished, plus one in progress when there is one), so
    // the table gains newer ids rather than rows.
    const after = await shown(before[0]);
    assert.ok(after[0] > before[0], `${after} after ${before}`);
    // Every checkpoint completes: the ids shown are consecutive, newest first.
    for (const ids of [before, after])
      assert.deepEqual(ids, ids.map((_, i) => ids[0] - i));
  },

  async cancel({ page, job }) {
    const patches = [];
    page.on('request', (r) => { if (r.method() === 'PATCH') patches.push(r.url()); });
    await page.goto(jobPage(job));
    const button = page.locator('#cancel-button');
    await until(page, () => { const b = document.querySelector('#cancel-button'); return b && !b.disabled; });
    // Backing out of the confirmation sends nothing.
    await button.click();
    await page.locator('#confirm').waitFor({ state: 'visible', timeout: WAIT_MS });
    assert.match(await page.locator('#confirm-text').textContent(), new RegExp(job.jobId));
    await page.click('#confirm-no');
    await page.locator('#confirm').waitFor({ state: 'hidden', timeout: WAIT_MS });
    await button.click();
    await page.click('#confirm-yes');
    const refused = until(page, () => document.querySelector('#job-message .error')?.textContent)
      .then((error) => { throw new Error(`the page reports: ${error}`); });
    const { code, stderr } = await Promise.race([job.exited, refused]);
    assert.notEqual(code, 0, 'a cancelled job exits non-zero');
    assert.match(stderr, /job cancelled/);
    assert.deepEqual(patches, [`${job.url}/jobs/${job.jobId}?mode=cancel`]);
  },

  async savepoint({ page, job, dir }) {
    const target = path.join(dir, 'savepoints');
    await page.goto(jobPage(job));
    await until(page, () => { const b = document.querySelector('#savepoint-button'); return b && !b.disabled; });
    await page.click('#savepoint-button');
    await page.fill('#confirm-directory', target);
    await page.click('#confirm-yes');
    const written = await until(page, () => {
      const m = document.querySelector('#job-message').textContent.match(/^Savepoint written to (.+)$/);
      return m && m[1];
    });
    assert.equal(path.dirname(written), target);
    assert.ok(fs.existsSync(path.join(written, '_metadata')), `${written}/_metadata`);
    assert.equal((await getJson(job.url, `/jobs/${job.jobId}`)).state, 'RUNNING');
  },

  async stop({ page, job, dir }) {
    const target = path.join(dir, 'savepoints');
    await page.goto(jobPage(job));
    await until(page, () => { const b = document.querySelector('#stop-button'); return b && !b.disabled; });
    await page.click('#stop-button');
    await page.fill('#confirm-directory', target);
    await page.click('#confirm-yes');
    const { code, stderr } = await job.exited;
    assert.equal(code, 0, `a stopped job ends successfully:\n${stderr}`);
    const savepoints = fs.readdirSync(target);
    assert.equal(savepoints.length, 1, `${savepoints}`);
    assert.ok(fs.existsSync(path.join(target, savepoints[0], '_metadata')));
  },

  async taskmanagers({ page, job }) {
    const { taskmanagers } = await getJson(job.url, '/taskmanagers');
    assert.ok(taskmanagers.length > 0);
    await page.goto(`${job.url}/#/taskmanagers`);
    const shown = await until(page, (n) => {
      const rows = [...document.querySelectorAll('.taskmanagers-table tbody tr')];
      return rows.length === n && rows.map((r) => r.cells[0].textContent);
    }, taskmanagers.length);
    assert.deepEqual(shown.sort(), taskmanagers.map((tm) => tm.id).sort());
  },

  /// Not a test: the job page once its plots have a few points, for docs/dashboard.md.
  async screenshot({ page, job, screenshot }) {
    await page.goto(jobPage(job));
    await until(page, () => Number(document.querySelector('svg.plot.throughput').dataset.points) >= 12
      && document.querySelectorAll('.checkpoints-table tbody tr').length >= 3);
    await page.screenshot({ path: screenshot, fullPage: true });
  },
};

async function main() {
  const { values } = parseArgs({ options: { 'word-count': { type: 'string' },
    'node-modules': { type: 'string' }, scenario: { type: 'string' }, screenshot: { type: 'string' },
    cluster: { type: 'boolean' } } });
  const scenario = scenarios[values.scenario];
  if (!scenario || !values['word-count'] || !values['node-modules'])
    throw new Error(`usage: browser_test.mjs --word-count PATH --node-modules DIR --scenario ` +
      `${Object.keys(scenarios).join('|')} [--screenshot PNG] [--cluster]`);
  const dir = temporaryDirectory();
  const feeder = await startFeeder();
  let job = null;
  let browser = null;
  try {
    job = await (values.cluster ? startClusterWordCount : startWordCount)(values['word-count'],
      feeder.port, dir);
    browser = await launchBrowser(values['node-modules'], dir);
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await scenario({ page, job, feeder, dir, screenshot: values.screenshot });
    assert.deepEqual(errors, [], 'errors in the page');
    console.log(`dashboard ${values.scenario}: ok`);
  } finally {
    if (browser) await browser.close();
    if (job) await job.kill();
    feeder.close();
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exitCode = 1;
});
