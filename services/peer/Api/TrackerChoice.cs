namespace BitTorrent.Peer.Api;

public sealed record TrackerChoice(string? Url);
