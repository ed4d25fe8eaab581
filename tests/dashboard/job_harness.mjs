// What a browser test needs around the page: a socket that feeds word_count lines without end,
// word_count running on it with its REST API on a free port, and headless Chromium.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const LINE = 'the quick brown fox jumps over the lazy dog and the dog sleeps';

/// A TCP server on a free loopback port that writes LINE to its client, ten lines each few
/// milliseconds, until closed. `lines()` is how many it wrote.
export async function startFeeder() {
  let written = 0;
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    const batch = `${LINE}\n`.repeat(10);
    const timer = setInterval(() => {
      if (socket.writableLength < 1 << 20) {
        socket.write(batch);
        written += 10;
      }
    }, 5);
    socket.on('close', () => { clearInterval(timer); sockets.delete(socket); });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    lines: () => written,
    close: () => { for (const s of sockets) s.destroy(); server.close(); },
  };
}

/// Starts `wordCount` on the feeder with its REST API on a free port; resolves once the API
/// answers with the job. {url, jobId, outputDir, exited: Promise<{code, signal, stderr}>,
/// kill(): SIGKILL unless it has exited, resolving once it has}.
export async function startWordCount(wordCount, feederPort, dir, extraFlags = []) {
  const outputDir = path.join(dir, 'out');
  const args = ['--socket', `127.0.0.1:${feederPort}`, '--parallelism', '2',
    '--output', outputDir, '--rest-bind', '127.0.0.1:0', '--checkpoint-interval-ms', '300',
    '--checkpoint-dir', path.join(dir, 'checkpoints'), ...extraFlags];
  const child = spawn(wordCount, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let resolveUrl;
  const urlSeen = new Promise((resolve) => { resolveUrl = resolve; });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    const m = stderr.match(/REST API listening on (http:\/\/[^\s]+)/);
    if (m) resolveUrl(m[1]);
  });
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  const url = await Promise.race([urlSeen, exited.then(({ code, stderr: err }) => {
    throw new Error(`word_count exited (${code}) before its REST API listened:\n${err}`);
  })]);
  const { jobs } = await getJson(url, '/jobs');
  if (!jobs || jobs.length !== 1) throw new Error(`GET /jobs: expected one job, got ${JSON.stringify(jobs)}`);
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  };
  return { url, jobId: jobs[0].id, outputDir, exited, kill };
}

/// Starts `wordCount` as a job manager (REST API on a free port) with two task managers of one
/// slot each, all on the feeder; resolves once both task managers are ready. The same fields
/// as startWordCount; kill() ends all three.
export async function startClusterWordCount(wordCount, feederPort, dir) {
  const jobFlags = ['--socket', `127.0.0.1:${feederPort}`, '--parallelism', '2',
    '--output', path.join(dir, 'out'), '--checkpoint-interval-ms', '300',
    '--checkpoint-dir', path.join(dir, 'checkpoints')];
  const children = [];
  const start = (args) => {
    const child = spawn(wordCount, [...args, ...jobFlags], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
    /// The first group of `pattern` in its stderr, once there.
    const line = (pattern) => new Promise((resolve, reject) => {
      const look = () => {
        const m = stderr.match(pattern);
        if (m) resolve(m[1]);
      };
      look();
      child.stderr.on('data', look);
      exited.then(({ code }) => reject(new Error(`${args[0]} exited (${code}):\n${stderr}`)));
    });
    return { exited, line };
  };
  const jm = start(['--jobmanager-bind', '127.0.0.1:0', '--taskmanagers', '2',
    '--rest-bind', '127.0.0.1:0']);
  const jmPort = jm.line(/listening on 127\.0\.0\.1:([0-9]+)\n/);
  const url = await jm.line(/REST API listening on (http:\/\/[^\s]+)/);
  for (let i = 0; i < 2; i++)
    start(['--taskmanager', '--jobmanager', `127.0.0.1:${await jmPort}`, '--slots', '1']);
  const kill = () => Promise.all(children.map((child) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null
      ? resolve() : child.on('exit', resolve)));
  })).then(() => jm.exited);
  for (;;) {
    const { taskmanagers } = await getJson(url, '/taskmanagers');
    if (taskmanagers.length === 2 && taskmanagers.every((t) => t.ready)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { jobs } = await getJson(url, '/jobs');
  return { url, jobId: jobs[0].id, outputDir: path.join(dir, 'out'), exited: jm.exited, kill };
}

export async function getJson(url, resource) {
  const response = await fetch(url + resource);
  if (!response.ok) throw new Error(`GET ${resource}: HTTP ${response.status}`);
  return response.json();
}

/// Headless Chromium (Debian's) driven by playwright-core from `nodeModules`, with a fresh
/// profile in `dir`: a browser context (newPage(), close()).
export async function launchBrowser(nodeModules, dir) {
  const require = createRequire(path.resolve(nodeModules, 'package.json'));
  const { chromium } = require('playwright-core');
  const profile = path.join(dir, 'chromium-profile');
  fs.mkdirSync(profile);
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function temporaryDirectory() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dashboard-'));
}
