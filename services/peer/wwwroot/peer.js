// The peer's web UI. Every URL is relative, so the page works at / and behind the gateway at /peers/{id}/.
'use strict';
const $ = (id) => document.getElementById(id);
const state = { tab: 'files', catalog: [], downloads: [], mine: [], locked: false };

function size(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes, i = 0;
  while (value >= 1024 && i < units.length - 1) { value /= 1024; i++; }
  return `${i === 0 ? value : value.toFixed(1)} ${units[i]}`;
}

function duration(seconds) {
  if (seconds == null || !isFinite(seconds)) return '';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

// Problem details become the sentence in their "detail"; anything else a plain explanation.
async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch {
    throw new Error('This peer does not answer. Is it still running?');
  }
  if (response.ok) return response.status === 204 ? null : response.json();
  if (response.status === 401) {
    showLogin();
    throw new Error('This peer needs its key.');
  }
  let sentence = `The peer answered ${response.status}.`;
  try {
    const problem = await response.json();
    sentence = problem.detail || problem.title || sentence;
  } catch { /* not JSON */ }
  throw new Error(sentence);
}

// ---- login: without a session the page asks for the key -------------------------------------
// The login link (?key=...) is answered by the peer itself: it sets the session cookie and redirects here.
function showLogin() {
  if (state.locked) return;
  state.locked = true;
  for (const part of document.querySelectorAll('nav, #tracker, main, #message')) part.hidden = true;
  $('who').textContent = 'not logged in';
  $('login-wrong').hidden = location.hash !== '#wrong-key';
  $('login').hidden = false;
  $('login-key').focus();
}
$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  location.href = `?key=${encodeURIComponent($('login-key').value.trim())}`;
});

let messageTimer;
function say(text, ok = false) {
  const box = $('message');
  box.textContent = text;
  box.classList.toggle('ok', ok);
  box.hidden = false;
  clearTimeout(messageTimer);
  messageTimer = setTimeout(() => { box.hidden = true; }, ok ? 4000 : 9000);
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// ---- dark mode: follows the system until the user picks one (remembered) -------------------
const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
window.peerTheme = {
  dark() {
    const chosen = document.documentElement.dataset.theme;
    return chosen ? chosen === 'dark' : systemDark.matches;
  },
};

function showTheme() {
  const dark = window.peerTheme.dark();
  $('theme').setAttribute('aria-pressed', String(dark));
  $('theme').textContent = dark ? 'Light mode' : 'Dark mode';
  document.dispatchEvent(new Event('themechange')); // canvases redraw in the new colours
}

$('theme').addEventListener('click', () => {
  const next = window.peerTheme.dark() ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem('theme', next); } catch { /* not remembered, still applied */ }
  showTheme();
});
systemDark.addEventListener('change', showTheme);
showTheme();

// ---- tabs ---------------------------------------------------------------------------------
function show(tab) {
  state.tab = tab;
  for (const button of document.querySelectorAll('nav button')) button.setAttribute('aria-selected', String(button.dataset.tab === tab));
  for (const section of document.querySelectorAll('.tab')) section.hidden = section.id !== `tab-${tab}`;
  refresh();
}
for (const button of document.querySelectorAll('nav button')) button.addEventListener('click', () => show(button.dataset.tab));

// ---- who am I, which tracker ----------------------------------------------------------------
async function loadMe() {
  try {
    const me = await api('api/me');
    $('who').textContent = me.ready ? `peer ${me.peerId} · transfers on ${me.transferHost}:${me.transferPort}` : 'registering with the tracker…';
    $('tracker-current').textContent = me.tracker.current || 'no chord node answers yet';
    const t = me.tracker, heard = t.discovered.length;
    $('tracker-how').textContent = t.manual
      ? (t.current === t.manual ? '(given by hand)' : `(${t.manual}, given by hand, does not answer)`)
      : t.discovered.includes(t.current) ? `(found by discovery: ${heard} node${heard === 1 ? '' : 's'} heard)` : '(from the configured node list)';
    $('tracker-auto').hidden = !me.tracker.manual;
  } catch (e) {
    if (!state.locked) $('who').textContent = e.message;
  }
}

