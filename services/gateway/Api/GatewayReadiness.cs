namespace BitTorrent.Gateway.Api;

/// <summary>The body of the gateway's /readyz: its state and the chord nodes its proxy routes to.</summary>
public sealed record GatewayReadiness(string Status, IReadOnlyList<string> ChordNodes);
