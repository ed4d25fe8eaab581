// Requests to the job manager's REST API (Flink's paths), answered as parsed JSON.

async function request(method, path, body) {
  const init = { method, cache: 'no-store', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : {};
  } catch (e) {
    throw new Error(`${method} ${path}: not JSON (HTTP ${response.status})`);
  }
  if (!response.ok) {
    const reason = json.errors ? json.errors.join('; ') : json.error || text;
    throw new Error(`${method} ${path}: HTTP ${response.status} ${reason}`);
  }
  return json;
}

export const get = (path) => request('GET', path);

const job = (id) => `/jobs/${encodeURIComponent(id)}`;
const vertex = (id, vid) => `${job(id)}/vertices/${encodeURIComponent(vid)}`;

export const api = {
  overview: () => get('/overview'),
  jobsOverview: () => get('/jobs/overview'),
  job: (id) => get(job(id)),
  plan: (id) => get(`${job(id)}/plan`),
  vertex: (id, vid) => get(vertex(id, vid)),
  backpressure: (id, vid) => get(`${vertex(id, vid)}/backpressure`),
  watermarks: (id, vid) => get(`${vertex(id, vid)}/watermarks`),
  checkpoints: (id) => get(`${job(id)}/checkpoints`),
  exceptions: (id) => get(`${job(id)}/exceptions`),
  taskManagers: () => get('/taskmanagers'),
  taskManager: (tmid) => get(`/taskmanagers/${encodeURIComponent(tmid)}`),
  // An empty JSON body: cpp-httplib refuses a PATCH without Content-Length (400).
  cancel: (id) => request('PATCH', `${job(id)}?mode=cancel`, {}),
  /// Without a directory, the job's configured one (--checkpoint-dir).
  triggerSavepoint: (id, dir) => request('POST', `${job(id)}/savepoints`,
    { 'cancel-job': false, ...(dir ? { 'target-directory': dir } : {}) }),
  stop: (id, dir, drain) => request('POST', `${job(id)}/stop`,
    { drain, ...(dir ? { targetDirectory: dir } : {}) }),
  savepointStatus: (id, triggerId) =>
    get(`${job(id)}/savepoints/${encodeURIComponent(triggerId)}`),
};
