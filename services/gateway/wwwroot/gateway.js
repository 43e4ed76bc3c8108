// The gateway's landing page: catalog, peers and ring, all from the tracker API through the gateway.
const $ = (id) => document.getElementById(id);

function size(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
  return `${i === 0 ? bytes : bytes.toFixed(1)} ${units[i]}`;
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) {
    let detail = `The tracker answered ${response.status}.`;
    try { detail = (await response.json()).detail || detail; } catch { /* not problem details */ }
    throw new Error(detail);
  }
  return response.json();
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function loadFiles() {
  const search = $('search').value.trim();
  const files = await getJson('api/tracker/files' + (search ? `?search=${encodeURIComponent(search)}` : ''));
  const body = $('files').querySelector('tbody');
  body.replaceChildren(...files.map((f) => {
    const tr = document.createElement('tr');
    const link = document.createElement('a');
    link.href = `api/tracker/files/${f.infoHash}/torrent`;
    link.textContent = '.torrent';
    link.download = `${f.name}.torrent`;
    const action = document.createElement('td');
    action.append(link);
    tr.append(cell(f.name), cell(size(f.length), 'num'), cell(f.seeders, 'num'), cell(f.leechers, 'num'), action);
    return tr;
  }));
  $('files-empty').hidden = files.length > 0;
}

async function loadPeers() {
  const peers = await getJson('api/tracker/peers');
  $('peers').replaceChildren(...peers.map((p) => {
    const li = document.createElement('li');
    const link = document.createElement('a');
    link.href = `peers/${p.peerId}/`;
    link.textContent = `Peer ${p.peerId}`;
    li.append(link, ` — transfer ${p.transferHost}:${p.transferPort}`);
    return li;
  }));
  $('peers-empty').hidden = peers.length > 0;
}

async function loadRing() {
  const ring = await getJson('api/tracker/ring');
  $('ring').replaceChildren(...ring.members.map((m) => {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = m.id.slice(0, 12);
    li.append(code, ` ${m.url} → ${m.successors[0] ?? 'itself'}`);
    return li;
  }));
}

async function refresh() {
  try {
    await Promise.all([loadFiles(), loadPeers(), loadRing()]);
    $('error').hidden = true;
  } catch (e) {
    $('error').textContent = `The tracker could not be reached: ${e.message}`;
    $('error').hidden = false;
  }
}

$('search').addEventListener('input', () => loadFiles().catch(() => {}));
refresh();
setInterval(refresh, 5000);
