using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BitTorrent.ChordNode.Tracker;

/// <summary>
/// A member of <c>swarm/{infoHash}</c>. The set member is the numeric tracker id of a peer that joined by REST
/// (with its token), or <c>{peer_id hex}@{address}</c> for a client that announced (<see cref="MemberKey"/>).
/// </summary>
public sealed record SwarmEntry(
    [property: JsonPropertyOrder(0)] bool Seeder,
    [property: JsonPropertyOrder(1)] string PeerId,
    [property: JsonPropertyOrder(2)] string Host,
    [property: JsonPropertyOrder(3)] int Port)
{
    // "seeder" is written first, and only this tracker writes swarm values, so counting seeders needs no parse.
    private const string SeederPrefix = "{\"seeder\":true";

    /// <summary>
    /// The set member of an announced entry: peer_id and address together, so an announce from another address
    /// under the same peer_id (a guess, or a forgery) makes an entry of its own and never moves or removes this one.
    /// </summary>
    public static string MemberKey(string peerIdHex, string host) => peerIdHex + "@" + host;

    // The peer's address as 4 or 16 bytes, parsed once per entry: the peer-list cache keeps an entry while its stored value
    // stays the same, so a swarm's entries are handed out in many announces' compact lists without parsing the host each time.
    private byte[]? _address;

    /// <summary>The host as IPv4 (4 bytes, a mapped address unwrapped) or IPv6 (16 bytes) address bytes; empty when it is no address.</summary>
    public ReadOnlySpan<byte> AddressBytes() => _address ??= ParseAddress(Host);

    // Equality is the record's value; the parsed address is a cache of it.
    public bool Equals(SwarmEntry? other) =>
        other is not null && Seeder == other.Seeder && PeerId == other.PeerId && Host == other.Host && Port == other.Port;

    public override int GetHashCode() => HashCode.Combine(Seeder, PeerId, Host, Port);

    private static byte[] ParseAddress(string host)
    {
        if (!IPAddress.TryParse(host, out var address)) return [];
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return address.GetAddressBytes();
    }

    public string ToJson() => JsonSerializer.Serialize(this, TrackerJsonContext.Default.SwarmEntry);

    public static SwarmEntry? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, TrackerJsonContext.Default.SwarmEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether a stored swarm value is a seeder's, without deserializing it (the announce hot path).</summary>
    public static bool IsSeederJson(string json) => json.StartsWith(SeederPrefix, StringComparison.Ordinal);
}
