using Microsoft.Extensions.DependencyInjection;

namespace BitTorrent.Shared.Http;

public static class HttpClientBuilderExtensions
{
    /// <summary>
    /// A named <see cref="IHttpClientFactory"/> client whose primary handler has <paramref name="settings"/>
    /// (<see cref="HttpHandlerSettings.Default"/> when null). The factory keeps that handler for the life of
    /// the process: its pooled connections renew themselves (<see cref="HttpHandlerSettings.PooledConnectionLifetime"/>),
    /// so clients may be held, and a rotated handler would only drop warm connections. The factory's
    /// per-request log lines are off: these clients run many times a second, and their callers log what fails.
    /// </summary>
    public static IHttpClientBuilder AddServiceHttpClient(this IServiceCollection services, string name, HttpHandlerSettings? settings = null) =>
        services.AddServiceHttpClient(name, _ => settings ?? HttpHandlerSettings.Default);

    /// <summary>As above, with settings that depend on other services (e.g. a timeout from options).</summary>
    public static IHttpClientBuilder AddServiceHttpClient(this IServiceCollection services, string name, Func<IServiceProvider, HttpHandlerSettings> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return services.AddHttpClient(name)
            .ConfigurePrimaryHttpMessageHandler(sp => settings(sp).CreateHandler())
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
    }
}
