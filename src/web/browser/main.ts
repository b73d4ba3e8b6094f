import './dashboard.css';
import { showError } from './api.js';
import { startDailyPage } from './daily-page.js';
import { startMetricPage } from './metric-page.js';
import { startOverview } from './overview-page.js';
import { startRunsPage } from './runs-page.js';
import { startSlicesPage } from './slices-page.js';

/** Each page says which it is (and its argument) on <body>; one script serves them all. */
const { page = '', arg = '' } = document.body.dataset;
const pages: Record<string, () => void> = {
  overview: startOverview,
  metric: () => startMetricPage(arg),
  daily: startDailyPage,
  slices: () => startSlicesPage(arg),
  runs: startRunsPage,
  // A page that is not there has nothing to fetch.
  missing: () => undefined,
};
try {
  (pages[page] ?? (() => showError(new Error(`unknown page ${page}`))))();
} catch (error) {
  showError(error);
}
