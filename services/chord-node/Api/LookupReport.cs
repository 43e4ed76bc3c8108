using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Api;

public sealed record LookupReport(Id160 Id, NodeRef Successor, int Hops);
