using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>
/// A peer's secret token: <c>&lt;peerId&gt;.&lt;43 base64url characters&gt;</c> (256 random bits), given once at
/// registration and sent as <c>Authorization: Bearer &lt;token&gt;</c>. The id in front lets the tracker find
/// the record to check it against; the tracker stores only the token's SHA-256.
/// </summary>
public static class PeerToken
{
    public const string Scheme = "Bearer";

    /// <summary>Tokens longer than this are not ours (the check never hashes unbounded input).</summary>
    public const int MaxLength = 64;

    private const int SecretBytes = 32;

    public static string Create(long peerId) =>
        peerId.ToString(CultureInfo.InvariantCulture) + "." + Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>The peer id a well-formed token names; false for anything else.</summary>
    public static bool TryGetPeerId(string? token, out long peerId)
    {
        peerId = 0;
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength) return false;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && dot < token.Length - 1
            && long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out peerId)
            && peerId > 0;
    }

    /// <summary>What the tracker stores: SHA-256 of the token, lower-case hex.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Whether <paramref name="token"/> is the one whose hash was stored; constant time in the hash.</summary>
    public static bool Matches(string? token, string? storedHash)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength || string.IsNullOrEmpty(storedHash)) return false;
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        if (Convert.FromHexString(storedHash, expected, out _, out var written) != System.Buffers.OperationStatus.Done || written != expected.Length)
            return false;
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>The token of an <c>Authorization: Bearer &lt;token&gt;</c> header value, or null.</summary>
    public static string? FromAuthorization(string? header)
    {
        if (header is null || !header.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[(Scheme.Length + 1)..].Trim();
        return token.Length is > 0 and <= MaxLength ? token : null;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
