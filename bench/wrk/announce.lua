-- wrk script: BitTorrent announces spread over 1,000 torrents and 100,000 peers, half of them seeders.
local hashes = {}
for i = 1, 1000 do
  local bytes = {}
  for b = 1, 20 do
    local v
    if b <= 4 then v = math.floor(i / (256 ^ (4 - b))) % 256 else v = (b * 31 + 7) % 256 end
    bytes[b] = string.format("%%%02x", v)
  end
  hashes[i] = table.concat(bytes)
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(os.time() + id * 7919)
end

function request()
  local peer = math.random(1, 100000)
  local path = "/announce?info_hash=" .. hashes[math.random(1, #hashes)]
    .. "&peer_id=-WR0001-" .. string.format("%012d", peer)
    .. "&port=" .. (10000 + peer % 50000)
    .. "&uploaded=0&downloaded=0&left=" .. ((peer % 2 == 0) and "0" or "1000")
    .. "&compact=1&numwant=50"
  return wrk.format("GET", path)
end
