using BitTorrent.Peer.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BitTorrent.IntegrationTests.Transfer;

public class TransferEngineHostingTests
{
    [Fact]
    public async Task The_host_starts_the_engine_from_configuration_and_stops_it()
    {
        var state = Path.Combine(Path.GetTempPath(), "bt-host-" + Guid.NewGuid().ToString("N"));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Transfer:BindAddress"] = "127.0.0.1";
        builder.Configuration["Transfer:StateDirectory"] = state;
        builder.Services.AddTransferEngine();
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
            var engine = host.Services.GetRequiredService<TransferEngine>();

            Assert.InRange(engine.LocalEndPoint.Port, 7000, 7999);
            Assert.Equal("-DD0100-"u8.ToArray(), engine.PeerId[..8].ToArray()); // client prefix, then random bytes
            Assert.Equal(20, engine.PeerId.Length);
            Assert.Empty(await engine.RestoreDownloadsAsync());

            await host.StopAsync();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.RestoreDownloadsAsync());
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
