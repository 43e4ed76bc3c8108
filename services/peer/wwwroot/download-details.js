// The details of one download: its peers, a map of its pieces coloured by the peer that served each,
// upload statistics, the order switch and Play for audio and video while it downloads. Reads
// GET api/downloads/{id}; refreshed when the page's event stream reports on it, or every second
// when the stream is down. Uses the page's helpers (api, el, size, say) from peer.js.
'use strict';
const DownloadDetails = (() => {
  const media = /\.(mp4|m4v|webm|ogv|ogg|mov|mkv|mp3|m4a|aac|oga|opus|wav|flac)$/i;
  const audio = /\.(mp3|m4a|aac|oga|opus|wav|flac)$/i;
  const view = { id: null, data: null, timer: null, busy: false, due: false, player: null };

  // A colour per source character, far apart around the hue circle; the same source keeps its colour.
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  // Lighter in dark mode, so the squares stand out from the dark panel.
  const colourOf = (key) => `hsl(${(alphabet.indexOf(key) * 137.5) % 360} 65% ${window.peerTheme && window.peerTheme.dark() ? 60 : 45}%)`;
  const percent = (x) => `${Math.floor(x * 1000) / 10}%`;
  const rate = (bytes) => `${size(bytes)}/s`;

  function panel() { return document.getElementById('download-details'); }

  async function open(id) {
    if (view.id !== id) close();
    view.id = id;
    panel().hidden = false;
    panel().dataset.infohash = id;
    await load();
    panel().scrollIntoView({ block: 'start' });
    clearInterval(view.timer);
    // While the event stream is up, events trigger refreshes; this keeps peers' rates moving when it is not.
    view.timer = setInterval(() => { if (!window.liveEvents || !window.liveEvents.open) load(); }, 1000);
  }

  function close() {
    clearInterval(view.timer);
    if (view.player) view.player.pause();
    view.id = null;
    view.data = null;
    view.player = null;
    const section = panel();
    if (section) { section.hidden = true; section.replaceChildren(); }
  }

  // Refreshes at most one request at a time; an event during a request asks for one more after it.
  async function load() {
    if (!view.id) return;
    if (view.busy) { view.due = true; return; }
    view.busy = true;
    try {
      view.data = await api(`api/downloads/${view.id}`);
      render(view.data);
    } catch (e) {
      if (view.id) say(e.message);
      close();
    } finally {
      view.busy = false;
      if (view.due) { view.due = false; load(); }
    }
  }

  function onEvent(event) {
    if (!view.id || event.id !== view.id) return;
    if (event.kind === 'removed') { close(); return; }
    load();
  }

  async function setOrder(sequential) {
    try {
      await api(`api/downloads/${view.id}/order`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sequential }) });
      say(sequential ? 'Pieces now come in file order.' : 'Pieces now come rarest first.', true);
      load();
    } catch (e) { say(e.message); }
  }

  function play(d) {
    const holder = document.getElementById('details-player');
    if (view.player) return;
    const tag = audio.test(d.name) ? 'audio' : 'video';
    view.player = el(tag, { controls: true, autoplay: true, preload: 'auto', src: `api/files/${d.id}/content`, 'aria-label': `${d.name} player` });
    view.player.muted = tag === 'video'; // browsers start muted video without a gesture; the user unmutes
    view.player.addEventListener('error', () => say(`${d.name} cannot be played here: the browser does not read this format, or its first part has not arrived yet.`));
    holder.replaceChildren(view.player);
  }

  function render(d) {
    const section = panel();
    const running = d.state === 'downloading' || d.state === 'waiting' || d.state === 'paused';
    const stats = [
      ['Downloaded', `${size(d.bytesDone)} of ${size(d.totalBytes)} (${percent(d.progress)})`],
      ['Download speed', rate(d.bytesPerSecond)],
      ['Uploaded', size(d.uploadedBytes)],
      ['Upload speed', rate(d.uploadBytesPerSecond)],
      ['Ratio', d.ratio.toFixed(2)],
      ['Pieces', `${d.piecesDone} of ${d.pieceCount}`],
      ['Peers', String(d.peerCount)],
    ];
    const head = el('div', { class: 'row' },
      el('h2', {}, d.name),
      el('span', { class: 'actions' },
        media.test(d.name) && d.state !== 'cancelled' && d.state !== 'failed'
          ? el('button', { class: 'primary', id: 'details-play', onclick: () => play(d) }, 'Play')
          : null,
        d.contentUrl && !media.test(d.name) ? el('a', { class: 'button primary', href: d.contentUrl, target: '_blank' }, 'Open') : null,
        el('button', { onclick: close, 'aria-label': 'Close the details' }, 'Close')));
    const order = running
      ? el('label', { class: 'order' },
        el('input', { type: 'checkbox', id: 'details-sequential', checked: d.sequential, onchange: (event) => setOrder(event.target.checked) }),
        ' Download in order (to play while it downloads)')
      : null;
    const map = el('canvas', { id: 'piece-map', role: 'img', 'aria-label': `Map of ${d.pieceCount} pieces: ${d.piecesDone} verified` });
    const legend = el('ul', { class: 'legend' },
      el('li', {}, el('i', { style: 'background: var(--piece-missing)' }), 'missing'),
      el('li', {}, el('i', { style: 'background: var(--piece-requested)' }), 'requested'),
      [...d.pieces].some((p, i) => p === 'v' && d.pieceSources[i] === '.')
        ? el('li', {}, el('i', { style: 'background: var(--piece-here)' }), 'verified before this run')
        : null,
      ...d.sources.map((s) => el('li', {}, el('i', { style: `background: ${colourOf(s.key)}` }), s.address)));
    const peers = d.peers.length === 0
      ? el('p', { class: 'muted' }, d.state === 'completed' ? 'No peer is connected: nobody is downloading it from you now.' : 'No peer is connected right now.')
      : el('div', { class: 'table' }, el('table', { id: 'details-peers' },
        el('thead', {}, el('tr', {}, ...['Address', 'Client', 'Down', 'Up', 'Has', ''].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...d.peers.map((p) => el('tr', {},
          el('td', { 'data-label': 'Address' },
            p.source ? el('i', { class: 'swatch', style: `background: ${colourOf(p.source)}`, title: 'its colour in the piece map' }) : null, p.address),
          el('td', { 'data-label': 'Client' }, p.client || 'unknown'),
          el('td', { 'data-label': 'Down' }, rate(p.downloadBytesPerSecond)),
          el('td', { 'data-label': 'Up' }, rate(p.uploadBytesPerSecond)),
          el('td', { 'data-label': 'Has' }, percent(p.has)),
          el('td', {}, p.seeder ? el('span', { class: 'state completed' }, 'seeder') : el('span', { class: 'state' }, 'leecher')))))));
    if (!document.getElementById('details-player')) {
      section.replaceChildren(el('div', { id: 'details-top' }), el('div', { id: 'details-player', class: 'player' }), el('div', { id: 'details-bottom' }));
    }
    document.getElementById('details-top').replaceChildren(head, el('dl', { class: 'stats' }, ...stats.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v)))), order);
    document.getElementById('details-bottom').replaceChildren(el('h3', {}, 'Pieces'), map, legend, el('h3', {}, 'Peers'), peers);
    draw(map, d);
  }

  // One square per piece, rows filling the width; verified pieces in their source's colour.
  function draw(canvas, d) {
    const n = d.pieces.length;
    const width = Math.max(200, canvas.parentElement.clientWidth);
    const cell = Math.max(3, Math.min(16, Math.floor(Math.sqrt((width * 160) / Math.max(1, n)))));
    const columns = Math.max(1, Math.floor(width / cell));
    const rows = Math.ceil(n / columns);
    const ratio = window.devicePixelRatio || 1;
    canvas.width = columns * cell * ratio;
    canvas.height = Math.max(1, rows * cell) * ratio;
    canvas.style.width = `${columns * cell}px`;
    const g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    const missing = resolved(canvas, '--piece-missing');
    const requested = resolved(canvas, '--piece-requested');
    const here = resolved(canvas, '--piece-here');
    const gap = cell > 5 ? 1 : 0;
    for (let i = 0; i < n; i++) {
      const state = d.pieces[i], source = d.pieceSources[i];
      g.fillStyle = state === 'v' ? (source === '.' ? here : colourOf(source)) : state === 'r' ? requested : missing;
      g.fillRect((i % columns) * cell, Math.floor(i / columns) * cell, cell - gap, cell - gap);
    }
  }

  // A colour variable as the canvas can use it: light-dark() resolved for the page's current scheme.
  function resolved(canvas, variable) {
    const probe = el('i', { style: `color: var(${variable})`, hidden: '' });
    canvas.parentElement.append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  }

  // Redrawn (map and legend) when the theme changes.
  document.addEventListener('themechange', () => { if (view.data && document.getElementById('piece-map')) render(view.data); });

  // The map's squares follow the width: redrawn when the window changes size.
  let resizing;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { if (view.data && document.getElementById('piece-map')) draw(document.getElementById('piece-map'), view.data); }, 100);
  });

  return { open, close, onEvent, get id() { return view.id; } };
})();
