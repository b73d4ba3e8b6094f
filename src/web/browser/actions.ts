import type { AcknowledgeRequest } from '../api-types.js';
import { postJson, showError } from './api.js';
import { h } from './dom.js';

/** A button that posts an action once (disabled while it runs), then reloads what the page shows. */
function actionButton(label: string, small: boolean, path: string, body: unknown, reload: () => Promise<void>) {
  const button = h('button', { type: 'button', ...(small ? { class: 'small' } : {}) }, label);
  button.addEventListener('click', () => {
    button.disabled = true;
    postJson(path, body).then(reload).catch(showError);
  });
  return button;
}

/** Acknowledges a metric's open incident: no repeats until it is resolved. */
export function acknowledgeButton(subject: Omit<AcknowledgeRequest, 'by'>, reload: () => Promise<void>, small = false) {
  const body: AcknowledgeRequest = { ...subject, by: 'dashboard' };
  return actionButton('Acknowledge', small, '/api/acknowledge', body, reload);
}

/** Ends a silence. */
export function removeSilenceButton(id: string, reload: () => Promise<void>) {
  return actionButton('Remove', true, `/api/silences/${encodeURIComponent(id)}/remove`, { by: 'dashboard' }, reload);
}
