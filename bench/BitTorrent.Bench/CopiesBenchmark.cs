using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.Bench;

/// <summary>
/// Files that stay available: how long a file asked to keep 3 copies takes to be back at 3 seeders after its publisher
/// dies. A ring of 3 chord nodes, a publisher and 3 volunteering peers on loopback; a 16 MiB file published with
/// copies=3 (two volunteers fetch it); the publisher is killed (SIGKILL: no "stopped" announce), and the clock runs until
/// the tracker counts 3 seeders again: its announce must be overdue (Tracker:AnnounceInterval and a quarter, at least 5 s more;
/// its swarm entry lives on until Tracker:PeerTtl), the third volunteer be given the file at its next poll
/// (Tracker:VolunteerPollInterval) and fetch it. Run with the ring's default timings and with short ones.
/// </summary>
public static class CopiesBenchmark
{
    private const long Size = 16L * 1024 * 1024;
    private const string Secret = "bench-ring-secret";
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One configuration: the row's name, the ring's settings and the peers' re-announce period.</summary>
    /// <param name="Name">The row's name in the report.</param>
    /// <param name="Ring">Environment of the chord nodes (empty: the defaults).</param>
    /// <param name="PeerRefresh">The peers' Peer:RefreshInterval.</param>
    /// <param name="KillAfterAnnounce">Kill the publisher just after it re-announced the file, so its announce is overdue as late as it can be (the longest recovery); otherwise whenever the first copies are in.</param>
    private sealed record Timings(string Name, Dictionary<string, string> Ring, string PeerRefresh, bool KillAfterAnnounce = false);

    /// <summary>Seconds; <paramref name="PublisherForgotten"/> is null when the dip below 3 was too short to be seen between two reads.</summary>
    private sealed record Outcome(Timings Timings, double FirstCopies, double? PublisherForgotten, double BackToThree);