$('tracker-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await api('api/me/tracker', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: $('tracker-url').value }) });
    say('This peer now uses that chord node first.', true);
    loadMe();
  } catch (e) { say(e.message); }
});
$('tracker-auto').addEventListener('click', async () => {
  try {
    await api('api/me/tracker', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: '' }) });
    $('tracker-url').value = '';
    say('Back to finding chord nodes automatically.', true);
    loadMe();
  } catch (e) { say(e.message); }
});

// ---- available files ------------------------------------------------------------------------
const catalogPage = { page: 1, size: 50 };

function ago(when) {
  const seconds = Math.max(0, Math.round((Date.now() - new Date(when).getTime()) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(when).toLocaleDateString();
}

async function loadCatalog() {
  const search = $('files-search').value.trim();
  const [sort, order] = $('files-sort').value.split(':');
  const query = new URLSearchParams({ sort, order, page: String(catalogPage.page), pageSize: String(catalogPage.size) });
  if (search) query.set('search', search);
  if (window.folders?.hideStale()) query.set('available', 'true');
  const result = await api(`api/catalog?${query}`);
  const last = Math.max(1, Math.ceil(result.total / catalogPage.size));
  if (catalogPage.page > last) { catalogPage.page = last; return loadCatalog(); }
  state.catalog = result.items;
  const labels = { have: 'in my files', downloading: 'downloading', available: 'available', unavailable: 'no seeder online' };
  $('files').replaceChildren(...state.catalog.map((f) => decorated('decorateCatalog', f, el('li', { class: 'item', 'data-infohash': f.infoHash },
    el('div', { class: 'row' },
      el('span', { class: 'name' }, f.name),
      el('span', { class: `state ${f.status}` }, labels[f.status] || f.status)),
    el('div', { class: 'row' },
      el('span', { class: 'meta' }, `${size(f.length)} · ${f.seeders} seeder${f.seeders === 1 ? '' : 's'} · ${f.leechers} leecher${f.leechers === 1 ? '' : 's'}` +
        (f.copies > 1 ? ` · ${Math.min(f.seeders, f.copies)} of ${f.copies} copies online` : '') +
        (f.published ? ` · published ${ago(f.published)}` : '')),
      el('span', { class: 'actions' },
        el('a', { class: 'button', href: f.torrentUrl, download: `${f.name}.torrent` }, 'Download torrent'),
        f.status === 'have'
          ? el('a', { class: 'button', href: `api/files/${f.infoHash}/content`, target: '_blank' }, 'Open')
          : el('button', { class: 'primary', onclick: () => startDownload(f) }, 'Download file')))))));
  $('files-empty').hidden = result.total > 0;
  const first = (catalogPage.page - 1) * catalogPage.size + 1;
  $('files-pager').hidden = result.total <= catalogPage.size;
  $('files-page').textContent = `${first}–${first + result.items.length - 1} of ${result.total}`;
  $('files-prev').disabled = catalogPage.page <= 1;
  $('files-next').disabled = catalogPage.page >= last;
  return undefined;
}

$('files-sort').addEventListener('change', () => { catalogPage.page = 1; refresh(); });
$('files-search').addEventListener('input', () => { catalogPage.page = 1; });
$('files-prev').addEventListener('click', () => { catalogPage.page--; refresh(); });
$('files-next').addEventListener('click', () => { catalogPage.page++; refresh(); });

async function startDownload(file) {
  try {
    const download = await api('api/downloads', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ infoHash: file.infoHash }) });
    say(download.state === 'waiting'
      ? `${file.name} is waiting for a peer that has it: it starts when one is online.`
      : download.state === 'queued'
        ? `${file.name} is queued: it starts when one of the active downloads ends.`
        : `Downloading ${file.name}.`, true);
    show('downloads');
  } catch (e) { say(e.message); }
}

// ---- downloads ------------------------------------------------------------------------------
const stateLabels = { metadata: 'fetching the torrent from peers', downloading: 'downloading', waiting: 'waiting for a peer that has the file', paused: 'paused', completed: 'done', failed: 'failed', cancelled: 'cancelled', queued: 'queued' };

async function command(download, verb) {
  try {
    await api(`api/downloads/${download.id}/${verb}`, { method: 'POST' });
    loadDownloads();
  } catch (e) { say(e.message); }
}

