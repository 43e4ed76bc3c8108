using BitTorrent.Peer.Engine;
using BitTorrent.Peer.Sharing;
using BitTorrent.Peer.Storage;
using BitTorrent.Peer.Tracking;
using BitTorrent.Peer.Transfer;
using BitTorrent.Shared.Contracts.Tracker;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Hosting;

/// <summary>
/// The peer's life: get an id from the tracker on first start (kept in peer.json), start the
/// transfer engine (its start hook) with the saved settings (limits, active downloads), register its addresses again, resume downloads, rebuild the
/// library if its file was damaged, and seed the library; then keep the tracker's view fresh until shutdown. The engine is stopped by the host
/// after this service (see <see cref="TransferEngineServiceCollectionExtensions.AddTransferEngine"/>).
/// </summary>
public sealed partial class PeerHost(
    PeerStorage storage,
    PeerRuntime runtime,
    TransferEngine engine,
    TrackerConnection tracker,
    SwarmSync swarms,
    LibraryRecovery recovery,
    MagnetResolver magnets,
    PeerSettingsStore settings,
    IOptions<PeerOptions> options,
    IOptions<TransferEngineOptions> engineOptions,
    IConfiguration configuration,
    ILogger<PeerHost> logger) : BackgroundService
{
    private readonly PeerOptions _options = options.Value;

    public string ApiUrl => (_options.ApiUrl ?? (configuration["urls"] ?? "http://127.0.0.1:5201").Split(';')[0]).TrimEnd('/');

    public string AdvertisedHost => _options.AdvertisedHost ??
        (engineOptions.Value.BindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : engineOptions.Value.BindAddress);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var peerId = await RegisterAsync(storage.LoadIdentity()?.PeerId, stoppingToken);
            engine.Start();
            await settings.ApplyCurrentAsync(s => engine.ApplyLimitsAsync(s.DownloadLimit, s.UploadLimit, s.MaxActiveDownloads));
            runtime.Registered(peerId, AdvertisedHost);
            var confirmed = await UpdateAddressesAsync(peerId, stoppingToken);
            if (confirmed != peerId)
            {
                LogIdChanged(logger, peerId, confirmed);
                runtime.Registered(confirmed, AdvertisedHost);
            }
            LogStarted(logger, runtime.PeerId, ApiUrl, AdvertisedHost, runtime.TransferPort);

            await engine.RestoreDownloadsAsync();
            await magnets.RestoreAsync();
            await recovery.RunAsync(stoppingToken);
            await swarms.RefreshLibraryAsync(seed: true, stoppingToken);
            runtime.MarkReady();
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SwarmPollInterval);
        var lastRefresh = DateTime.UtcNow;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await swarms.PollDownloadsAsync(stoppingToken);
                if (DateTime.UtcNow - lastRefresh >= swarms.RefreshPeriod)
                {
                    lastRefresh = DateTime.UtcNow;
                    await UpdateAddressesAsync(runtime.PeerId, stoppingToken);
                    await swarms.RefreshLibraryAsync(seed: false, stoppingToken);
                }
            }
            catch (TrackerUnavailableException e)
            {
                LogTrackerDown(logger, e.Message);
            }
        }
    }

    /// <summary>The id from peer.json, or a new one from the tracker (retrying until a node answers).</summary>
    private async Task<long> RegisterAsync(long? known, CancellationToken cancellationToken)
    {
        if (known is { } id) return id;
        while (true)
        {
            try
            {
                var registered = await tracker.CallAsOwnerAsync((api, ct) => api.RegisterPeerAsync(Registration(0), ct), cancellationToken);
                storage.SaveIdentity(new PeerIdentityRecord(registered.PeerId, registered.Token));
                return registered.PeerId;
            }
            catch (TrackerUnavailableException e)
            {
                LogTrackerDown(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    /// <summary>Registers this start's addresses under our id; a tracker that forgot the id gives a new one.</summary>
    private async Task<long> UpdateAddressesAsync(long peerId, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var port = runtime.TransferPort;
                // 401, 403 or 404 (a tracker that lost or never had our record, or a token that is not ours): register again.
                var token = storage.LoadIdentity()?.Token ?? "";
                var updated = await tracker.CallAsOwnerAsync((api, ct) => api.UpdatePeerAsync(peerId, Registration(port), token, ct), cancellationToken);
                if (updated.IsSuccessStatusCode) return peerId;
                var registered = await tracker.CallAsOwnerAsync((api, ct) => api.RegisterPeerAsync(Registration(port), ct), cancellationToken);
                storage.SaveIdentity(new PeerIdentityRecord(registered.PeerId, registered.Token));
                return registered.PeerId;
            }
            catch (TrackerUnavailableException e)
            {
                LogTrackerDown(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    private PeerRegistration Registration(int transferPort) => new(AdvertisedHost, transferPort == 0 ? 7000 : transferPort, ApiUrl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {PeerId} ready: API {ApiUrl}, transfers on {Host}:{Port}")]
    private static partial void LogStarted(ILogger logger, long peerId, string apiUrl, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The tracker did not know peer {Old}; registered again as {New}")]
    private static partial void LogIdChanged(ILogger logger, long old, long @new);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tracker unavailable: {Reason}")]
    private static partial void LogTrackerDown(ILogger logger, string reason);
}
