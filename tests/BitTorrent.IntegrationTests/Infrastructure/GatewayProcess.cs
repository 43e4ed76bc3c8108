namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>The gateway as a real process, seeded with a ring's nodes (multicast off).</summary>
public static class GatewayProcess
{
    public static async Task<ServiceProcess> StartAsync(ChordRing ring, IDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Discovery__Enabled"] = "false",
            ["Gateway__MembershipRefreshInterval"] = "00:00:00.500",
        };
        var seeds = ring.Live.Select(n => n.Url).ToList();
        for (var i = 0; i < seeds.Count; i++) environment[$"Gateway__Seeds__{i}"] = seeds[i];
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) environment[k] = v;
        var gateway = ServiceProcess.Start("gateway", ServiceProcess.FreePort(), [], environment);
        try
        {
            await ring.WaitReadyAsync(gateway);
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }
}
