using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Transfer;

public static class TransferEngineServiceCollectionExtensions
{
    /// <summary>
    /// Adds the transfer engine as a singleton configured from the "Transfer" section
    /// (e.g. Transfer__Port=7001), started with the host (restoring saved downloads) and stopped with it.
    /// </summary>
    public static IServiceCollection AddTransferEngine(this IServiceCollection services)
    {
        services.AddOptions<TransferEngineOptions>().BindConfiguration("Transfer").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => new TransferEngine(
            provider.GetRequiredService<IOptions<TransferEngineOptions>>().Value,
            provider.GetService<ILogger<TransferEngine>>()));
        services.AddHostedService<TransferEngineHost>();
        return services;
    }

    private sealed class TransferEngineHost(TransferEngine engine) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            engine.Start();
            return engine.RestoreDownloadsAsync();
        }

        public Task StopAsync(CancellationToken cancellationToken) => engine.DisposeAsync().AsTask();
    }
}
