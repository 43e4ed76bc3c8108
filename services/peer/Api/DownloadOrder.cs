namespace BitTorrent.Peer.Api;

/// <summary>The order a download fetches its pieces in: <c>{ "sequential": true }</c> for file order, false for rarest first.</summary>
public sealed record DownloadOrder(bool? Sequential);
