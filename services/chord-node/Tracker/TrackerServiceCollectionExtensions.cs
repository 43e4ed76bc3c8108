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
        // Errors of the REST API are RFC 7807 problem details.
        services.AddProblemDetails();
        services.AddExceptionHandler<BitTorrent.ChordNode.Api.RingUnavailableHandler>();
        return services;
    }

    /// <inheritdoc cref="AddTracker(IServiceCollection)"/>
    public static WebApplicationBuilder AddTracker(this WebApplicationBuilder builder)
    {
        builder.Services.AddTracker();
        return builder;
    }
}
