using BitTorrent.Shared.Discovery;
using BitTorrent.Shared.Identifiers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BitTorrent.IntegrationTests.Discovery;

/// <summary>The discovery services as a host wires them: configuration section, hosted announcer and listener.</summary>
public sealed class DiscoveryHostingTests
{
    [Fact]
    public async Task Hosted_announcer_and_listener_find_each_other_through_configuration()
    {
        var port = Random.Shared.Next(40_000, 60_000);
        var node = new NodeAnnouncement(Id160.Hash("http://127.0.0.1:5100"), "http://127.0.0.1:5100");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Discovery:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Discovery:Interface"] = "127.0.0.1",
            ["Discovery:Ttl"] = "0",
            ["Discovery:Interval"] = "00:00:00.100",
        });
        builder.Services.AddDiscoveryListener();
        builder.Services.AddDiscoveryAnnouncer(_ => node);
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await host.StartAsync(timeout.Token);
        try
        {
            var listener = host.Services.GetRequiredService<DiscoveryListener>();
            Assert.Equal([node], await listener.WaitForAnyAsync(timeout.Token));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Invalid_discovery_configuration_fails_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Discovery:Group"] = "10.0.0.1" });
        builder.Services.AddDiscoveryListener();
        using var host = builder.Build();

        var e = await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("multicast", e.Message, StringComparison.Ordinal);
    }
}
