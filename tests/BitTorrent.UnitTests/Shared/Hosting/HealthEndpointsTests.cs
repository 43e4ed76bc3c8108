using System.Net;
using System.Text.Json;
using BitTorrent.Shared.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BitTorrent.UnitTests.Shared.Hosting;

/// <summary>The shared probes on real Kestrel (127.0.0.1, a free port), as every service maps them.</summary>
public sealed class HealthEndpointsTests : IAsyncLifetime
{
    private sealed class State
    {
        public volatile bool Ready;
    }

    private sealed record Report(string Status, int Members);

    private readonly State _state = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_state);
        builder.Services.AddOpenApi();
        _app = builder.Build();
        _app.MapHealthEndpoints("Test", "once the test says so", services =>
        {
            var ready = services.GetRequiredService<State>().Ready;
            return new Readiness<Report>(ready, new Report(ready ? "ready" : "starting", ready ? 3 : 0));
        });
        _app.MapOpenApi();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Live_answers_200_whether_or_not_the_service_is_ready()
    {
        foreach (var ready in new[] { false, true })
        {
            _state.Ready = ready;
            using var response = await _http.GetAsync(HealthEndpoints.LivePath);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("live", (await JsonAsync(response)).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Ready_answers_503_with_the_report_before_and_200_with_it_after()
    {
        using (var before = await _http.GetAsync(HealthEndpoints.ReadyPath))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
            var body = await JsonAsync(before);
            Assert.Equal(("starting", 0), (body.GetProperty("status").GetString(), body.GetProperty("members").GetInt32()));
        }

        _state.Ready = true;
        using var after = await _http.GetAsync(HealthEndpoints.ReadyPath);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var report = await JsonAsync(after);
        Assert.Equal(("ready", 3), (report.GetProperty("status").GetString(), report.GetProperty("members").GetInt32()));
    }

    [Fact]
    public async Task Both_probes_are_in_the_OpenAPI_document_with_their_status_codes()
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        var live = paths.GetProperty("/healthz").GetProperty("get");
        Assert.Equal("TestLive", live.GetProperty("operationId").GetString());
        Assert.Equal(HealthEndpoints.Tag, live.GetProperty("tags")[0].GetString());
        Assert.True(live.GetProperty("responses").TryGetProperty("200", out _));

        var ready = paths.GetProperty("/readyz").GetProperty("get");
        Assert.Equal("TestReady", ready.GetProperty("operationId").GetString());
        Assert.Contains("once the test says so", ready.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(ready.GetProperty("responses").TryGetProperty("200", out _));
        Assert.True(ready.GetProperty("responses").TryGetProperty("503", out _));
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
