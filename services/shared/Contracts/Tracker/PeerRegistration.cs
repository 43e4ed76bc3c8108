namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>A peer's addresses, sent when it registers (POST) and each time it starts (PUT).</summary>
public sealed record PeerRegistration(string TransferHost, int TransferPort, string? ApiUrl);
