using System.Text.Json;
using System.Text.Json.Serialization;
using BitTorrent.Shared.Identifiers;

namespace BitTorrent.Shared.Discovery;

/// <summary>What a chord node multicasts about itself: <c>{"id":"&lt;40 hex&gt;","url":"http://host:port"}</c>.</summary>
public sealed record NodeAnnouncement(Id160 Id, string Url)
{
    /// <summary>Datagrams larger than this are not announcements.</summary>
    public const int MaxDatagramBytes = 1024;

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, DiscoveryJsonContext.Default.NodeAnnouncement);

    /// <summary>Parses a datagram; null for anything that is not a well-formed announcement with an absolute http(s) url.</summary>
    public static NodeAnnouncement? TryParse(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty || datagram.Length > MaxDatagramBytes) return null;
        NodeAnnouncement? announcement;
        try
        {
            announcement = JsonSerializer.Deserialize(datagram, DiscoveryJsonContext.Default.NodeAnnouncement);
        }
        catch (JsonException)
        {
            return null;
        }
        if (announcement?.Url is not { } url
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return null;
        return announcement;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NodeAnnouncement))]
internal sealed partial class DiscoveryJsonContext : JsonSerializerContext;
