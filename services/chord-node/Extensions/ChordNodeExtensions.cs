using BitTorrent.ChordNode.Api;
using BitTorrent.ChordNode.Membership;
using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Rpc;
using BitTorrent.ChordNode.Storage;
using BitTorrent.ChordNode.Telemetry;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Hosting;
using BitTorrent.Shared.Http;
using BitTorrent.Shared.Telemetry;
using Microsoft.Extensions.Options;

namespace BitTorrent.ChordNode.Extensions;

public static partial class ChordNodeExtensions
{
    /// <summary>The ring member: options, transport, ring node, stabilizer, storage and the host that joins and maintains.</summary>
    public static WebApplicationBuilder AddChordRing(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // The build's document tool composes the node only to read its endpoints and never joins a ring: no secret there.
        var secret = BuildTimeOpenApi.GeneratingDocument
            ? RingSecret.DevelopmentDefault
            : RingSecret.RequireConfigured(builder.Configuration, builder.Environment);
        // Public endpoints take small bodies (a .torrent is at most Tracker:MaxTorrentBytes); ring RPC raises its own limit.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024);
        services.AddOptions<ChordOptions>().BindConfiguration(ChordOptions.SectionName).PostConfigure(o => o.Secret = secret)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddServiceHttpClient(HttpRingTransport.HttpClientName,
                sp => HttpRingTransport.HandlerSettings(sp.GetRequiredService<IOptions<ChordOptions>>().Value))
            .AddHttpMessageHandler(sp => new RingSecretHandler(sp.GetRequiredService<IOptions<ChordOptions>>().Value.Secret));
        services.AddSingleton<HttpRingTransport>();
        services.AddSingleton<IRingTransport>(sp => sp.GetRequiredService<HttpRingTransport>());
        services.AddSingleton<IStorageTransport>(sp => sp.GetRequiredService<HttpRingTransport>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ChordOptions>>().Value;
            var url = AdvertisedUrl(options, builder.Configuration);
            return new RingNode(NodeRef.ForUrl(url), sp.GetRequiredService<IRingTransport>(), options.SuccessorListLength);
        });
        services.AddSingleton(sp => new Stabilizer(sp.GetRequiredService<RingNode>(), sp.GetRequiredService<IOptions<ChordOptions>>().Value.FingersPerRound));
        services.AddChordStorage();
        // Members are found by multicast discovery, with static seeds as the fallback. A node
        // announces itself from the start, so nodes starting together hear each other and agree
        // on one founder (see RingHost).
        // Announcements are signed with the ring secret, and only signed ones are heard.
        services.AddDiscoveryKey(_ => new DiscoveryKey(secret));
        services.AddDiscoveryListener();
        services.AddDiscoveryAnnouncer(sp =>
        {
            var node = sp.GetRequiredService<RingNode>();
            return new NodeAnnouncement(node.Self.Id, node.Self.Url);
        });
        services.AddSingleton<IMemberSource>(sp => new CompositeMemberSource(
        [
            new DiscoveryMemberSource(sp.GetRequiredService<DiscoveryListener>()),
            new SeedMemberSource(sp.GetRequiredService<IOptions<ChordOptions>>().Value.Seeds),
        ]));
        services.AddSingleton<RingHost>();
        services.AddHostedService(sp => sp.GetRequiredService<RingHost>());
        // X-Forwarded-For is believed only from Tracker:TrustedProxies, by the tracker itself (TrustedProxyList).
        services.AddTracker();
        builder.AddChordNodeTelemetry();
        // Last, so that it removes every hosted service in the document tool. The document names the peer token as a
        // bearer scheme on the routes that need it.
        BuildTimeOpenApi.AddDocumentGeneration(services, static s => s.AddOpenApi(openApi => openApi.AddPeerTokenScheme()));
        return builder;
    }

    /// <summary>
    /// Replicated storage on the ring, one part per job: the store (on disk under Chord:DataPath), routing to
    /// a key's primary (<see cref="IDht"/>, what the tracker calls), applying as primary, the replica fan-out,
    /// write-behind, anti-entropy and key hand-off.
    /// </summary>
    public static IServiceCollection AddChordStorage(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ChordOptions>>().Value;
            return new StorageSettings
            {
                Replicas = options.Replicas,
                WriteBehindDelay = options.WriteBehindDelay,
                TombstoneTtl = options.TombstoneTtl,
            };
        });
        services.AddSingleton<IStorePersistence>(sp =>
        {
            var path = sp.GetRequiredService<IOptions<ChordOptions>>().Value.DataPath;
            return string.IsNullOrWhiteSpace(path)
                ? NoPersistence.Instance
                : SqlitePersistence.Open(path, sp.GetRequiredService<ILoggerFactory>().CreateLogger<SqlitePersistence>());
        });
        services.AddSingleton(sp => new LocalStore(sp.GetRequiredService<IStorePersistence>()));
        services.AddSingleton(sp => new HybridClock(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReplicaFanOut>();
        services.AddSingleton<WriteBehindReplicator>();
        services.AddSingleton<PrimaryApplier>();
        services.AddSingleton<DhtRouter>();
        services.AddSingleton<IDht>(sp => sp.GetRequiredService<DhtRouter>());
        services.AddSingleton<AntiEntropy>();
        services.AddSingleton<KeyHandoff>();
        services.AddSingleton<DhtNode>();
        return services;
    }

    /// <summary>
    /// Opens the node's store before anything is served. A data directory that cannot be used (corrupt,
    /// another schema version, not writable, in use) ends the process with one sentence on stderr and exit
    /// code 3: a node never serves a partial store.
    /// </summary>
    public static WebApplication OpenChordStore(this WebApplication app)
    {
        try
        {
            var store = app.Services.GetRequiredService<LocalStore>();
            if (store.IsDurable) LogStoreOpened(app.Logger, store.Loaded);
        }
        catch (StoreUnusableException e)
        {
            Console.Error.WriteLine(e.Message);
            Environment.Exit(3);
        }
        return app;
    }

    /// <summary>The URL other members reach us at: configured, or the first URL Kestrel listens on.</summary>
    public static string AdvertisedUrl(ChordOptions options, IConfiguration configuration)
    {
        var url = options.AdvertisedUrl;
        if (string.IsNullOrWhiteSpace(url))
            url = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://127.0.0.1:5101").Split(';')[0];
        return url.TrimEnd('/');
    }

    public static WebApplication MapChordNode(this WebApplication app)
    {
        if (!BuildTimeOpenApi.GeneratingDocument) app.OpenChordStore(); // the build's document tool opens no store
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseRingSecret();
        app.MapRingRpc();
        app.MapRingApi();
        app.MapTrackerEndpoints();
        app.MapDocument();
        app.MapMetrics();
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Store opened with {Keys} keys from disk")]
    private static partial void LogStoreOpened(ILogger logger, int keys);
}
