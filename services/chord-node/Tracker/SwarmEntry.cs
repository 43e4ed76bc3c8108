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
