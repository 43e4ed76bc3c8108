// The gateway's page: the ring as a circle, the fleet of peers and the catalog, all read through the gateway
// (the tracker API of the chord nodes, and the gateway's own fleet view). Plain DOM and SVG, no library.
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const RADIUS = 100;
const PAGE_SIZE = 25;

// ---- human units ----------------------------------------------------------------------------------------

const numbers = new Intl.NumberFormat('en-US');

function size(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
  return `${i === 0 ? bytes : bytes.toFixed(1)} ${units[i]}`;
}

function speed(bytesPerSecond) {
  return bytesPerSecond > 0 ? `${size(Math.round(bytesPerSecond))}/s` : 'idle';
}

function ago(when) {
  if (!when) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - new Date(when).getTime()) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(when).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
}

function plural(count, one, many = `${one}s`) {
  return `${numbers.format(count)} ${count === 1 ? one : many}`;
}

// ---- requests and errors as sentences ----------------------------------------------------------------

const problems = new Map();

async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch {
    throw new Error('the gateway did not answer; check that it is still running');
  }
  if (!response.ok) {
    let detail = `the gateway answered ${response.status} ${response.statusText}`.trim();
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || detail;
    } catch { /* not problem details */ }
    throw new Error(detail.replace(/\.$/, ''));
  }
  return response.json();
}

