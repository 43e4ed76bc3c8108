using BitTorrent.ChordNode.Tracker;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class TrackerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="TrackerService"/> and binds <see cref="TrackerOptions"/> from "Tracker".
    /// Needs an <c>IDht</c> registered by the storage layer.
    /// </summary>
    public static IServiceCollection AddTracker(this IServiceCollection services)
    {
        services.AddOptions<TrackerOptions>()
            .BindConfiguration(TrackerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TrackerService>();
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
