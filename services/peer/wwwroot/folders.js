// Folders in the peer's UI: dropping a folder, a download's file tree (sizes, per-file progress, checkboxes that
// choose which files are fetched), the magnet link, Remove (keep or delete the data) and Unpublish. peer.js draws
// the lists and calls the hooks at the bottom (window.folders) for each row it draws.
'use strict';
(() => {
  const ui = window.peerUi;
  const { api, el, size, say } = ui;

  // ---- dropping a folder: DataTransfer entries walked into files named by their relative paths --------------------
  function readEntries(reader) {
    return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
  }

  async function walk(entry, files) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      files.push({ file, path: entry.fullPath.replace(/^\//, '') });
      return;
    }
    const reader = entry.createReader();
    for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
      for (const child of batch) await walk(child, files);
    }
  }

  // The files of a drop, each with its path inside the dropped folder(s) ('' for a loose file).
  async function droppedFiles(dataTransfer) {
    const entries = Array.from(dataTransfer.items || [])
      .map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null))
      .filter(Boolean);
    if (entries.length === 0 || entries.every((e) => e.isFile)) {
      return Array.from(dataTransfer.files).map((file) => ({ file, path: '' }));
    }
    const files = [];
    for (const entry of entries) await walk(entry, files);
    return files;
  }

  // ---- a download's files: a tree with sizes, progress and checkboxes ---------------------------------------
  const open = new Map(); // download id -> its panel (kept across the list's redraws)

  function tree(files) {
    const root = { folders: new Map(), files: [], length: 0 };
    for (const file of files) {
      const parts = file.path.split('/');
      let node = root;
      node.length += file.length;
      for (const part of parts.slice(0, -1)) {
        if (!node.folders.has(part)) node.folders.set(part, { folders: new Map(), files: [], length: 0 });
        node = node.folders.get(part);
        node.length += file.length;
      }
      node.files.push({ ...file, name: parts[parts.length - 1] });
    }
    return root;
  }

  function drawTree(node, panel, editable) {
    const items = [];
    for (const [name, child] of [...node.folders].sort(([a], [b]) => a.localeCompare(b))) {
      items.push(el('li', { class: 'folder' },
        el('span', { class: 'file-name' }, `${name}/`), el('span', { class: 'meta' }, size(child.length)),
        drawTree(child, panel, editable)));
    }
    for (const file of node.files) {
      const percent = file.progress == null ? null : Math.floor(file.progress * 100);
      items.push(el('li', { class: 'file', 'data-path': file.path },
        el('label', { class: 'file-name' },
          editable ? el('input', { type: 'checkbox', checked: file.wanted, 'aria-label': `fetch ${file.path}`, onchange: () => choose(panel) }) : null,
          ` ${file.name}`),
        el('span', { class: 'meta' }, size(file.length) + (percent == null ? '' : ` · ${percent}%`)),
        percent == null ? null : el('progress', { max: 100, value: percent, 'aria-label': `${file.path} progress` })));
    }
    return el('ul', { class: 'tree' }, items);
  }

  function magnetRow(magnet, name) {
    return el('div', { class: 'magnet' },
      el('input', { type: 'text', readonly: true, value: magnet, 'aria-label': `magnet link of ${name}`, onfocus: (e) => e.target.select() }),
      el('button', { type: 'button', onclick: () => copy(magnet, name) }, 'Copy magnet link'));
  }

  // A choice made while details were being read makes those details old: they are not drawn.
  const versions = new WeakMap();

  async function fill(panel) {
    const version = versions.get(panel) || 0;
    try {
      const details = await api(`api/files/${panel.dataset.id}`);
      if ((versions.get(panel) || 0) !== version) return;
      const editable = details.state !== 'held' && details.state !== 'cancelled';
      panel.replaceChildren(
        magnetRow(details.magnet, details.name),
        editable ? el('p', { class: 'meta' }, 'Tick the files to fetch; the others are not downloaded.') : null,
        drawTree(tree(details.files), panel, editable));
    } catch (e) {
      panel.replaceChildren(el('p', { class: 'error-text' }, e.message));
    }
  }

  async function choose(panel) {
    versions.set(panel, (versions.get(panel) || 0) + 1);
    const files = [...panel.querySelectorAll('li.file')]
      .filter((li) => li.querySelector('input[type=checkbox]')?.checked)
      .map((li) => li.dataset.path);
    if (files.length === 0) {
      say('Choose at least one file; to stop the download, cancel or remove it.');
      fill(panel);
      return;
    }
    try {
      await api(`api/downloads/${panel.dataset.id}/files`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ files }) });
      say(`${files.length} file${files.length === 1 ? '' : 's'} chosen.`, true);
      fill(panel);
      ui.refresh();
    } catch (e) {
      say(e.message);
      fill(panel);
    }
  }

  function toggle(download, button) {
    if (open.has(download.id)) {
      open.get(download.id).remove();
      open.delete(download.id);
    } else {
      const panel = el('div', { class: 'files-panel', 'data-id': download.id });
      open.set(download.id, panel);
      button.closest('li').append(panel);
      fill(panel);
    }
  }

  // ---- removing and unpublishing --------------------------------------------------------------------------
  function confirmRemove(file, published) {
    const dialog = el('dialog', { class: 'remove-dialog', 'aria-label': `Remove ${file.name}` },
      el('form', { method: 'dialog' },
        el('h3', {}, `Remove ${file.name}?`),
        el('p', { class: 'meta' }, 'This peer stops sharing it and it leaves your files.'),
        el('label', {}, el('input', { type: 'radio', name: 'data', value: 'keep', checked: true }), ' Keep the data on disk'),
        el('label', {}, el('input', { type: 'radio', name: 'data', value: 'delete' }), ' Delete the data'),
        published ? el('label', {}, el('input', { type: 'checkbox', name: 'unpublish' }), ' Also take it out of the catalog (unpublish)') : null,
        el('div', { class: 'actions' },
          el('button', { value: 'cancel' }, 'Cancel'),
          el('button', { value: 'remove', class: 'primary' }, 'Remove'))));
    document.body.append(dialog);
    dialog.addEventListener('close', async () => {
      const form = dialog.querySelector('form');
      const deleteData = form.elements.data.value === 'delete';
      const unpublish = !!form.elements.unpublish?.checked;
      dialog.remove();
      if (dialog.returnValue !== 'remove') return;
      await remove(file, deleteData, unpublish);
    });
    dialog.showModal();
  }

  async function remove(file, deleteData, unpublish) {
    try {
      await api(`api/files/${file.infoHash || file.id}?deleteData=${deleteData}${unpublish ? '&unpublish=true' : ''}`, { method: 'DELETE' });
      say(`${file.name} is removed${deleteData ? ' and its data deleted' : '; its data is kept'}${unpublish ? ', and unpublished' : ''}.`, true);
      ui.refresh();
    } catch (e) { say(e.message); }
  }

  async function unpublish(file) {
    if (!window.confirm(`Take ${file.name} out of the catalog? This peer stops sharing it; its data is kept on disk.`)) return;
    await remove(file, false, true);
  }

  async function copy(magnet, name) {
    try {
      await navigator.clipboard.writeText(magnet);
      say(`The magnet link of ${name} is copied.`, true);
    } catch {
      say(`Copy this magnet link: ${magnet}`, true);
    }
  }

  document.getElementById('files-available')?.addEventListener('change', () => ui.refresh());

  // ---- hooks peer.js calls ------------------------------------------------------------------------------
  window.folders = {
    droppedFiles,

    // A download's row: a Files button (the tree with checkboxes) and Remove; an open panel stays open.
    decorateDownload(li, download) {
      const actions = li.querySelector('.actions');
      const button = el('button', { type: 'button', 'aria-expanded': String(open.has(download.id)), onclick: (e) => toggle(download, e.target) }, 'Files');
      actions.prepend(button);
      if (download.state !== 'downloading' && download.state !== 'waiting' && download.state !== 'paused') {
        actions.append(el('button', { type: 'button', onclick: () => confirmRemove(download, false) }, 'Remove'));
      }
      if (download.partial) li.querySelector('.meta').append(' · some files chosen');
      const panel = open.get(download.id);
      if (panel) {
        li.append(panel);
        if (!panel.dataset.filling) {
          panel.dataset.filling = '1';
          fill(panel).finally(() => { delete panel.dataset.filling; });
        }
      }
    },

    // One of my files: its magnet link shown, Remove with a choice, Unpublish for files this peer published.
    decorateMine(li, file) {
      const actions = li.querySelector('.actions');
      if (file.origin === 'published') actions.append(el('button', { type: 'button', onclick: () => unpublish(file) }, 'Unpublish'));
      actions.append(el('button', { type: 'button', onclick: () => confirmRemove(file, file.origin === 'published') }, 'Remove'));
      li.append(magnetRow(file.magnet, file.name));
    },

    // A catalog row: stale entries (no seeder for a long time) say so.
    decorateCatalog(li, file) {
      if (file.available === false) li.querySelector('.meta').append(' · no seeder for a long time');
      li.querySelector('.actions').append(el('button', { type: 'button', onclick: () => copy(file.magnet, file.name) }, 'Copy magnet link'));
    },

    hideStale: () => document.getElementById('files-available')?.checked === true,
  };
})();
