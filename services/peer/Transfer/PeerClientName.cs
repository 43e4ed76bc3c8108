namespace BitTorrent.Peer.Transfer;

/// <summary>
/// Which client a peer runs, read from its peer id the Azureus way (<c>-XX1234-</c>: two letters
/// for the client, four characters of version), as the handshake gives it. A client name from the
/// BEP 10 extension handshake, where a connection has one, is preferred over this.
/// </summary>
public static class PeerClientName
{
    private static readonly Dictionary<string, string> Clients = new(StringComparer.Ordinal)
    {
        ["DD"] = "D&D BitTorrent",
        ["qB"] = "qBittorrent",
        ["TR"] = "Transmission",
        ["UT"] = "µTorrent",
        ["UM"] = "µTorrent Mac",
        ["LT"] = "libtorrent (Rasterbar)",
        ["lt"] = "libTorrent (rakshasa)",
        ["DE"] = "Deluge",
        ["AZ"] = "Vuze",
        ["BT"] = "BitTorrent",
        ["KT"] = "KTorrent",
        ["WW"] = "WebTorrent",
        ["AR"] = "aria2",
        ["A2"] = "aria2",
        ["BI"] = "BiglyBT",
        ["FD"] = "Free Download Manager",
    };

    /// <summary>
    /// The client and version of an Azureus-style peer id (one char per byte, as
    /// <see cref="PeerIdentity.Key"/> makes it), e.g. "qBittorrent 4.6.2"; the printable prefix of
    /// any other id; null when there is no id yet.
    /// </summary>
    public static string? FromPeerId(string? peerId)
    {
        if (peerId is null || peerId.Length < 8) return null;
        if (peerId[0] == '-' && peerId[7] == '-' && IsAlnum(peerId[1]) && IsAlnum(peerId[2]))
        {
            var code = peerId.Substring(1, 2);
            var name = Clients.GetValueOrDefault(code, code);
            var version = string.Join('.', peerId.Substring(3, 4).Where(IsAlnum));
            return version.Length == 0 ? name : $"{name} {version}";
        }
        if (peerId.StartsWith("aria2-", StringComparison.Ordinal)) return "aria2";
        var printable = new string([.. peerId.Take(8).Select(c => c is >= ' ' and < '\x7f' ? c : '.')]);
        return printable.Trim('.').Length == 0 ? "unknown" : printable;
    }

    private static bool IsAlnum(char c) => c is >= '0' and <= '9' or >= 'A' and <= 'Z' or >= 'a' and <= 'z';
}
