// The job's savepoint, stop and cancel buttons, each behind a confirmation dialog.

import { api } from './api.js';
import { el } from './format.js';

/// Shows the confirmation dialog with `text` and optional input fields ([{name, label, type}]);
/// resolves to the fields' values ({name: value}) on Confirm, or null on Back.
function confirmDialog(text, fields = []) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  const inputs = fields.map((f) => el('input', { type: f.type || 'text', name: f.name,
    id: `confirm-${f.name}` }));
  document.getElementById('confirm-fields').replaceChildren(...fields.map((f, i) =>
    f.type === 'checkbox' ? el('label', {}, inputs[i], ` ${f.label}`)
      : el('label', {}, f.label, inputs[i])));
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (dialog.returnValue !== 'ok') return resolve(null);
      resolve(Object.fromEntries(inputs.map((input) =>
        [input.name, input.type === 'checkbox' ? input.checked : input.value.trim()])));
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

/// Polls an asynchronous savepoint (or stop) operation until it completes.
async function awaitSavepoint(jobId, triggerId) {
  for (;;) {
    const status = await api.savepointStatus(jobId, triggerId);
    if (status.status && status.status.id === 'COMPLETED') return status.operation || {};
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function savepointResult(operation) {
  if (operation['failure-cause'])
    throw new Error(operation['failure-cause']['stack-trace'] || operation['failure-cause'].class
      || JSON.stringify(operation['failure-cause']));
  return operation.location;
}

/// The buttons for job `jobId`; `say(text, isError)` reports outcomes. Returns {element,
/// update(state)} to enable them only while the job runs.
export function jobActions(jobId, say) {
  const directory = { name: 'directory', label: 'Target directory (empty: the configured one)' };
  const run = async (what) => {
    try {
      await what();
    } catch (e) {
      say(e.message, true);
    }
  };
  const savepoint = el('button', { id: 'savepoint-button', onclick: () => run(async () => {
    const values = await confirmDialog(`Trigger a savepoint of job ${jobId}?`, [directory]);
    if (!values) return;
    const { 'request-id': trigger } = await api.triggerSavepoint(jobId, values.directory);
    say(`Savepoint ${trigger} triggered…`);
    say(`Savepoint written to ${savepointResult(await awaitSavepoint(jobId, trigger))}`);
  }) }, 'Savepoint');
  const stop = el('button', { id: 'stop-button', onclick: () => run(async () => {
    const values = await confirmDialog(`Stop job ${jobId} with a savepoint?`,
      [directory, { name: 'drain', label: 'Drain (emit the maximum watermark first)', type: 'checkbox' }]);
    if (!values) return;
    const { 'request-id': trigger } = await api.stop(jobId, values.directory, values.drain);
    say(`Stopping job ${jobId}…`);
    say(`Job stopped; savepoint at ${savepointResult(await awaitSavepoint(jobId, trigger))}`);
  }) }, 'Stop');
  const cancel = el('button', { id: 'cancel-button', class: 'danger', onclick: () => run(async () => {
    if (!(await confirmDialog(`Cancel job ${jobId}? It stops without a savepoint.`))) return;
    await api.cancel(jobId);
    say(`Cancelling job ${jobId}…`);
  }) }, 'Cancel job');
  const buttons = [savepoint, stop, cancel];
  return {
    element: el('div', { class: 'actions' }, buttons),
    update(state) {
      for (const b of buttons) b.disabled = state !== 'RUNNING';
    },
  };
}
