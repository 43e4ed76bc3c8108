using BitTorrent.ChordNode.Tracker;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class TrackerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="TrackerService"/>, the trusted-proxy list and the per-address rate limits, and binds
    /// <see cref="TrackerOptions"/> from "Tracker". Needs an <c>IDht</c> registered by the storage layer, and
    /// <c>UseRateLimiter()</c> in the pipeline.
    /// </summary>
    public static IServiceCollection AddTracker(this IServiceCollection services)
    {
        services.AddOptions<TrackerOptions>()
            .BindConfiguration(TrackerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TrackerService>();
        services.TryAddSingleton<VolunteerCoordinator>();
        services.TryAddSingleton<TrustedProxyList>();
        services.AddTrackerRateLimits();
        // The OpenAPI document names the peer token as a bearer scheme on the routes that need it.
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", openApi => BitTorrent.ChordNode.Api.PeerTokenAuth.AddPeerTokenScheme(openApi));
        // Errors of the REST API are RFC 7807 problem details.
        services.AddProblemDetails();
        return services;
    }

    /// <inheritdoc cref="AddTracker(IServiceCollection)"/>
    public static WebApplicationBuilder AddTracker(this WebApplicationBuilder builder)
    {
        builder.Services.AddTracker();
        return builder;
    }
}
