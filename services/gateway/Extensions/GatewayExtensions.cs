using BitTorrent.Gateway.Api;
using BitTorrent.Gateway.Routing;
using BitTorrent.Gateway.Telemetry;
using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Hosting;
using BitTorrent.Shared.Http;
using BitTorrent.Shared.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace BitTorrent.Gateway.Extensions;

public static class GatewayExtensions
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Request urls are never logged: a peer's login link (/peers/{id}/?key=...) carries its key in the query.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder", LogLevel.Warning);
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        services.AddSingleton(TimeProvider.System);
        // Discovery is believed only when signed with the ring secret (Gateway:RingSecret); see RingMembership.
        services.AddDiscoveryKey(_ => new DiscoveryKey(options.RingSecret));
        services.AddDiscoveryListener();
        services.AddServiceHttpClient(RingMembership.HttpClientName).ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(3));
        services.AddServiceHttpClient(AnnounceForwarder.HttpClientName, HttpHandlerSettings.Default with { ConnectTimeout = TimeSpan.FromSeconds(2) });
        services.AddServiceHttpClient(PeerOpenApiDocument.HttpClientName).ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(20));
        services.AddSingleton<RingMembership>();
        services.AddHostedService(sp => sp.GetRequiredService<RingMembership>());
        services.AddSingleton<PeerDirectory>();
        services.AddSingleton<AnnounceForwarder>();
        services.AddSingleton<PeerForwarder>();
        services.AddSingleton<PeerOpenApiDocument>();
        // The fleet view's probes reach peers only at addresses a peer may have, as forwarding does.
        services.AddServiceHttpClient(PeerHealthProbe.HttpClientName, HttpHandlerSettings.Default with { ConnectTimeout = TimeSpan.FromSeconds(1) })
            .ConfigurePrimaryHttpMessageHandler((handler, _) => ((SocketsHttpHandler)handler).ConnectCallback = PeerAddressConnector.ConnectAsync);
        services.AddSingleton<PeerHealthProbe>();
        // The content relay reaches seeders as forwarding does (only addresses a peer may have); no overall timeout,
        // since a response streams for as long as the file takes (each read has Gateway:RelayReadTimeout).
        services.AddServiceHttpClient(ContentRelay.HttpClientName, HttpHandlerSettings.Default with { ConnectTimeout = TimeSpan.FromSeconds(2) })
            .ConfigurePrimaryHttpMessageHandler((handler, _) => ((SocketsHttpHandler)handler).ConnectCallback = PeerAddressConnector.ConnectAsync)
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<SeederLookup>();
        services.AddSingleton<ContentRelay>();
        services.AddReverseProxy().LoadFromMemory(RingProxyConfig.Routes(options), RingProxyConfig.Clusters([]));
        services.AddSingleton<IForwarderHttpClientFactory, GatewayForwarderHttpClientFactory>();
        services.AddHttpForwarder();
        services.AddGatewayRateLimits(options);
        services.AddProblemDetails();
        builder.AddGatewayTelemetry();
        // Last, so that it removes every hosted service in the document tool.
        BuildTimeOpenApi.AddDocumentGeneration(services, static s => s.AddOpenApi());
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        // Follow the ring: every membership change replaces the cluster's destinations.
        var membership = app.Services.GetRequiredService<RingMembership>();
        var proxyConfig = app.Services.GetRequiredService<InMemoryConfigProvider>();
        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        membership.Changed += members => proxyConfig.Update(RingProxyConfig.Routes(options), RingProxyConfig.Clusters(members));

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseRateLimiter();
        app.MapDocument();
        app.MapMetrics();
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "swagger";
            ui.DocumentTitle = "D&D BitTorrent API";
            ui.SwaggerEndpoint("/openapi/chord-node.json", "Tracker (chord node)");
            ui.SwaggerEndpoint("/openapi/peer.json", "Peer");
            ui.SwaggerEndpoint(BuildTimeOpenApi.Path, "Gateway");
        });
        app.MapGatewayApi();
        app.MapFleetApi();
        app.MapFilesGatewayApi();
        app.MapPeerForwarding();
        app.MapAnnounceForwarding();
        app.MapReverseProxy();
        return app;
    }
}
