using System.Net.Http.Headers;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.IntegrationTests.Ring;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Telemetry;

/// <summary>Logging:Console:FormatterName=json gives one JSON object per line, carrying the trace id of the request it was written in.</summary>
public sealed class JsonLogsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_the_json_formatter_a_log_entry_written_during_a_request_is_json_and_carries_the_requests_trace_id()
    {
        await using var ring = new ChordRing(output, new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "json" });
        await ring.StartAsync(1);
        var node = ring.Nodes[0];

        var trace = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var http = new HttpClient();
        using var content = new ByteArrayContent(TrackerClient.Torrent("logged.bin"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-bittorrent");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{node.Url}/api/tracker/files") { Content = content };
        request.Headers.Add("traceparent", $"00-{trace}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8])}-01");
        using (var response = await http.SendAsync(request)) response.EnsureSuccessStatusCode();

        JsonElement? published = null;
        await Eventually.TrueAsync(() =>
        {
            published = node.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(line => line.StartsWith('{'))
                .Select(line => JsonDocument.Parse(line).RootElement)
                .FirstOrDefault(e => e.GetProperty("Message").GetString()!.StartsWith("Published", StringComparison.Ordinal));
            return Task.FromResult(published is not null);
        }, TimeSpan.FromSeconds(10), "no JSON entry for the publish");

        output.WriteLine(published!.Value.ToString());
        // Every line the node wrote is a JSON object (the formatter is on for all of them).
        Assert.All(node.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("{", line, StringComparison.Ordinal));
        Assert.Equal("Information", published.Value.GetProperty("LogLevel").GetString());
        var scopes = published.Value.GetProperty("Scopes").EnumerateArray();
        Assert.Contains(scopes, scope => scope.ValueKind == JsonValueKind.Object
            && scope.TryGetProperty("TraceId", out var id) && id.GetString() == trace);
    }
}
