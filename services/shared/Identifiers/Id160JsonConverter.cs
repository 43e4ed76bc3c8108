using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BitTorrent.Shared.Identifiers;

/// <summary>Writes identifiers as 40 lower-case hex digits.</summary>
public sealed class Id160JsonConverter : JsonConverter<Id160>
{
    public override Id160 Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return Id160.TryParse(text, out var id) ? id : throw new JsonException($"'{text}' is not a 160-bit hex identifier.");
    }

    public override void Write(Utf8JsonWriter writer, Id160 value, JsonSerializerOptions options)
    {
        Span<char> chars = stackalloc char[2 * Id160.ByteLength];
        value.TryFormat(chars, out _, default, CultureInfo.InvariantCulture);
        writer.WriteStringValue(chars);
    }
}
