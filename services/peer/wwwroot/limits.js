// Speed limits and the download queue in the peer's web UI: the settings panel above the downloads
// (GET/PUT api/settings), a dialog for one download's own limits (PUT api/downloads/{id}/limits) and the
// queue controls of each queued download (POST api/downloads/{id}/queue/{top|up|down|bottom}).
// Loaded after peer.js and uses its helpers ($, api, el, say, size, loadDownloads). Limits are entered in KiB/s, 0 = unlimited.
'use strict';

const KiB = 1024;

function rate(bytesPerSecond) {
  return bytesPerSecond > 0 ? `${size(bytesPerSecond)}/s` : 'unlimited';
}

// A limit typed in KiB/s as bytes per second; null (with the reason said) when it is not a whole number from 0.
function readLimit(input, what) {
  const text = input.value.trim();
  if (text === '') return 0;
  const kib = Number(text);
  if (!Number.isFinite(kib) || kib < 0) {
    say(`The ${what} is a number of KiB per second, 0 for unlimited.`);
    input.focus();
    return null;
  }
  return Math.round(kib * KiB);
}

// ---- settings panel ---------------------------------------------------------------------------
function settingsSummary(s) {
  const active = s.maxActiveDownloads > 0 ? `${s.maxActiveDownloads} at a time` : 'all at once';
  return `Download ${rate(s.downloadLimit)} · upload ${rate(s.uploadLimit)} · downloads ${active}`;
}

async function loadSettings() {
  const s = await api('api/settings');
  $('limits-summary').textContent = settingsSummary(s);
  // The fields are filled only while the panel is closed, so a refresh never overwrites what the user types.
  if (!$('limits-panel').open) {
    $('limit-download').value = s.downloadLimit / KiB;
    $('limit-upload').value = s.uploadLimit / KiB;
    $('limit-active').value = s.maxActiveDownloads;
  }
  return s;
}

$('limits-panel').addEventListener('toggle', () => { if ($('limits-panel').open) loadSettings().catch((e) => say(e.message)); });

$('limits-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const downloadLimit = readLimit($('limit-download'), 'download limit');
  const uploadLimit = readLimit($('limit-upload'), 'upload limit');
  const active = Number($('limit-active').value.trim() || '0');
  if (downloadLimit === null || uploadLimit === null) return;
  if (!Number.isInteger(active) || active < 0) {
    say('The number of active downloads is a whole number, 0 for no limit.');
    return;
  }
  try {
    const saved = await api('api/settings', { method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ downloadLimit, uploadLimit, maxActiveDownloads: active }) });
    $('limits-panel').open = false;
    await loadSettings();
    say(`Saved. ${settingsSummary(saved)}.`, true);
    loadDownloads().catch(() => {});
  } catch (e) { say(e.message); }
});

// ---- one download's limits ----------------------------------------------------------------------
let limitsFor = null;

function openDownloadLimits(download) {
  limitsFor = download;
  $('download-limits-name').textContent = download.name;
  $('download-limit-down').value = download.downloadLimit / KiB;
  $('download-limit-up').value = download.uploadLimit / KiB;
  $('download-limits').showModal();
}

$('download-limits-cancel').addEventListener('click', () => $('download-limits').close());
$('download-limits-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const downloadLimit = readLimit($('download-limit-down'), 'download limit');
  const uploadLimit = readLimit($('download-limit-up'), 'upload limit');
  if (downloadLimit === null || uploadLimit === null || limitsFor === null) return;
  try {
    const d = await api(`api/downloads/${limitsFor.id}/limits`, { method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ downloadLimit, uploadLimit }) });
    $('download-limits').close();
    say(`${d.name}: download ${rate(d.downloadLimit)}, upload ${rate(d.uploadLimit)}.`, true);
    loadDownloads().catch(() => {});
  } catch (e) { say(e.message); }
});

// ---- per download: its limits and its place in the queue (called by peer.js for each download) ----
async function moveInQueue(download, move) {
  try {
    await api(`api/downloads/${download.id}/queue/${move}`, { method: 'POST' });
    await loadDownloads();
  } catch (e) { say(e.message); }
}

function downloadLimitControls(d) {
  const own = [];
  if (d.downloadLimit > 0) own.push(`↓ ${rate(d.downloadLimit)}`);
  if (d.uploadLimit > 0) own.push(`↑ ${rate(d.uploadLimit)}`);
  const queued = d.state === 'queued';
  const last = queued && state.downloads.filter((x) => x.state === 'queued').length - 1 === d.queuePosition;
  return el('div', { class: 'row limits-row' },
    el('span', { class: 'limits-note' },
      queued ? `Place ${d.queuePosition + 1} in the queue: starts when a download ends.` : '',
      own.length ? `${queued ? ' ' : ''}Own limits: ${own.join(', ')}` : ''),
    el('span', { class: 'actions' },
      queued ? [
        el('button', { class: 'small', title: 'First in the queue', 'aria-label': `Move ${d.name} to the top of the queue`, disabled: d.queuePosition === 0, onclick: () => moveInQueue(d, 'top') }, 'Top'),
        el('button', { class: 'small', 'aria-label': `Move ${d.name} up in the queue`, disabled: d.queuePosition === 0, onclick: () => moveInQueue(d, 'up') }, '↑'),
        el('button', { class: 'small', 'aria-label': `Move ${d.name} down in the queue`, disabled: last, onclick: () => moveInQueue(d, 'down') }, '↓'),
        el('button', { class: 'small', title: 'Last in the queue', 'aria-label': `Move ${d.name} to the bottom of the queue`, disabled: last, onclick: () => moveInQueue(d, 'bottom') }, 'Bottom'),
      ] : null,
      d.state !== 'cancelled' ? el('button', { class: 'small', onclick: () => openDownloadLimits(d) }, 'Limits…') : null));
}

loadSettings().catch(() => {});
setInterval(() => { if (!state.locked && state.tab === 'downloads') loadSettings().catch(() => {}); }, 5000);