async function loadDownloads() {
  state.downloads = await api('api/downloads');
  const active = state.downloads.filter((d) => d.state === 'downloading' || d.state === 'waiting').length;
  $('active-count').textContent = active;
  $('active-count').hidden = active === 0;
  $('downloads').replaceChildren(...state.downloads.map((d) => {
    const percent = Math.floor(d.progress * 100);
    const running = d.state === 'downloading' || d.state === 'waiting';
    const details = [`${size(d.bytesDone)} of ${size(d.totalBytes)}`];
    if (d.state === 'downloading') details.push(`${size(d.bytesPerSecond)}/s`, `${d.peers} peer${d.peers === 1 ? '' : 's'}`);
    if (d.etaSeconds != null) details.push(`${duration(d.etaSeconds)} left`);
    return decorated('decorateDownload', d, el('li', { class: 'item', 'data-infohash': d.id, 'data-state': d.state },
      el('div', { class: 'row' },
        el('span', { class: 'name' }, d.name),
        el('span', { class: `state ${d.state}` }, `${stateLabels[d.state] || d.state} · ${percent}%`)),
      el('progress', { max: 100, value: percent, 'aria-label': `${d.name} progress` }),
      el('div', { class: 'row' },
        el('span', { class: 'meta' }, details.join(' · ')),
        el('span', { class: 'actions' },
          running || d.state === 'queued' ? el('button', { onclick: () => command(d, 'pause') }, 'Pause') : null,
          d.state === 'paused' ? el('button', { onclick: () => command(d, 'resume') }, 'Resume') : null,
          d.state === 'failed' || d.state === 'cancelled' ? el('button', { onclick: () => command(d, 'retry') }, 'Retry') : null,
          running || d.state === 'paused' || d.state === 'queued' || d.state === 'metadata' ? el('button', { onclick: () => command(d, 'cancel') }, 'Cancel') : null,
          el('button', { class: 'details-button', onclick: () => DownloadDetails.open(d.id) }, 'Details'),
          d.contentUrl ? el('a', { class: 'button primary', href: d.contentUrl, target: '_blank' }, 'Open') : null)),
      typeof downloadLimitControls === 'function' ? downloadLimitControls(d) : null, // limits.js
      d.error ? el('div', { class: 'error-text' }, `Download failed: ${d.error}`) : null));
  }));
  $('downloads-empty').hidden = state.downloads.length > 0;
}

// ---- my files -------------------------------------------------------------------------------
async function loadMine() {
  const search = $('mine-search').value.trim();
  state.mine = await api('api/files' + (search ? `?search=${encodeURIComponent(search)}` : ''));
  $('mine').replaceChildren(...state.mine.map((f) => decorated('decorateMine', f, el('li', { class: 'item', 'data-infohash': f.infoHash },
    el('div', { class: 'row' },
      el('span', { class: 'name' }, f.name),
      el('span', { class: 'state have' }, f.origin === 'published' ? 'published' : 'downloaded')),
    el('div', { class: 'row' },
      el('span', { class: 'meta' }, `${size(f.length)} · since ${new Date(f.addedAt).toLocaleString()}`),
      el('span', { class: 'actions' },
        el('a', { class: 'button', href: f.torrentUrl, download: `${f.name}.torrent` }, 'Torrent'),
        el('a', { class: 'button primary', href: f.contentUrl, target: '_blank' }, 'Open')))))));
  $('mine-empty').hidden = state.mine.length > 0;
}

// Rows get their folder parts (file tree, magnet link, Remove, Unpublish) from folders.js.
function decorated(hook, item, li) {
  window.folders?.[hook](li, item);
  return li;
}

