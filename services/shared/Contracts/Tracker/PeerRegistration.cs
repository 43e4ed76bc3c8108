namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A peer's addresses, sent when it registers (POST) and each time it starts (PUT). Every field is required:
/// the transfer host is an IP address or a host name, the API url an absolute http(s) url, and neither may
/// name a link-local, metadata, multicast or unspecified address (<see cref="PeerAddressRules"/>).
/// </summary>
public sealed record PeerRegistration(string TransferHost, int TransferPort, string ApiUrl);
