#!/usr/bin/python3
"""One libtorrent client for make bench: seeds or downloads one torrent through our tracker only.

usage: libtorrent_client.py seed|leech TORRENT DIR PORT [stay]
TORRENT is a .torrent file, or (to leech) a magnet link: the metadata then comes from the peers (BEP 9).
DHT, local service discovery, UPnP and NAT-PMP are off; it listens on 127.0.0.1 only.
A leecher prints 'done <seconds>' when the download completes, then exits; with 'stay' it goes on
seeding to the rest of the swarm until it is stopped.
"""
import os
import sys
import time

import libtorrent as lt

mode, torrent, folder, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
stay = len(sys.argv) > 5 and sys.argv[5] == 'stay'
settings = {
    'listen_interfaces': f'127.0.0.1:{port}',
    'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'allow_multiple_connections_per_ip': True,
    # TCP like every other pair: libtorrent's default uTP is throttled by its congestion control on loopback.
    'enable_outgoing_utp': False, 'enable_incoming_utp': False,
    'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
}
session = lt.session(settings)
if torrent.startswith('magnet:'):
    params = lt.parse_magnet_uri(torrent)
else:
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
params.save_path = folder
if mode == 'seed':
    params.flags |= lt.torrent_flags.seed_mode
handle = session.add_torrent(params)
# LT_PEER=host:port: also dial that peer directly (for runs without a tracker).
if os.environ.get('LT_PEER'):
    host, _, peer_port = os.environ['LT_PEER'].rpartition(':')
    handle.connect_peer((host, int(peer_port)))
start = time.monotonic()
print('started', flush=True)
while True:
    status = handle.status()
    if mode == 'leech' and status.is_seeding:
        print(f'done {time.monotonic() - start:.3f}', flush=True)
        if not stay:
            break
        mode = 'seed'

    time.sleep(0.05)
    if mode == 'seed':
        time.sleep(0.5)
