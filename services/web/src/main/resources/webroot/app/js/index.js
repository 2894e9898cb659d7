// The home page: recent tasks, flowchart runs and runs, each unfinished one followed live.
import { showError } from './page.js';
import { showRecent } from './recent.js';

showRecent({
  tasks: document.getElementById('recent-tasks'),
  flowchartRuns: document.getElementById('recent-flowchart-runs'),
  runs: document.getElementById('recent-runs'),
}).catch((failure) => showError(`Could not load recent work: ${failure.message}`));