function report(part, error) {
  if (error) problems.set(part, `${part} could not be read: ${error.message}.`);
  else problems.delete(part);
  $('error').textContent = [...problems.values()].join(' ');
  $('error').hidden = problems.size === 0;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

// ---- the ring --------------------------------------------------------------------------------------------

const ring = { members: [], key: null, placement: null, chosen: 0, selected: null, signature: '', layout: '' };

/** An id (40 hex digits) as a fraction of the circle: id / 2^160, from its first 52 bits (all a double holds). */
function fraction(id) {
  return parseInt(id.slice(0, 13), 16) / 2 ** 52;
}

function point(turn, radius = RADIUS) {
  const angle = turn * 2 * Math.PI;
  return [radius * Math.sin(angle), -radius * Math.cos(angle)];
}

/** A node's colour: by its place in the ring, a golden angle apart, so neighbours differ even when their ids are close. */
function hue(id) {
  const index = Math.max(0, ring.members.findIndex((m) => m.id === id));
  return Math.round((160 + index * 137.508) % 360);
}

function arcPath(from, to, radius = RADIUS) {
  let sweep = to - from;
  if (sweep <= 0) sweep += 1;
  if (sweep >= 0.9999) {
    // A whole circle (one node owns every id): two half arcs, since one arc cannot end where it starts.
    const [x1, y1] = point(0, radius);
    const [x2, y2] = point(0.5, radius);
    return `M ${x1} ${y1} A ${radius} ${radius} 0 1 1 ${x2} ${y2} A ${radius} ${radius} 0 1 1 ${x1} ${y1}`;
  }
  const [x1, y1] = point(from, radius);
  const [x2, y2] = point(from + sweep, radius);
  return `M ${x1.toFixed(3)} ${y1.toFixed(3)} A ${radius} ${radius} 0 ${sweep > 0.5 ? 1 : 0} 1 ${x2.toFixed(3)} ${y2.toFixed(3)}`;
}

function label(url) {
  try {
    const parsed = new URL(url);
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    return local ? `:${parsed.port}` : parsed.host;
  } catch {
    return url;
  }
}

function short(id) {
  return id.slice(0, 8);
}

async function loadRing() {
  const view = await getJson('api/tracker/ring');
  const members = view.members.slice().sort((a, b) => (a.id < b.id ? -1 : 1));
  const signature = members.map((m) => m.id).join();
  const layout = members.map((m) => [m.id, m.url, m.predecessor ?? '', ...m.successors].join(' ')).join('\n');
  const changed = signature !== ring.signature;
  const moved = layout !== ring.layout;
  ring.members = members;
  ring.signature = signature;
  ring.layout = layout;
  // Redrawn only when something changed: a picture replaced every 2 s would swallow clicks and replay its animation.
  if (changed && ring.key) await loadPlacement(ring.key, false);
  else if (moved) drawRing();
  if (moved) listMembers();
  if (ring.selected) await showNode(ring.selected, false);
}

function holders() {
  const placement = ring.placement?.keys[ring.chosen];
  return placement ? placement.holders.map((h) => h.id) : [];
}

function drawRing() {
  const members = ring.members;
  const byUrl = new Map(members.map((m) => [m.url, m]));
  const arcs = members.map((m, i) => {
    // The arc a node owns runs from its predecessor (as it reports it, else the previous node by id) to itself.
    const predecessor = byUrl.get(m.predecessor) ?? members[(i + members.length - 1) % members.length];
    const from = members.length === 1 ? fraction(m.id) : fraction(predecessor.id);
    return svg('path', { class: 'arc', d: arcPath(from, fraction(m.id)), style: `--hue: ${hue(m.id)}`, 'data-id': m.id });
  });
  $('ring-arcs').replaceChildren(...arcs);

  const replicas = holders();
  // Nodes whose ids are close would print their labels over each other: each one after a close neighbour
  // (clockwise) moves its label one line further from the middle.
  let level = 0;
  const levels = members.map((m, i) => {
    level = i > 0 && fraction(m.id) - fraction(members[i - 1].id) < 0.035 ? level + 1 : 0;
    return level;
  });
  const nodes = members.map((m, i) => {
    const turn = fraction(m.id);
    const [x, y] = point(turn);
    const [lx, labelY] = point(turn, RADIUS + 17);
    const ly = labelY + levels[i] * 12 * (labelY >= 0 ? 1 : -1);
    const role = replicas.indexOf(m.id);
    const classes = ['node', role === 0 ? 'owner' : role > 0 ? 'replica' : '', ring.selected === m.id ? 'selected' : ''].filter(Boolean).join(' ');
    const group = svg('g', {
      class: classes, tabindex: '0', role: 'button', 'data-id': m.id, 'data-url': m.url,
      'aria-label': `Node ${short(m.id)} at ${m.url}${role === 0 ? ', owner of the key' : role > 0 ? ', holds a replica of the key' : ''}`,
      style: `--hue: ${hue(m.id)}`,
    },
    svg('title', {}, `${m.url}\nid ${m.id}`),
    svg('circle', { class: 'halo', cx: x.toFixed(3), cy: y.toFixed(3), r: '11' }),
    svg('circle', { class: 'dot', cx: x.toFixed(3), cy: y.toFixed(3), r: '6.5' }),
    svg('text', { class: 'label', x: lx.toFixed(3), y: ly.toFixed(3), 'text-anchor': lx > 4 ? 'start' : lx < -4 ? 'end' : 'middle' }, label(m.url)));
    if (role >= 0) {
      group.append(svg('text', { class: 'rank', x: x.toFixed(3), y: (y + 0.5).toFixed(3) }, String(role + 1)));
    }
    group.addEventListener('click', () => showNode(m.id, true));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); showNode(m.id, true); }
    });
    return group;
  });
  $('ring-nodes').replaceChildren(...nodes);
  $('ring-svg').dataset.nodes = String(members.length);
  $('ring-count').textContent = plural(members.length, 'node');
  $('ring-summary').textContent = members.length ? `· ${plural(members.length, 'node')}` : '';
  drawKey();
}

function drawKey() {
  const placement = ring.placement?.keys[ring.chosen];
  if (!placement) { $('ring-key').replaceChildren(); return; }
  const turn = fraction(placement.id);
  const [x, y] = point(turn);
  const [tx, ty] = point(turn, RADIUS - 32);
  const owner = ring.members.find((m) => m.id === placement.owner.id);
  const parts = [];
  if (owner) {
    // The way from the key's id clockwise to its owner: the successor of the id.
    parts.push(svg('path', { class: 'key-way', d: arcPath(turn, fraction(owner.id), RADIUS - 18) }));
  }
  parts.push(
    svg('path', { class: 'key-mark', d: `M ${x.toFixed(3)} ${(y - 7).toFixed(3)} l 7 7 l -7 7 l -7 -7 z` },
      svg('title', {}, `${placement.key}\nring id ${placement.id}`)),
    svg('text', { class: 'key-label', x: tx.toFixed(3), y: ty.toFixed(3) }, 'key'));
  $('ring-key').replaceChildren(...parts);
}

