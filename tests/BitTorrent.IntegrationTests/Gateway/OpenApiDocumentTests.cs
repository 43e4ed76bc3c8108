using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Gateway;

/// <summary>Swagger UI is only as good as the documents: every operation explains itself.</summary>
public sealed class OpenApiDocumentTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_operation_of_the_tracker_the_peer_and_the_gateway_has_a_summary_a_description_and_its_responses()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var folder = new TempFolder();
        await using var gateway = await GatewayProcess.StartAsync(ring);
        await using var peer = await PeerProcess.StartAsync(ring, folder.Sub("peer"));
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url) };

        var missing = new List<string>();
        foreach (var document in new[] { "/openapi/chord-node.json", "/openapi/peer.json", "/openapi/v1.json" })
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync(document));
            var operations = 0;
            foreach (var path in json.RootElement.GetProperty("paths").EnumerateObject())
            {
                foreach (var operation in path.Value.EnumerateObject())
                {
                    if (operation.Name is "parameters" or "servers") continue;
                    operations++;
                    var where = $"{document} {operation.Name.ToUpperInvariant()} {path.Name}";
                    if (!HasText(operation.Value, "summary")) missing.Add($"{where}: no summary");
                    if (!HasText(operation.Value, "description")) missing.Add($"{where}: no description");
                    if (!operation.Value.TryGetProperty("responses", out var responses) || !responses.EnumerateObject().Any())
                        missing.Add($"{where}: no responses");
                }
            }
            Assert.True(operations > 0, $"{document} lists no operation");
            Assert.DoesNotContain("/chord/", json.RootElement.GetProperty("paths").GetRawText(), StringComparison.Ordinal);
        }
        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    private static bool HasText(JsonElement operation, string property) =>
        operation.TryGetProperty(property, out var value) && !string.IsNullOrWhiteSpace(value.GetString());
}
