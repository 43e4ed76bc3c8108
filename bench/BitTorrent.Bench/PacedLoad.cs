using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace BitTorrent.Bench;

/// <summary>
/// Announces at a fixed offered rate (open loop, as wrk2 paces): request i is due at start + i/rate whatever
/// happened to the ones before, and its latency runs from when it was due to when its answer was read, so a
/// server that stalls is charged for every request that waited behind the stall (no coordinated omission).
/// The announces follow bench/wrk/announce.lua: 1,000 torrents, 100,000 peers, half seeders, compact, numwant 50.
/// An error is a failed connection, a timeout, a status other than 200 or a bencoded failure reason.
/// </summary>
public static class PacedLoad
{
    public sealed record Result(double Offered, double Achieved, double P50Ms, double P90Ms, double P99Ms, double MaxMs, long Requests, long Errors);

    private static readonly byte[] FailureReason = Encoding.ASCII.GetBytes("failure reason");

    public static async Task<Result> RunAsync(string baseUrl, double rate, TimeSpan duration, int connections = 64, int seed = 1)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        using var client = new HttpMessageInvoker(handler);
        var total = (int)(rate * duration.TotalSeconds);
        var urls = Urls(baseUrl, total, seed);
        var latencies = new double[total]; // ms; -1 for an error
        var sends = new Task[total];
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var started = Stopwatch.GetTimestamp();
        // One thread dispatches every request whose time has come, then sleeps a millisecond: no spinning, so the
        // generator leaves the cores to the servers; a request dispatched up to a millisecond late is charged for it.
        await Task.Factory.StartNew(() =>
        {
            var next = 0;
            while (next < total)
            {
                var now = Stopwatch.GetTimestamp();
                while (next < total && started + (long)(next * ticksPerRequest) <= now)
                {
                    sends[next] = SendAsync(client, urls[next], started + (long)(next * ticksPerRequest), latencies, next);
                    next++;
                }
                Thread.Sleep(1);
            }
        }, TaskCreationOptions.LongRunning);
        await Task.WhenAll(sends);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;

        var ok = latencies.Where(l => l >= 0).Order().ToArray();
        double Percentile(double p) => ok.Length == 0 ? double.NaN : ok[Math.Min(ok.Length - 1, (int)Math.Ceiling(p * ok.Length) - 1)];
        return new Result(rate, total / elapsed, Percentile(0.50), Percentile(0.90), Percentile(0.99), ok.Length == 0 ? double.NaN : ok[^1],
            total, total - ok.Length);
    }

    /// <summary>announce-load URL [rate] [seconds]: paced announces at a tracker already running (to profile it), then the result.</summary>
    public static async Task PrintAsync(string[] args)
    {
        var rate = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1500;
        var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 15;
        var r = await RunAsync(args[0].TrimEnd('/'), rate, TimeSpan.FromSeconds(seconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Achieved:F0}/s of {r.Offered:F0} offered: p50 {r.P50Ms:F1} ms, p90 {r.P90Ms:F1} ms, p99 {r.P99Ms:F1} ms, max {r.MaxMs:F0} ms, errors {r.Errors} of {r.Requests}"));
    }

    private static async Task SendAsync(HttpMessageInvoker client, string url, long due, double[] latencies, int index)
    {
        await Task.Yield();
        var ok = false;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await client.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            ok = response.IsSuccessStatusCode && body.AsSpan().IndexOf(FailureReason) < 0;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            // counted as an error below
        }
        latencies[index] = ok ? Stopwatch.GetElapsedTime(due).TotalMilliseconds : -1;
    }

    /// <summary>The announces, made before the clock starts (as announce.lua makes them).</summary>
    private static string[] Urls(string baseUrl, int count, int seed)
    {
        var random = new Random(seed);
        var hashes = new string[1000];
        for (var i = 1; i <= hashes.Length; i++)
        {
            var bytes = new StringBuilder();
            for (var b = 1; b <= 20; b++)
            {
                var v = b <= 4 ? (int)(i / Math.Pow(256, 4 - b)) % 256 : (b * 31 + 7) % 256;
                bytes.Append(CultureInfo.InvariantCulture, $"%{v:x2}");
            }
            hashes[i - 1] = bytes.ToString();
        }
        var urls = new string[count];
        for (var i = 0; i < count; i++)
        {
            var peer = random.Next(1, 100_001);
            urls[i] = string.Create(CultureInfo.InvariantCulture,
                $"{baseUrl}/announce?info_hash={hashes[random.Next(hashes.Length)]}&peer_id=-WR0001-{peer:d12}&port={10000 + peer % 50000}&uploaded=0&downloaded=0&left={(peer % 2 == 0 ? 0 : 1000)}&compact=1&numwant=50");
        }
        return urls;
    }
}
