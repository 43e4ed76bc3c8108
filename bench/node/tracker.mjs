// webtorrent's bittorrent-tracker as an HTTP tracker only (one Node process, no replication),
// the reference make bench measures our ring against.
import Server from 'bittorrent-tracker/server'

const port = Number(process.argv[2] ?? 8000)
const server = new Server({ udp: false, http: true, ws: false, stats: false, trustProxy: false })
server.on('error', (err) => { console.error(err.message); process.exit(1) })
server.listen(port, '127.0.0.1', () => console.log(`bittorrent-tracker listening on 127.0.0.1:${port}`))
