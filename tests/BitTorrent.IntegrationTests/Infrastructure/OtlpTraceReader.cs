using System.Text;

namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> (protobuf) into spans: just the fields the tests look at
/// (resource service.name; span trace id, span id, parent, name, kind, string attributes, links). Field numbers
/// are those of opentelemetry/proto/trace/v1/trace.proto; unknown fields are skipped by their wire type.
/// </summary>
public static class OtlpTraceReader
{
    public static List<ReceivedSpan> Read(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue; // ExportTraceServiceRequest.resource_spans
            var service = "";
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1) // ResourceSpans.resource
                {
                    foreach (var (rf, attribute) in Fields(value))
                        if (rf == 1 && KeyValue(attribute) is ("service.name", { } name)) service = name;
                }
            }
            foreach (var (f, scopeSpans) in Fields(resourceSpans))
            {
                if (f != 2) continue; // ResourceSpans.scope_spans
                foreach (var (sf, span) in Fields(scopeSpans))
                    if (sf == 2) spans.Add(Span(span, service)); // ScopeSpans.spans
            }
        }
        return spans;
    }

    private static ReceivedSpan Span(ReadOnlyMemory<byte> span, string service)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var links = new List<(string, string)>();
        var fields = Fields(span, out var varints);
        foreach (var (field, value) in fields)
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Span); break;
                case 2: spanId = Convert.ToHexStringLower(value.Span); break;
                case 4: parent = Convert.ToHexStringLower(value.Span); break;
                case 5: name = Encoding.UTF8.GetString(value.Span); break;
                case 9:
                    if (KeyValue(value) is ({ } key, { } text)) attributes[key] = text;
                    break;
                case 13:
                    string linkTrace = "", linkSpan = "";
                    foreach (var (lf, lv) in Fields(value))
                    {
                        if (lf == 1) linkTrace = Convert.ToHexStringLower(lv.Span);
                        else if (lf == 2) linkSpan = Convert.ToHexStringLower(lv.Span);
                    }
                    links.Add((linkTrace, linkSpan));
                    break;
            }
        }
        if (varints.TryGetValue(6, out var k)) kind = (int)k;
        return new ReceivedSpan("", service, traceId, spanId, parent, name, kind, attributes, links);
    }

    /// <summary>A KeyValue whose value is a string (AnyValue.string_value) or an integer, as text.</summary>
    private static (string? Key, string? Value) KeyValue(ReadOnlyMemory<byte> keyValue)
    {
        string? key = null, text = null;
        foreach (var (field, value) in Fields(keyValue))
        {
            if (field == 1) key = Encoding.UTF8.GetString(value.Span);
            else if (field == 2)
            {
                var any = Fields(value, out var ints);
                foreach (var (af, av) in any)
                    if (af == 1) text = Encoding.UTF8.GetString(av.Span);
                if (text is null && ints.TryGetValue(3, out var number))
                    text = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return (key, text);
    }

    private static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message) => Fields(message, out _);

    /// <summary>The length-delimited fields of a message in order; varint fields by number (the last one wins).</summary>
    private static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message, out Dictionary<int, ulong> varints)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>)>();
        varints = [];
        var span = message.Span;
        var position = 0;
        while (position < span.Length)
        {
            var tag = Varint(span, ref position);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0: varints[field] = Varint(span, ref position); break;
                case 1: position += 8; break;
                case 2:
                    var length = (int)Varint(span, ref position);
                    if (length < 0 || position + length > span.Length) throw new FormatException("truncated field");
                    fields.Add((field, message.Slice(position, length)));
                    position += length;
                    break;
                case 5: position += 4; break;
                default: throw new FormatException($"wire type {tag & 7}");
            }
        }
        if (position != span.Length) throw new FormatException("truncated message");
        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length) throw new FormatException("truncated varint");
            var b = span[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new FormatException("varint too long");
    }
}
