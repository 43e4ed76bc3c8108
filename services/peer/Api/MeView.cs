namespace BitTorrent.Peer.Api;

/// <summary>Who this peer is and how it reaches the tracker.</summary>
public sealed record MeView(long PeerId, bool Ready, string ApiUrl, string TransferHost, int TransferPort, TrackerView Tracker);
