using System.Text.Json;
using System.Text.Json.Serialization;
using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.ChordNode.Tracker;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SwarmEntry))]
[JsonSerializable(typeof(CatalogEntry))]
[JsonSerializable(typeof(PeerInfo))]
[JsonSerializable(typeof(PeerRecord))]
[JsonSerializable(typeof(PeerStatus))]
[JsonSerializable(typeof(CopiesIndexEntry))]
[JsonSerializable(typeof(VolunteerEntry))]
internal sealed partial class TrackerJsonContext : JsonSerializerContext;