function listMembers() {
  $('ring').replaceChildren(...ring.members.map((m) => {
    const byUrl = ring.members.find((x) => x.url === m.successors[0]);
    return el('li', { class: ring.selected === m.id ? 'selected' : null },
      el('button', { type: 'button', class: 'link', style: `--hue: ${hue(m.id)}`, onclick: () => showNode(m.id, true) },
        el('span', { class: 'swatch', 'aria-hidden': 'true' }), el('code', {}, short(m.id))),
      ` ${m.url} → ${m.successors[0] ? (byUrl ? label(byUrl.url) : m.successors[0]) : 'itself'}`);
  }));
}

async function showNode(id, user) {
  ring.selected = id;
  const panel = $('node-details');
  panel.hidden = false;
  if (user) { drawRing(); listMembers(); }
  let details;
  try {
    details = await getJson(`api/tracker/ring/nodes/${id}`);
  } catch (e) {
    const gone = !ring.members.some((m) => m.id === id);
    panel.replaceChildren(el('p', { class: 'error' }, gone
      ? `Node ${short(id)} has left the ring.`
      : `The details of node ${short(id)} could not be read: ${e.message}.`));
    return;
  }
  if (ring.selected !== id) return;
  const named = (ref) => (ref ? el('span', {}, el('code', {}, short(ref.id)), ` ${ref.url}`) : 'none yet');
  const hops = details.hops;
  const histogram = Object.entries(hops.histogram).map(([h, count]) => `${h} hop${h === '1' ? '' : 's'}: ${numbers.format(count)}`).join(', ');
  panel.replaceChildren(
    el('h3', {}, `Node ${short(details.self.id)}`, el('button', { type: 'button', class: 'ghost close', 'aria-label': 'Close the node details', onclick: closeNode }, '×')),
    el('dl', {},
      el('dt', {}, 'Address'), el('dd', {}, details.self.url),
      el('dt', {}, 'Ring id'), el('dd', {}, el('code', { class: 'wrap' }, details.self.id)),
      el('dt', {}, 'Predecessor'), el('dd', {}, named(details.predecessor)),
      el('dt', {}, 'Successors'), el('dd', {}, details.successors.length
        ? el('ol', {}, ...details.successors.map((s) => el('li', {}, named(s))))
        : 'none yet'),
      el('dt', {}, 'Keys held'), el('dd', { 'data-keys': String(details.keys) }, `${plural(details.keys, 'key')} (its own and replicas)`),
      el('dt', {}, 'Lookups'), el('dd', {}, hops.lookups
        ? `${plural(hops.lookups, 'lookup')}, ${hops.meanHops.toFixed(2)} hops on average (${histogram})`
        : 'none made yet')));
}

function closeNode() {
  ring.selected = null;
  $('node-details').hidden = true;
  drawRing();
  listMembers();
}

async function loadPlacement(key, user) {
  try {
    ring.placement = await getJson(`api/tracker/ring/placement?key=${encodeURIComponent(key)}`);
    ring.key = key;
    if (user) ring.chosen = 0;
    ring.chosen = Math.min(ring.chosen, ring.placement.keys.length - 1);
    report('Where the key lives', null);
  } catch (e) {
    ring.placement = null;
    if (user) ring.key = null;
    report('Where the key lives', e);
  }
  showPlacement();
}

function showPlacement() {
  const view = ring.placement;
  $('placement').hidden = !view;
  if (!view) { drawRing(); return; }
  $('placement-keys').replaceChildren(...view.keys.map((k, i) => el('li', {},
    el('button', { type: 'button', class: 'choice', 'aria-pressed': String(i === ring.chosen), onclick: () => { ring.chosen = i; showPlacement(); } }, k.key))));
  const chosen = view.keys[ring.chosen];
  const names = chosen.holders.map((h) => label(h.url));
  $('placement-text').textContent = `Ring id ${short(chosen.id)}…: owned by ${names[0]}` +
    (names.length > 1 ? `, replicas on ${names.slice(1).join(' and ')}` : '') +
    ` (${plural(view.replicas, 'copy', 'copies')} in all; the lookup took ${plural(chosen.hops, 'hop')}).`;
  drawRing();
}

$('placement-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('placement-key').value.trim();
  if (key) loadPlacement(key, true);
});

// ---- the fleet -------------------------------------------------------------------------------------------

