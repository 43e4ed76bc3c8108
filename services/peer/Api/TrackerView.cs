namespace BitTorrent.Peer.Api;

public sealed record TrackerView(string? Current, string? Manual, IReadOnlyList<string> Discovered, IReadOnlyList<string> Candidates);
