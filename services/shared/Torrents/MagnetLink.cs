using System.Diagnostics.CodeAnalysis;
using System.Text;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Shared.Torrents;

/// <summary>
/// A BitTorrent magnet link (BEP 9): <c>magnet:?xt=urn:btih:&lt;info-hash&gt;&amp;dn=&lt;name&gt;&amp;tr=&lt;announce url&gt;</c>.
/// The info-hash is 40 hex digits or 32 base32 characters; <c>dn</c> and <c>tr</c> are optional (several
/// <c>tr</c> allowed), and <c>x.pe</c> names peers to ask. Everything is untrusted and bounded.
/// </summary>
public sealed record MagnetLink(Id160 InfoHash, string? Name, IReadOnlyList<string> Trackers, IReadOnlyList<string> Peers)
{
    /// <summary>The longest magnet link accepted.</summary>
    public const int MaxLength = 8 * 1024;

    /// <summary>The most trackers and the most peers read from one link.</summary>
    public const int MaxTrackers = 20;
    public const int MaxPeers = 50;

    private const string Prefix = "magnet:?";

    public static MagnetLink Create(Id160 infoHash, string? name, params IEnumerable<string?> trackers) =>
        new(infoHash, name, [.. trackers.Where(t => !string.IsNullOrEmpty(t)).Cast<string>().Distinct()], []);

    /// <summary>The link text: xt first, then dn and every tr, percent-encoded.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Prefix).Append("xt=urn:btih:").Append(InfoHash.ToString());
        if (!string.IsNullOrEmpty(Name)) text.Append("&dn=").Append(Uri.EscapeDataString(Name));
        foreach (var tracker in Trackers) text.Append("&tr=").Append(Uri.EscapeDataString(tracker));
        foreach (var peer in Peers) text.Append("&x.pe=").Append(Uri.EscapeDataString(peer));
        return text.ToString();
    }

    /// <summary>Reads a magnet link; false with a sentence saying what is wrong.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out MagnetLink? magnet, [NotNullWhen(false)] out string? error)
    {
        magnet = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return Fail("the magnet link is empty", out error);
        if (text.Length > MaxLength) return Fail($"the magnet link is longer than {MaxLength} characters", out error);
        if (!text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) return Fail("a magnet link starts with 'magnet:?'", out error);

        Id160? infoHash = null;
        var v2Only = false;
        string? name = null;
        var trackers = new List<string>();
        var peers = new List<string>();
        foreach (var pair in text[Prefix.Length..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) continue;
            var key = pair[..equals];
            // Invalid escapes ("%zz") are kept as they are, as browsers do.
            var value = Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            switch (key.ToLowerInvariant())
            {
                case "xt" or "xt.1" or "xt.2":
                    if (value.StartsWith("urn:btih:", StringComparison.OrdinalIgnoreCase))
                    {
                        if (!TryParseInfoHash(value["urn:btih:".Length..], out var parsed))
                            return Fail("the info-hash after 'urn:btih:' is neither 40 hex digits nor 32 base32 characters", out error);
                        infoHash = parsed;
                    }
                    else if (value.StartsWith("urn:btmh:", StringComparison.OrdinalIgnoreCase)) v2Only = true;
                    break;
                case "dn":
                    name = value.Length > 1024 ? value[..1024] : value;
                    break;
                case "tr":
                    if (trackers.Count < MaxTrackers && Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" or "udp")
                        trackers.Add(value);
                    break;
                case "x.pe":
                    if (peers.Count < MaxPeers && value.Length <= 300) peers.Add(value);
                    break;
            }
        }
        if (infoHash is not { } hash)
        {
            return v2Only
                ? Fail("the magnet link names only a v2 (BEP 52) info-hash, which cannot be verified here", out error)
                : Fail("the magnet link has no 'xt=urn:btih:<info-hash>'", out error);
        }
        magnet = new MagnetLink(hash, name, trackers, peers);
        error = null;
        return true;
    }

    private static bool TryParseInfoHash(string text, out Id160 infoHash)
    {
        infoHash = default;
        if (text.Length == 40) return Id160.TryParse(text.ToLowerInvariant(), out infoHash);
        if (text.Length != 32) return false;
        // Base32 (RFC 4648, upper or lower case): 32 characters of 5 bits are the 20 bytes.
        Span<byte> bytes = stackalloc byte[20];
        var buffer = 0UL;
        var bits = 0;
        var written = 0;
        foreach (var c in text)
        {
            int value = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a',
                >= '2' and <= '7' => c - '2' + 26,
                _ => -1,
            };
            if (value < 0) return false;
            buffer = (buffer << 5) | (uint)value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes[written++] = (byte)(buffer >> bits);
            }
        }
        infoHash = new Id160(bytes);
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
