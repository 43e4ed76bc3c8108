using BitTorrent.Peer.Access;
using BitTorrent.Peer.Api;
using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Telemetry;
using BitTorrent.Peer.Tracking;
using BitTorrent.Peer.Transfer;
using BitTorrent.Peer.Volunteering;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Hosting;
using BitTorrent.Shared.Http;
using BitTorrent.Shared.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Hosting;

public static class PeerExtensions
{
    public static WebApplicationBuilder AddPeer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Request urls are never logged: the login link (/?key=...) carries the key in the query.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // Bodies are small unless an endpoint says otherwise (BodyLimit, set per request by PeerAccessMiddleware).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = BodyLimit.JsonBytes);
        services.AddOptions<PeerOptions>().BindConfiguration(PeerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FormOptions>().Configure<IOptions<PeerOptions>>((form, peer) => form.MultipartBodyLengthLimit = peer.Value.MaxUploadBytes);
        var peerOptions = builder.Configuration.GetSection(PeerOptions.SectionName).Get<PeerOptions>() ?? new PeerOptions();
        services.AddPeerRateLimits(peerOptions.RequestsPerSecond);
        services.AddOptions<VolunteerOptions>().BindConfiguration(VolunteerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TrackerClientOptions>().BindConfiguration(TrackerClientOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // The engine is registered up front and started by PeerHost once the peer has its identity.
        services.AddTransferEngine(startWithHost: false);
        services.AddOptions<TransferEngineOptions>().Configure<PeerStorage>((engine, storage) => engine.StateDirectory ??= storage.DownloadStateFolder);
        services.AddSingleton(TimeProvider.System);
        services.AddDiscoveryListener();
        services.AddServiceHttpClient(TrackerConnection.HttpClientName).ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddServiceHttpClient(SwarmAnnouncer.HttpClientName).ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<PeerStorage>();
        services.AddSingleton<PeerSettingsStore>();
        services.AddSingleton<PeerRuntime>();
        services.AddSingleton<TrackerConnection>();
        services.AddSingleton<ITrackerOwnerCalls>(sp => sp.GetRequiredService<TrackerConnection>());
        services.AddSingleton<SwarmAnnouncer>();
        services.AddSingleton<SwarmSync>();
        services.AddSingleton<TorrentRefetch>();
        services.AddSingleton<LibraryRecovery>();
        services.AddSingleton<Publisher>();
        services.AddSingleton<DownloadManager>();
        services.AddSingleton<FileRemover>();
        services.AddSingleton<Unpublisher>();
        services.AddSingleton<CopiesTarget>();
        services.AddSingleton<MagnetLinks>();
        services.AddSingleton<MagnetResolver>();
        services.AddSingleton<HeldFiles>();
        services.AddSingleton<PublicUploadThrottle>();
        services.AddHostedService<DownloadCompletions>();
        services.AddSingleton<VolunteerCopies>();
        services.AddSingleton<IVolunteerFiles, PeerVolunteerFiles>();
        services.AddSingleton<VolunteerAgent>();
        services.AddHostedService(sp => sp.GetRequiredService<VolunteerAgent>());
        services.AddSingleton<PeerHost>();
        services.AddHostedService(sp => sp.GetRequiredService<PeerHost>());
        services.AddProblemDetails();
        services.AddExceptionHandler<PeerProblemHandler>();
        services.AddSingleton<ApiKey>();
        builder.AddPeerTelemetry();
        // Last, so that it removes every hosted service in the document tool.
        BuildTimeOpenApi.AddDocumentGeneration(services, static s => s.AddOpenApi(openApi => openApi.AddDocumentTransformer<BearerSecurityScheme>()));
        return builder;
    }

    public static WebApplication MapPeer(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        if (!BuildTimeOpenApi.GeneratingDocument) // the build's document tool makes no key and asks for none
        {
            app.Services.GetRequiredService<ApiKey>(); // made (and kept in Storage) at start, not at the first request
            app.UseMiddleware<PeerAccessMiddleware>();
        }
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapDocument();
        app.MapMetrics();
        app.MapMeApi();
        app.MapCatalogApi();
        app.MapFilesApi();
        app.MapDownloadsApi();
        app.MapPublicFilesApi();
        app.MapDownloadLimitsApi();
        app.MapSettingsApi();
        app.MapVolunteerApi();
        app.MapEventsApi();
        return app;
    }
}
