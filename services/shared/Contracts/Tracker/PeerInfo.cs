namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A registered peer, as anyone may read it: its addresses, when it last refreshed its registration, and its last
/// status report (null when it sent none within two of its refresh periods).
/// </summary>
public sealed record PeerInfo(long PeerId, string TransferHost, int TransferPort, string? ApiUrl, DateTimeOffset LastSeen, PeerStatus? Status = null);
