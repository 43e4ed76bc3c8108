namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>A registered peer, as anyone may read it.</summary>
public sealed record PeerInfo(long PeerId, string TransferHost, int TransferPort, string? ApiUrl, DateTimeOffset LastSeen);
