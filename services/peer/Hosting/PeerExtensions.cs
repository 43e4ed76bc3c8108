using BitTorrent.Peer.Api;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Http;
using Microsoft.AspNetCore.Http.Features;

namespace BitTorrent.Peer.Hosting;

public static class PeerExtensions
{
    /// <summary>Largest upload a user can publish through the API.</summary>
    public const long MaxUploadBytes = 64L * 1024 * 1024 * 1024;

    public static WebApplicationBuilder AddPeer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxUploadBytes);
        services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = MaxUploadBytes);
        services.AddOptions<PeerOptions>().BindConfiguration(PeerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TrackerClientOptions>().BindConfiguration(TrackerClientOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // The engine is registered up front and started by PeerHost once the peer has its identity.
        services.AddTransferEngine(startWithHost: false);
        services.AddOptions<TransferEngineOptions>().Configure<PeerStorage>((engine, storage) => engine.StateDirectory ??= storage.DownloadStateFolder);
        services.AddSingleton(TimeProvider.System);
        services.AddDiscoveryListener();
        services.AddServiceHttpClient(TrackerConnection.HttpClientName).ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddServiceHttpClient(SwarmAnnouncer.HttpClientName).ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<PeerStorage>();
        services.AddSingleton<PeerRuntime>();
        services.AddSingleton<TrackerConnection>();
        services.AddSingleton<SwarmAnnouncer>();
        services.AddSingleton<SwarmSync>();
        services.AddSingleton<Publisher>();
        services.AddSingleton<DownloadManager>();
        services.AddSingleton<FileRemover>();
        services.AddSingleton<MagnetLinks>();
        services.AddSingleton<HeldFiles>();
        services.AddHostedService<DownloadCompletions>();
        services.AddSingleton<PeerHost>();
        services.AddHostedService(sp => sp.GetRequiredService<PeerHost>());
        services.AddProblemDetails();
        services.AddExceptionHandler<PeerProblemHandler>();
        services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapPeer(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapOpenApi();
        app.MapMeApi();
        app.MapCatalogApi();
        app.MapFilesApi();
        app.MapDownloadsApi();
        return app;
    }
}