// ---- publish --------------------------------------------------------------------------------
// One file makes a single-file torrent; several files or a picked folder make a folder torrent,
// each part named by its path inside the folder (webkitRelativePath, or the path of a dropped folder's
// file: entries { file, path }) so the server rebuilds the tree.
function publish(files) {
  files = Array.from(files || []).map((f) => (f instanceof File ? { file: f, path: f.webkitRelativePath } : f));
  if (files.length === 0) return;
  const folder = files.some((f) => f.path);
  $('upload').hidden = false;
  $('upload-name').textContent = folder ? files.find((f) => f.path).path.split('/')[0] : files.map((f) => f.file.name).join(', ');
  $('upload-progress').value = 0;
  $('upload-percent').textContent = '0%';
  const form = new FormData();
  for (const { file, path } of files) form.append('file', file, path || file.name);
  if (!folder && files.length > 1) form.append('name', files[0].file.name.replace(/\.[^.]*$/, '') || 'files');
  form.append('copies', $('publish-copies').value.trim() || '1'); // the peer refuses anything but 1 to 16
  const request = new XMLHttpRequest();
  request.open('POST', 'api/files');
  request.upload.addEventListener('progress', (event) => {
    if (!event.lengthComputable) return;
    const percent = Math.floor((event.loaded / event.total) * 100);
    $('upload-progress').value = percent;
    $('upload-percent').textContent = percent < 100 ? `${percent}%` : 'hashing and publishing…';
  });
  request.addEventListener('load', () => {
    let body = null;
    try { body = JSON.parse(request.responseText); } catch { /* empty */ }
    if (request.status === 201 || request.status === 200) {
      $('upload-percent').textContent = 'published';
      say(request.status === 201 ? `${body.name} is published and shared.` : `${body.name} was already published: nothing changed.`, true);
      show('mine');
    } else if (request.status === 401) {
      showLogin();
    } else {
      $('upload-percent').textContent = 'failed';
      say((body && (body.detail || body.title)) || `Publishing failed (the peer answered ${request.status}).`);
    }
  });
  request.addEventListener('error', () => say('The upload was interrupted: is the peer still running?'));
  request.send(form);
}
$('publish-file').addEventListener('change', (event) => publish(event.target.files));
$('publish-folder').addEventListener('change', (event) => publish(event.target.files));
const drop = $('drop');
drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', async (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  publish(window.folders ? await window.folders.droppedFiles(event.dataTransfer) : event.dataTransfer.files);
});

// ---- live updates: server-sent events (api/events), polling while the stream is down ---------
// window.liveEvents.open tells the details view (download-details.js) whether it must poll too.
const live = window.liveEvents = { open: false, source: null, timer: null };
function listen() {
  if (!window.EventSource || live.source) return;
  const source = live.source = new EventSource('api/events');
  const down = () => { live.open = false; document.body.dataset.live = 'polling'; };
  source.addEventListener('hello', () => { live.open = true; document.body.dataset.live = 'events'; loadDownloads().catch(() => {}); });
  for (const kind of ['progress', 'state', 'completed', 'removed']) {
    source.addEventListener(kind, (event) => {
      const e = JSON.parse(event.data);
      if (typeof DownloadDetails !== 'undefined') DownloadDetails.onEvent(e);
      if (kind === 'completed') say(`${e.name} is downloaded.`, true);
      if (live.timer) return; // a burst of events is one refresh
      live.timer = setTimeout(() => { live.timer = null; loadDownloads().catch(() => {}); }, kind === 'progress' ? 300 : 0);
    });
  }
  source.addEventListener('lagged', down);
  source.addEventListener('error', () => {
    down();
    if (source.readyState === EventSource.CLOSED) { // refused (not logged in) or gone: try again later
      live.source = null;
      setTimeout(() => { if (!state.locked) listen(); }, 5000);
    }
  });
}

// ---- refresh loop ---------------------------------------------------------------------------
let searchTimer;
for (const id of ['files-search', 'mine-search']) {
  $(id).addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(refresh, 200); });
}

async function refresh() {
  if (state.locked) return;
  try {
    if (state.tab === 'files') await loadCatalog();
    else if (state.tab === 'downloads') await loadDownloads();
    else if (state.tab === 'mine') await loadMine();
    else if (state.tab === 'volunteer') await loadVolunteer(); // volunteer.js
    if (state.tab !== 'downloads') loadDownloads().catch(() => {});
  } catch (e) {
    say(e.message);
  }
}

window.peerUi = { api, el, size, say, refresh };
loadMe();
refresh();
listen();
setInterval(() => { if (!state.locked) loadMe(); }, 5000);
setInterval(() => { if (state.locked || live.open) return; if (state.tab === 'downloads') refresh(); else loadDownloads().catch(() => {}); }, 1000);
setInterval(() => { if (state.tab !== 'downloads' && state.tab !== 'publish') refresh(); }, 5000);
