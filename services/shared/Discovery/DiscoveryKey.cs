using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Shared.Discovery;

/// <summary>
/// The key that signs and verifies discovery announcements: the ring secret. A chord node signs every
/// announcement with HMAC-SHA256 over its id, url and a timestamp; a listener holding the key (a node, the
/// gateway) accepts only announcements signed with it and no older or newer than
/// <see cref="DiscoveryOptions.SignatureWindow"/>. A listener without it (a peer) verifies nothing and may use
/// what it hears only for calls that carry no secret.
/// </summary>
public sealed class DiscoveryKey
{
    /// <summary>No key: announcements are sent unsigned and heard unverified.</summary>
    public static readonly DiscoveryKey None = new(null);

    private const string Domain = "bittorrent-discovery/1";
    private readonly byte[]? _key;

    public DiscoveryKey(string? ringSecret) =>
        _key = string.IsNullOrEmpty(ringSecret) ? null : Encoding.UTF8.GetBytes(ringSecret);

    public bool IsSet => _key is not null;

    /// <summary>HMAC-SHA256 of "bittorrent-discovery/1\n{id}\n{url}\n{timestamp}", lower-case hex.</summary>
    public string Sign(Id160 id, string url, long timestampUnixMs)
    {
        var key = _key ?? throw new InvalidOperationException("No discovery key is set.");
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Message(id, url, timestampUnixMs)));
    }

    /// <summary>Whether <paramref name="signature"/> is this key's signature of the fields (constant time).</summary>
    public bool Verify(Id160 id, string url, long timestampUnixMs, string signature)
    {
        if (_key is null) return false;
        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (signature.Length != 2 * HMACSHA256.HashSizeInBytes
            || Convert.FromHexString(signature, presented, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != presented.Length)
            return false;
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Message(id, url, timestampUnixMs), expected);
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }

    private static byte[] Message(Id160 id, string url, long timestampUnixMs) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Domain}\n{id}\n{url}\n{timestampUnixMs}"));
}
