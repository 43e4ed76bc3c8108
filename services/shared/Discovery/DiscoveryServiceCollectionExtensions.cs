using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BitTorrent.Shared.Discovery;

public static class DiscoveryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="DiscoveryListener"/> as a singleton (inject it to read <see cref="DiscoveryListener.LiveNodes"/>)
    /// and as a hosted service; binds <see cref="DiscoveryOptions"/> from "Discovery". The listener verifies
    /// announcements with the <see cref="DiscoveryKey"/> registered in the container, if any (<see cref="AddDiscoveryKey"/>).
    /// </summary>
    public static IServiceCollection AddDiscoveryListener(this IServiceCollection services)
    {
        services.AddDiscoveryOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new DiscoveryListener(
            sp.GetRequiredService<IOptions<DiscoveryOptions>>(),
            sp.GetRequiredService<ILogger<DiscoveryListener>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<DiscoveryKey>()));
        services.AddHostedService(sp => sp.GetRequiredService<DiscoveryListener>());
        return services;
    }

    /// <summary>The key announcements are signed and verified with (the ring secret), read from the container's services.</summary>
    public static IServiceCollection AddDiscoveryKey(this IServiceCollection services, Func<IServiceProvider, DiscoveryKey> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        services.AddSingleton(key);
        return services;
    }

    /// <summary>
    /// Adds a hosted <see cref="DiscoveryAnnouncer"/> that multicasts what <paramref name="announcement"/> returns,
    /// signed with the registered <see cref="DiscoveryKey"/>; the function is called each interval, so it may read
    /// state that is only known after startup (the bound url).
    /// </summary>
    public static IServiceCollection AddDiscoveryAnnouncer(this IServiceCollection services, Func<IServiceProvider, NodeAnnouncement> announcement)
    {
        ArgumentNullException.ThrowIfNull(announcement);
        services.AddDiscoveryOptions();
        services.AddHostedService(sp => new DiscoveryAnnouncer(
            sp.GetRequiredService<IOptions<DiscoveryOptions>>(),
            () => announcement(sp),
            sp.GetRequiredService<ILogger<DiscoveryAnnouncer>>(),
            sp.GetService<DiscoveryKey>(),
            sp.GetService<TimeProvider>()));
        return services;
    }

    private static void AddDiscoveryOptions(this IServiceCollection services) =>
        services.AddOptions<DiscoveryOptions>()
            .BindConfiguration(DiscoveryOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(static o => System.Net.IPAddress.TryParse(o.Group, out var g) && g.GetAddressBytes()[0] is >= 224 and <= 239,
                "Discovery:Group must be an IPv4 multicast address.")
            .Validate(static o => o.SignatureWindow > TimeSpan.Zero && o.SignatureWindow <= TimeSpan.FromHours(1),
                "Discovery:SignatureWindow must be more than zero and at most an hour.")
            .Validate(static o => System.Net.IPAddress.TryParse(o.Interface, out var i) && i.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
                "Discovery:Interface must be the IPv4 address of an interface.")
            .ValidateOnStart();
}
