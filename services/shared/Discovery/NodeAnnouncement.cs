using System.Text.Json;
using System.Text.Json.Serialization;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Shared.Discovery;

/// <summary>
/// What a chord node multicasts about itself: <c>{"id":"&lt;40 hex&gt;","url":"http://host:port"}</c>, signed as
/// <c>{"id":…,"url":…,"ts":&lt;unix ms&gt;,"sig":"&lt;HMAC-SHA256 hex&gt;"}</c> (<see cref="DiscoveryKey"/>).
/// </summary>
public sealed record NodeAnnouncement(Id160 Id, string Url)
{
    /// <summary>Datagrams larger than this are not announcements.</summary>
    public const int MaxDatagramBytes = 1024;

    /// <summary>The unsigned form (what a node without a key would send; listeners with a key ignore it).</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, DiscoveryJsonContext.Default.NodeAnnouncement);

    /// <summary>The signed form, stamped with <paramref name="now"/>.</summary>
    public byte[] ToSignedUtf8Json(DiscoveryKey key, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeMilliseconds();
        return JsonSerializer.SerializeToUtf8Bytes(new SignedDatagram(Id, Url, timestamp, key.Sign(Id, Url, timestamp)),
            DiscoveryJsonContext.Default.SignedDatagram);
    }

    /// <summary>Parses a datagram without verifying it; null for anything that is not a well-formed announcement with an absolute http(s) url.</summary>
    public static NodeAnnouncement? TryParse(ReadOnlySpan<byte> datagram) =>
        Parse(datagram) is { } parsed ? new NodeAnnouncement(parsed.Id, parsed.Url) : null;

    /// <summary>
    /// Parses and verifies a datagram: accepted only when well-formed, signed with <paramref name="key"/> and stamped
    /// within <paramref name="window"/> of <paramref name="now"/> (either way, so a replay goes stale and a clock
    /// that runs ahead is no licence).
    /// </summary>
    public static DatagramVerdict TryParseSigned(ReadOnlySpan<byte> datagram, DiscoveryKey key, DateTimeOffset now, TimeSpan window,
        out NodeAnnouncement? announcement)
    {
        announcement = null;
        if (Parse(datagram) is not { } parsed) return DatagramVerdict.Malformed;
        if (parsed.Ts is not { } timestamp || string.IsNullOrEmpty(parsed.Sig)) return DatagramVerdict.Unsigned;
        if (!key.Verify(parsed.Id, parsed.Url, timestamp, parsed.Sig)) return DatagramVerdict.BadSignature;
        if (Math.Abs(now.ToUnixTimeMilliseconds() - timestamp) > window.TotalMilliseconds) return DatagramVerdict.Stale;
        announcement = new NodeAnnouncement(parsed.Id, parsed.Url);
        return DatagramVerdict.Accepted;
    }

    private static SignedDatagram? Parse(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty || datagram.Length > MaxDatagramBytes) return null;
        SignedDatagram? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(datagram, DiscoveryJsonContext.Default.SignedDatagram);
        }
        catch (JsonException)
        {
            return null;
        }
        if (parsed?.Url is not { } url
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return null;
        return parsed;
    }

    internal sealed record SignedDatagram(
        Id160 Id,
        string Url,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Ts,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sig);
}

/// <summary>What became of a datagram a keyed listener received.</summary>
public enum DatagramVerdict { Accepted, Malformed, Unsigned, BadSignature, Stale }

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NodeAnnouncement))]
[JsonSerializable(typeof(NodeAnnouncement.SignedDatagram))]
internal sealed partial class DiscoveryJsonContext : JsonSerializerContext;