    public static async Task RunAsync(BenchmarkReport report)
    {
        var configurations = new[]
        {
            new Timings("ring defaults (poll 15 s, announce 30 s: overdue after 37.5 s)", [], "00:00:20"),
            new Timings("ring defaults, killed just after its announce (the longest wait)", [], "00:00:20", KillAfterAnnounce: true),
            new Timings("short (poll 2 s, announce 4 s: overdue after 9 s, peer TTL 10 s)", new()
            {
                ["Tracker__VolunteerPollInterval"] = "00:00:02",
                ["Tracker__VolunteerLease"] = "00:00:20",
                ["Tracker__MinAnnounceInterval"] = "00:00:02",
                ["Tracker__AnnounceInterval"] = "00:00:04",
                ["Tracker__PeerTtl"] = "00:00:10",
            }, "00:00:03"),
        };
        var outcomes = new List<Outcome>();
        foreach (var timings in configurations)
        {
            var outcome = await RunOnceAsync(timings);
            Console.WriteLine(string.Create(C, $"copies, {timings.Name}: {outcome}"));
            outcomes.Add(outcome);
        }

        var body = new StringBuilder();
        body.AppendLine("## Files that stay available: back to 3 copies after the publisher dies").AppendLine();
        body.AppendLine(C, $"Command: `make bench` (this part alone: `scripts/bench.sh copies`). 3 chord nodes, a publisher and 3 volunteering peers (`Peer:Volunteer:MaxBytes` 256 MiB) on loopback; a {Size / 1048576} MiB file published with `copies=3` (the publisher and two volunteer copies); then the publisher is killed (SIGKILL, so no `stopped` announce) and the clock runs until the tracker counts 3 seeders again, the third volunteer among them (read from the file's details every 200 ms; the catalog's counts may lag them by `Tracker:CountCacheDuration`, 2 s). *Forgotten*: the tracker no longer counts the dead publisher (its last announce is older than `Tracker:AnnounceInterval` and a quarter, at least 5 s more, though its swarm entry lives until `Tracker:PeerTtl`); *back to 3*: the third volunteer was given the file at its next poll (`Tracker:VolunteerPollInterval`) and fetched it. *First copies*: from the publish to 3 seeders. The second row kills the publisher just after it re-announced the file (watched through the tracker's file details), so its announce becomes overdue as late as it can: the longest recovery, short of a slow fetch; the first row kills it as soon as the first copies are in, wherever its 20 s re-announce cycle stands.").AppendLine();
        body.AppendLine("| ring timings | first copies after publish | publisher forgotten after its death | **back to 3 seeders after its death** |")
            .AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var o in outcomes)
            body.AppendLine(C, $"| {o.Timings.Name} | {o.FirstCopies:F1} s | {(o.PublisherForgotten is { } f ? f.ToString("F1", C) + " s" : "not seen")} | **{o.BackToThree:F1} s** |");
        body.AppendLine().AppendLine("The recovery is bounded by the publisher's last announce plus the online window, one volunteer poll and the fetch (at ring defaults 37.5 s + 15 s + the fetch, counted from the kill; the kill falls anywhere in the publisher's 20 s re-announce cycle, so the window ends 17.5–37.5 s after it); a publisher that stops cleanly (a `stopped` announce) is gone at once.");
        report.WriteSection("copies", body.ToString());
    }

    private static async Task<Outcome> RunOnceAsync(Timings timings)
    {
        using var folder = new TempFolder();
        using var http = BenchPeerKey.Authorized(new HttpClient { Timeout = TimeSpan.FromMinutes(2) });
        var nodes = new List<ServiceProcess>();
        var peers = new List<ServiceProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var environment = new Dictionary<string, string>(timings.Ring)
                {
                    ["Chord__Secret"] = Secret,
                    ["Chord__JoinWait"] = "00:00:00.500",
                    ["Discovery__Enabled"] = "false",
                    ["Logging__LogLevel__Default"] = "Warning",
                };
                for (var s = 0; s < nodes.Count; s++) environment[$"Chord__Seeds__{s}"] = nodes[s].Url;
                var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [], environment);
                nodes.Add(node);
                await TransferBenchmark.WaitAsync(async () => (await http.GetAsync(node.Url + "/readyz")).IsSuccessStatusCode, node.Name);
            }
            await Task.Delay(TimeSpan.FromSeconds(3)); // the ring's successor lists settle
            for (var i = 0; i < 4; i++)
            {
                var environment = new Dictionary<string, string>
                {
                    ["Discovery__Enabled"] = "false",
                    ["Peer__StoragePath"] = folder.Sub($"peer-{i}"),
                    ["Peer__ApiKey"] = BenchPeerKey.Value,
                    ["Peer__SwarmPollInterval"] = "00:00:01",
                    ["Peer__RefreshInterval"] = timings.PeerRefresh,
                    ["Logging__LogLevel__Default"] = "Warning",
                };
                for (var s = 0; s < nodes.Count; s++) environment[$"Tracker__Seeds__{s}"] = nodes[s].Url;
                if (i > 0) environment["Peer__Volunteer__MaxBytes"] = (256L * 1024 * 1024).ToString(C);
                peers.Add(ServiceProcess.Start("peer", ServiceProcess.FreePort(), [], environment));
            }
            foreach (var peer in peers) await TransferBenchmark.WaitAsync(async () => (await http.GetAsync(peer.Url + "/readyz")).IsSuccessStatusCode, peer.Name);

            var source = folder.RandomFile("kept-16MiB.bin", Size, seed: 33);
            var clock = Stopwatch.StartNew();
            string infoHash;
            using (var form = new MultipartFormDataContent())
            {
                var content = new StreamContent(File.OpenRead(source));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(content, "file", "kept-16MiB.bin");
                form.Add(new StringContent("3"), "copies");
                using var published = await http.PostAsync(peers[0].Url + "/api/files", form);
                published.EnsureSuccessStatusCode();
                infoHash = (await published.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("infoHash").GetString()!;
            }
            var limit = TimeSpan.FromMinutes(5);
            await TransferBenchmark.WaitAsync(async () => await SeedersAsync(http, nodes[0], infoHash) == 3, "the first copies", limit);
            var firstCopies = clock.Elapsed.TotalSeconds;

            if (timings.KillAfterAnnounce) await AfterAnnounceAsync(http, nodes[0], peers[0], infoHash);
            var seededBefore = (await DetailsAsync(http, nodes[0], infoHash)).Peers.Where(p => p.Seeder).Select(p => p.Port).ToHashSet();
            peers[0].Kill();
            clock.Restart();
            // Read from the file's details, which count the swarm as it is (the catalog's counts may be Tracker:CountCacheDuration
            // old); back at 3 once the third volunteer is among them, so a dip shorter than one read still ends the wait.
            double? forgotten = null;
            await TransferBenchmark.WaitAsync(async () =>
            {
                var details = await DetailsAsync(http, nodes[0], infoHash);
                if (forgotten is null && details.Seeders < 3) forgotten = clock.Elapsed.TotalSeconds;
                return details.Seeders == 3 && details.Peers.Any(p => p.Seeder && !seededBefore.Contains(p.Port));
            }, "3 seeders again", limit);
            return new Outcome(timings, firstCopies, forgotten, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            foreach (var peer in peers) await peer.DisposeAsync();
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    /// <summary>Returns just after <paramref name="publisher"/> re-announced the file: its swarm entry's expiry moved on.</summary>
    private static async Task AfterAnnounceAsync(HttpClient http, ServiceProcess node, ServiceProcess publisher, string infoHash)
    {
        var port = (await http.GetFromJsonAsync<JsonElement>(publisher.Url + "/api/me", Json)).GetProperty("transferPort").GetInt32();
        async Task<DateTimeOffset?> ExpiresAsync()
        {
            var details = await DetailsAsync(http, node, infoHash);
            return details.Peers.FirstOrDefault(p => p.Seeder && p.Port == port)?.Expires;
        }
        var before = await ExpiresAsync() ?? throw new InvalidOperationException("the publisher does not seed the file");
        await TransferBenchmark.WaitAsync(async () => await ExpiresAsync() > before, "the publisher's next announce", TimeSpan.FromMinutes(1));
    }

    private static async Task<TrackerFileDetails> DetailsAsync(HttpClient http, ServiceProcess node, string infoHash) =>
        await http.GetFromJsonAsync<TrackerFileDetails>($"{node.Url}/api/tracker/files/{infoHash}", Json)
            ?? throw new InvalidOperationException("the tracker does not know the file");

    private static async Task<int> SeedersAsync(HttpClient http, ServiceProcess node, string infoHash)
    {
        var files = await http.GetFromJsonAsync<List<TrackerFileSummary>>($"{node.Url}/api/tracker/files?search=kept-16MiB", Json);
        return files?.SingleOrDefault(f => f.InfoHash == infoHash)?.Seeders ?? -1;
    }
}
