using BitTorrent.ChordNode.Ring;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.ChordNode.Api;

/// <summary>
/// Where one DHT key lives: its ring id (SHA-1 of the key's UTF-8 text), its owner (primary: the id's successor)
/// and every replica holder, the owner first; and how many remote hops the lookup took.
/// </summary>
public sealed record KeyPlacement(string Key, Id160 Id, NodeRef Owner, IReadOnlyList<NodeRef> Holders, int Hops);

/// <summary>
/// The placement of what a user typed: a DHT key as given, or for an info-hash (40 hex digits) the keys the
/// tracker keeps for that file (its .torrent, its swarm and its catalog partition).
/// </summary>
public sealed record KeyPlacementView(string Input, int Replicas, IReadOnlyList<KeyPlacement> Keys);