const HEALTH = {
  healthy: 'healthy',
  starting: 'starting',
  unreachable: 'unreachable',
  stale: 'not reporting',
  offline: 'offline',
};

async function loadFleet() {
  const fleet = await getJson('api/gateway/fleet');
  $('fleet').querySelector('tbody').replaceChildren(...fleet.peers.map((p) => {
    const s = p.status;
    const name = p.uiPath ? el('a', { href: p.uiPath }, `Peer ${p.peerId}`) : `Peer ${p.peerId}`;
    return el('tr', { 'data-peer': String(p.peerId), 'data-health': p.health },
      el('td', { 'data-label': 'Peer' }, name),
      el('td', { 'data-label': 'Health' }, el('span', { class: `health ${p.health}` }, HEALTH[p.health] ?? p.health)),
      el('td', { class: 'num', 'data-label': 'Downloads' }, s ? numbers.format(s.activeDownloads) : '–'),
      el('td', { class: 'num', 'data-label': 'Download' }, s ? speed(s.downloadBytesPerSecond) : '–'),
      el('td', { class: 'num', 'data-label': 'Upload' }, s ? speed(s.uploadBytesPerSecond) : '–'),
      el('td', { class: 'num', 'data-label': 'Files' }, s ? numbers.format(s.filesShared) : '–'),
      el('td', { 'data-label': 'Version' }, s?.version ?? '–'),
      el('td', { 'data-label': 'Last seen' }, el('time', { datetime: p.lastSeen, title: new Date(p.lastSeen).toLocaleString('en-US') }, ago(p.lastSeen))));
  }));
  const shown = fleet.peers.length < fleet.registered ? ` (the ${numbers.format(fleet.peers.length)} seen most recently are listed)` : '';
  $('fleet-summary').textContent = fleet.registered === 0 ? '' :
    `${plural(fleet.registered, 'peer')}, ${numbers.format(fleet.healthy)} healthy${shown} · ` +
    `${plural(fleet.activeDownloads, 'active download')} · ${speed(fleet.downloadBytesPerSecond)} down, ${speed(fleet.uploadBytesPerSecond)} up`;
  $('fleet-empty').hidden = fleet.registered > 0;
}

// ---- the catalog -----------------------------------------------------------------------------------------

const catalog = { page: 1, total: 0 };

function sortChoice() {
  const [sort, order] = $('sort').value.split(':');
  return { sort, order };
}

async function loadFiles() {
  const { sort, order } = sortChoice();
  const search = $('search').value.trim();
  const query = new URLSearchParams({ sort, order, page: String(catalog.page), pageSize: String(PAGE_SIZE) });
  if (search) query.set('search', search);
  if ($('available').checked) query.set('available', 'true');
  const result = await getJson(`api/tracker/files?${query}`);
  const last = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  if (catalog.page > last) { catalog.page = last; return loadFiles(); }
  catalog.total = result.total;
  $('files').querySelector('tbody').replaceChildren(...result.items.map((f) => el('tr', { 'data-infohash': f.infoHash, class: f.available === false ? 'stale' : null },
    el('td', { 'data-label': 'Name', class: 'name' }, f.name, f.available === false ? el('span', { class: 'stale-note' }, ' · no seeder for a long time') : null,
      copiesNote(f)),
    el('td', { class: 'num', 'data-label': 'Size' }, size(f.length)),
    el('td', { class: 'num', 'data-label': 'Seeders' }, numbers.format(f.seeders)),
    el('td', { class: 'num', 'data-label': 'Leechers' }, numbers.format(f.leechers)),
    el('td', { 'data-label': 'Published' }, f.published
      ? el('time', { datetime: f.published, title: new Date(f.published).toLocaleString('en-US') }, ago(f.published))
      : 'unknown'),
    el('td', { class: 'links' },
      el('a', { href: `api/tracker/files/${f.infoHash}/torrent`, download: `${f.name}.torrent` }, '.torrent'), ' ',
      el('a', { href: magnetOf(f), title: magnetOf(f) }, 'magnet'), ' ',
      el('button', { type: 'button', class: 'copy', 'aria-label': `copy the magnet link of ${f.name}`, onclick: () => copyMagnet(f) }, 'Copy')))));
  const first = (catalog.page - 1) * PAGE_SIZE + 1;
  $('page-info').textContent = result.total === 0 ? ''
    : `${numbers.format(first)}–${numbers.format(first + result.items.length - 1)} of ${plural(result.total, 'file')}`;
  $('prev').disabled = catalog.page <= 1;
  $('next').disabled = catalog.page >= last;
  $('files-empty').textContent = search ? `No file's name contains “${search}”.` : 'No file has been published yet. Open a peer above and publish one.';
  $('files-empty').hidden = result.total > 0;
  for (const th of $('files').querySelectorAll('th[data-sort]')) {
    th.setAttribute('aria-sort', th.dataset.sort === sort ? (order === 'asc' ? 'ascending' : 'descending') : 'none');
  }
  return undefined;
}

