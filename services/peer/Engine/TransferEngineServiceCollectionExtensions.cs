using BitTorrent.Peer.Downloads;
using BitTorrent.Peer.Transfer;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Engine;

public static class TransferEngineServiceCollectionExtensions
{
    /// <summary>
    /// Adds the transfer engine as a singleton configured from the "Transfer" section (e.g.
    /// Transfer__Port=7001), with its <see cref="DownloadEventHub"/>, stopped with the host. With
    /// <paramref name="startWithHost"/> the host also starts it (restoring saved downloads);
    /// without, whoever owns the peer's start calls <see cref="TransferEngine.Start"/> when it is
    /// ready (the peer: once it has its identity from the tracker), and commands before that throw
    /// <see cref="TransferEngineNotStartedException"/>.
    /// </summary>
    public static IServiceCollection AddTransferEngine(this IServiceCollection services, bool startWithHost = true)
    {
        services.AddOptions<TransferEngineOptions>().BindConfiguration(TransferEngineOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DownloadEventHub>();
        services.AddSingleton(provider => new TransferEngine(
            provider.GetRequiredService<IOptions<TransferEngineOptions>>().Value,
            provider.GetRequiredService<DownloadEventHub>(),
            provider.GetService<ILogger<TransferEngine>>()));
        services.AddHostedService(provider => new TransferEngineLifetime(provider.GetRequiredService<TransferEngine>(), startWithHost));
        return services;
    }

    private sealed class TransferEngineLifetime(TransferEngine engine, bool startWithHost) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!startWithHost) return Task.CompletedTask;
            engine.Start();
            return engine.RestoreDownloadsAsync();
        }

        public Task StopAsync(CancellationToken cancellationToken) => engine.DisposeAsync().AsTask();
    }
}
