using System.Security.Cryptography;
using System.Text;
using BitTorrent.Peer.Hosting;
using BitTorrent.Peer.Storage;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Access;

/// <summary>
/// The secret that controls this peer: <c>Peer:ApiKey</c> when configured, otherwise the one in
/// <c>Storage/api-key</c>, made at first start from 256 random bits (mode 0600, written to a temporary file,
/// flushed, then renamed). Keys are compared in constant time; the web UI's session cookies are MACs under it,
/// never the key itself, so a session survives a restart and ends when the key changes.
/// </summary>
public sealed class ApiKey
{
    public const string FileName = "api-key";
    private readonly byte[] _key;
    private readonly byte[] _keyDigest;

    public ApiKey(IOptions<PeerOptions> options, PeerStorage storage)
    {
        Path = System.IO.Path.Combine(storage.Root, FileName);
        var configured = options.Value.ApiKey?.Trim();
        Value = string.IsNullOrEmpty(configured) ? LoadOrCreate(Path) : configured;
        FromConfiguration = !string.IsNullOrEmpty(configured);
        _key = Encoding.UTF8.GetBytes(Value);
        _keyDigest = SHA256.HashData(_key);
        // Cookies ignore ports, so peers on one host see each other's: the name is this key's, not a fixed one.
        CookieName = "peer-session-" + Convert.ToHexStringLower(Mac("cookie-name"))[..16];
    }

    /// <summary>Where the generated key is kept (also when the key comes from configuration: then the file is not used).</summary>
    public string Path { get; }

    public string Value { get; }

    public bool FromConfiguration { get; }

    /// <summary>The name of this peer's session cookie.</summary>
    public string CookieName { get; }

    /// <summary>True when <paramref name="candidate"/> is the key; the time taken does not depend on how much of it matches.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _keyDigest);

    /// <summary>A new session cookie value: issue time, a random id, and their MAC under the key.</summary>
    public string NewSession(DateTimeOffset now)
    {
        var body = $"{now.ToUnixTimeSeconds()}.{Base64Url(RandomNumberGenerator.GetBytes(16))}";
        return body + "." + Base64Url(Mac("session:" + body));
    }

    /// <summary>True for a session value this key made that is not older than <paramref name="lifetime"/>.</summary>
    public bool IsSession(string? value, DateTimeOffset now, TimeSpan lifetime)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200) return false;
        var lastDot = value.LastIndexOf('.');
        if (lastDot <= 0) return false;
        var body = value[..lastDot];
        var expected = Base64Url(Mac("session:" + body));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(value[(lastDot + 1)..])))
            return false;
        var firstDot = body.IndexOf('.');
        if (firstDot <= 0 || !long.TryParse(body[..firstDot], out var issued)) return false;
        var age = now - DateTimeOffset.FromUnixTimeSeconds(issued);
        return age >= TimeSpan.FromMinutes(-5) && age <= lifetime;
    }

    private byte[] Mac(string purpose) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(purpose));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var kept = File.ReadAllText(path).Trim();
            if (kept.Length > 0) return kept;
        }
        var key = Base64Url(RandomNumberGenerator.GetBytes(32));
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(key + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        return key;
    }
}
