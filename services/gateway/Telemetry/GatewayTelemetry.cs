using System.Diagnostics.Metrics;

namespace BitTorrent.Gateway.Telemetry;

/// <summary>
/// The gateway's own meter. Requests themselves are measured by ASP.NET Core's and HttpClient's instruments
/// (<c>http.server.request.duration</c> by route, <c>http.client.request.duration</c>); these count what only the
/// gateway knows: tracker requests it had to send on to another member, and those no member answered.
/// </summary>
public static class GatewayTelemetry
{
    public const string MeterName = "BitTorrent.Gateway";

    /// <summary>The gateway's own spans (an announce or scrape sent to its owner in a batch).</summary>
    public const string ActivitySourceName = "BitTorrent.Gateway";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>An announce or scrape sent on to the next member because one did not answer (<c>error.type</c> says how).</summary>
    public static readonly Counter<long> TrackerRetries = Meter.CreateCounter<long>(
        "bittorrent.gateway.tracker.retries", "{request}", "Announces and scrapes sent on to the next member after one did not answer");

    /// <summary>An announce or scrape answered "tracker temporarily unavailable": no member answered it.</summary>
    public static readonly Counter<long> TrackerUnavailable = Meter.CreateCounter<long>(
        "bittorrent.gateway.tracker.unavailable", "{request}", "Announces and scrapes no member answered");

    /// <summary>Announces and scrapes one answered batch carried to their owner (<c>POST /tracker/batch</c>): 1 when the gateway is idle, more under load.</summary>
    public static readonly Histogram<int> TrackerBatchSize = Meter.CreateHistogram<int>(
        "bittorrent.gateway.tracker.batch.size", "{request}", "Announces and scrapes carried to their owner in one batch",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    /// <summary>A file relay (<c>/files/**</c>) continued from another seeder after one stopped or sent something wrong mid-response.</summary>
    public static readonly Counter<long> RelayFailovers = Meter.CreateCounter<long>(
        "bittorrent.gateway.files.failovers", "{failover}", "File relays continued from another seeder mid-response");
}