// A file kept at more than one copy says how many seed it now against its target ("2 of 3 copies online").
function copiesNote(f) {
  if (!(f.copies > 1)) return null;
  return el('span', { class: f.seeders < f.copies ? 'copies-note short' : 'copies-note' }, ` · ${f.seeders} of ${f.copies} copies online`);
}

// A file's magnet link: its info-hash, name, and this gateway's /announce (it forwards announces to the ring).
function magnetOf(f) {
  const announce = new URL('announce', new URL('/', location.href)).href;
  return `magnet:?xt=urn:btih:${f.infoHash}&dn=${encodeURIComponent(f.name)}&tr=${encodeURIComponent(announce)}`;
}

async function copyMagnet(f) {
  const magnet = magnetOf(f);
  try {
    await navigator.clipboard.writeText(magnet);
    $('copied').textContent = `The magnet link of ${f.name} is copied.`;
  } catch {
    $('copied').textContent = `Copy this magnet link: ${magnet}`;
  }
  $('copied').hidden = false;
}

function reloadFiles(resetPage) {
  if (resetPage) catalog.page = 1;
  loadFiles().then(() => report('The catalog', null), (e) => report('The catalog', e));
}

$('search').addEventListener('input', () => reloadFiles(true));
$('sort').addEventListener('change', () => reloadFiles(true));
$('available').addEventListener('change', () => reloadFiles(true));
$('prev').addEventListener('click', () => { catalog.page--; reloadFiles(false); });
$('next').addEventListener('click', () => { catalog.page++; reloadFiles(false); });
for (const th of $('files').querySelectorAll('th[data-sort]')) {
  const button = el('button', { type: 'button', class: 'sorter' }, th.textContent);
  th.replaceChildren(button);
  button.addEventListener('click', () => {
    const { sort, order } = sortChoice();
    const first = { name: 'asc', size: 'desc', seeders: 'desc', published: 'desc' }[th.dataset.sort];
    const next = sort === th.dataset.sort ? (order === 'asc' ? 'desc' : 'asc') : first;
    const value = `${th.dataset.sort}:${next}`;
    if (![...$('sort').options].some((o) => o.value === value)) $('sort').append(el('option', { value }, `${th.dataset.sort}, ${next === 'asc' ? 'ascending' : 'descending'}`));
    $('sort').value = value;
    reloadFiles(true);
  });
}

// ---- dark mode: follows the system until the user picks one (remembered) ----------------------------------

const systemDark = window.matchMedia('(prefers-color-scheme: dark)');

function isDark() {
  const chosen = document.documentElement.dataset.theme;
  return chosen ? chosen === 'dark' : systemDark.matches;
}

function showTheme() {
  const dark = isDark();
  $('theme').setAttribute('aria-pressed', String(dark));
  $('theme').textContent = dark ? 'Light mode' : 'Dark mode';
}

$('theme').addEventListener('click', () => {
  const next = isDark() ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem('theme', next); } catch { /* not remembered, still applied */ }
  showTheme();
});
systemDark.addEventListener('change', showTheme);
showTheme();

// ---- live updates: the ring every 2 s, the fleet every 3 s, the catalog every 5 s; paused while hidden ---------

function every(part, load, milliseconds) {
  const run = async () => {
    if (document.hidden) return;
    try {
      await load();
      report(part, null);
    } catch (e) {
      report(part, e);
    }
  };
  run();
  setInterval(run, milliseconds);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) run(); });
}

every('The ring', loadRing, 2000);
every('The peers', loadFleet, 3000);
every('The catalog', loadFiles, 5000);
