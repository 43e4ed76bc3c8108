// The Volunteer view: how much disk this peer lends the ring (PUT api/settings volunteerMaxBytes) and the volunteer
// copies it fetches or holds (GET api/volunteer), listed apart from the user's own files and downloads.
// Loaded after peer.js and uses its helpers ($, api, el, say, size, state). The space is entered in MiB, 0 = off.
'use strict';

const MiB = 1024 * 1024;
const volunteerStates = { fetching: 'fetching', held: 'seeding', failed: 'failed' };

async function loadVolunteer() {
  const v = await api('api/volunteer');
  // The field is filled only while it is not being edited, so a refresh never overwrites what the user types.
  if (document.activeElement !== $('volunteer-max')) $('volunteer-max').value = v.maxBytes / MiB;
  $('volunteer-summary').textContent = v.maxBytes > 0
    ? `Volunteering: ${size(v.usedBytes)} of ${size(v.maxBytes)} used · up to ${v.maxConcurrentFetches} fetches at once.`
    : (v.copies.length > 0 ? 'Not volunteering: the copies below are being dropped.' : 'Not volunteering.');
  $('volunteer-copies').replaceChildren(...v.copies.map((c) => {
    const percent = Math.floor(c.progress * 100);
    return el('li', { class: 'item', 'data-infohash': c.infoHash, 'data-state': c.state },
      el('div', { class: 'row' },
        el('span', { class: 'name' }, c.name),
        el('span', { class: `state ${c.state === 'held' ? 'have' : c.state}` }, `${volunteerStates[c.state] || c.state} · ${percent}%`)),
      el('progress', { max: 100, value: percent, 'aria-label': `${c.name} progress` }),
      el('div', { class: 'row' },
        el('span', { class: 'meta' }, `${size(c.length)} · since ${new Date(c.since).toLocaleString()}`)));
  }));
  $('volunteer-empty').hidden = v.copies.length > 0;
  return v;
}

$('volunteer-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('volunteer-max').value.trim();
  const mib = Number(text === '' ? '0' : text);
  if (!Number.isFinite(mib) || mib < 0) {
    say('The space for volunteer copies is a number of MiB, 0 to stop volunteering.');
    $('volunteer-max').focus();
    return;
  }
  try {
    const saved = await api('api/settings', { method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ volunteerMaxBytes: Math.round(mib * MiB) }) });
    $('volunteer-max').blur();
    say(saved.volunteerMaxBytes > 0 ? `This peer lends up to ${size(saved.volunteerMaxBytes)} to the ring.` : 'This peer no longer volunteers.', true);
    await loadVolunteer();
  } catch (e) { say(e.message); }
});
