using BitTorrent.ChordNode.Api;
using BitTorrent.ChordNode.Storage;
using BitTorrent.Shared.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Refit;

namespace BitTorrent.UnitTests.ChordNode.Api;

/// <summary>The tracker's endpoints on real Kestrel (127.0.0.1, a free port) over a given store, with a Refit client.</summary>
internal sealed class TrackerApiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TrackerApiHost(WebApplication app)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        Api = RestService.For<ITrackerApi>(Http);
    }

    public HttpClient Http { get; }

    public ITrackerApi Api { get; }

    public static async Task<TrackerApiHost> StartAsync(IDht dht, IDictionary<string, string?>? configuration = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (configuration is not null) builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton(dht);
        builder.Services.AddTracker();
        builder.Services.AddOpenApi(openApi => openApi.AddPeerTokenScheme());
        var app = builder.Build();
        app.UseRateLimiter();
        app.MapTrackerEndpoints();
        app.MapOpenApi();
        await app.StartAsync();
        return new TrackerApiHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
    }
}
