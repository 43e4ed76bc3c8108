using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BitTorrent.Bench;

/// <summary>
/// Announces at a fixed offered rate (open loop, as wrk2 paces): request i is due at start + i/rate whatever
/// happened to the ones before, and its latency runs from when it was due to when its answer was read, so a
/// server that stalls is charged for every request that waited behind the stall (no coordinated omission); a
/// request that comes due while every connection is busy waits in a queue, and that wait is charged too.
/// The announces follow bench/wrk/announce.lua: 1,000 torrents, 100,000 peers, half seeders, compact, numwant 50.
/// An error is a failed connection, a timeout (10 s), a status other than 200 or a bencoded failure reason.
/// <para>
/// The generator has to be cheap, or on a 2-core machine it takes the cores the servers are measured on: one
/// thread drives 64 keep-alive connections with <c>poll</c> (as wrk does with epoll), the requests are HTTP/1.1
/// bytes made before the clock starts, and a response is parsed only as far as its status, length and body. It
/// costs about a third of what an <see cref="HttpClient"/> per request did (its CPU is in the result).
/// </para>
/// </summary>
public static class PacedLoad
{
    /// <summary>A run's outcome: latencies in ms over the requests answered, p99 for each second of due times, and the generator's own CPU.</summary>
    public sealed record Result(double Offered, double Achieved, double P50Ms, double P90Ms, double P99Ms, double MaxMs, long Requests, long Errors,
        IReadOnlyList<double> P99BySecondMs, double CpuSeconds);

    private static readonly byte[] FailureReason = Encoding.ASCII.GetBytes("failure reason");
    private static readonly long TimeoutTicks = Stopwatch.Frequency * 10;

    public static Task<Result> RunAsync(string baseUrl, double rate, TimeSpan duration, int connections = 64, int seed = 1) =>
        Task.Factory.StartNew(() => Run(new Uri(baseUrl), rate, duration, connections, seed), TaskCreationOptions.LongRunning);

    /// <summary>announce-load URL [rate] [seconds] [runs]: paced announces at a tracker already running (to profile it), then the result of each run.</summary>
    public static async Task PrintAsync(string[] args)
    {
        var rate = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1500;
        var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 15;
        var runs = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        for (var run = 1; run <= runs; run++)
        {
            var r = await RunAsync(args[0].TrimEnd('/'), rate, TimeSpan.FromSeconds(seconds), seed: run);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Achieved:F0}/s of {r.Offered:F0} offered: p50 {r.P50Ms:F1} ms, p90 {r.P90Ms:F1} ms, p99 {r.P99Ms:F1} ms, max {r.MaxMs:F0} ms, errors {r.Errors} of {r.Requests}"));
            Console.WriteLine($"  p99 by second (ms): {Describe(r.P99BySecondMs)}; generator CPU {r.CpuSeconds / r.Requests * 1e6:F0} µs per announce");
        }
    }

    /// <summary>Milliseconds as a short space-separated list, for a report line.</summary>
    public static string Describe(IReadOnlyList<double> milliseconds) =>
        string.Join(' ', milliseconds.Select(m => double.IsNaN(m) ? "–" : m.ToString("F0", CultureInfo.InvariantCulture)));

    private static Result Run(Uri baseUri, double rate, TimeSpan duration, int connectionCount, int seed)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(baseUri.Host), baseUri.Port);
        var total = (int)(rate * duration.TotalSeconds);
        var requests = Requests(baseUri, total, seed);
        var latencies = new double[total]; // ms; -1 for an error
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var connections = new Connection[connectionCount];
        for (var i = 0; i < connections.Length; i++) connections[i] = new Connection(endpoint);
        var idle = new Stack<Connection>(connections.Reverse());
        var bySocket = new Dictionary<Socket, Connection>();
        var readable = new List<Socket>(connectionCount);
        // The requests (tens of MB at 3,000/s) go to the oldest generation now, not in a collection during the run
        // that would stall the generator and be charged to the server.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        long Due(int index) => started + (long)(index * ticksPerRequest);
        void Finish(int index, bool ok) => latencies[index] = ok ? Stopwatch.GetElapsedTime(Due(index)).TotalMilliseconds : -1;

        var next = 0; // the first request not yet sent; those before it that are due and unsent wait for a connection
        var finished = 0;
        var lastTimeoutCheck = started;
        try
        {
            while (finished < total)
            {
                var now = Stopwatch.GetTimestamp();
                while (next < total && Due(next) <= now && idle.Count > 0)
                {
                    var connection = idle.Pop();
                    if (connection.Send(next, requests[next], now)) bySocket[connection.Socket] = connection;
                    else { Finish(next, false); finished++; idle.Push(connection); }
                    next++;
                }

                // Wait for an answer, or until the next request is due: at least a millisecond (a shorter wait makes
                // poll spin), at most 100 ms so timeouts are noticed.
                var waitTicks = next < total && idle.Count > 0 ? Due(next) - Stopwatch.GetTimestamp() : Stopwatch.Frequency / 10;
                var waitMicroseconds = (int)Math.Clamp((waitTicks * 1_000_000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency, 1000, 100_000);
                if (bySocket.Count == 0)
                {
                    if (next < total) Thread.Sleep(waitMicroseconds / 1000);
                    continue;
                }
                readable.Clear();
                readable.AddRange(bySocket.Keys);
                Socket.Select(readable, null, null, waitMicroseconds);
                foreach (var socket in readable)
                {
                    var connection = bySocket[socket];
                    var outcome = connection.Receive();
                    if (outcome == Outcome.Pending)
                    {
                        if (!ReferenceEquals(connection.Socket, socket)) // sent again on a fresh connection
                        {
                            bySocket.Remove(socket);
                            bySocket[connection.Socket] = connection;
                        }
                        continue;
                    }
                    bySocket.Remove(socket);
                    Finish(connection.Index, outcome == Outcome.Ok);
                    finished++;
                    if (outcome == Outcome.Failed || connection.CloseAfter) connection.Reconnect();
                    idle.Push(connection);
                }

                now = Stopwatch.GetTimestamp();
                if (now - lastTimeoutCheck > Stopwatch.Frequency / 10)
                {
                    lastTimeoutCheck = now;
                    foreach (var connection in bySocket.Values.Where(c => now - c.SentAt > TimeoutTicks).ToList())
                    {
                        bySocket.Remove(connection.Socket);
                        Finish(connection.Index, false);
                        finished++;
                        connection.Reconnect();
                        idle.Push(connection);
                    }
                }
            }
        }
        finally
        {
            foreach (var connection in connections) connection.Socket.Dispose();
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

        var ok = latencies.Where(l => l >= 0).Order().ToArray();
        var perSecond = Math.Max(1, (int)Math.Round(rate));
        var bySecond = latencies.Chunk(perSecond).Select(chunk => Percentile(chunk.Where(l => l >= 0).Order().ToArray(), 0.99)).ToList();
        return new Result(rate, ok.Length / elapsed, Percentile(ok, 0.50), Percentile(ok, 0.90), Percentile(ok, 0.99), ok.Length == 0 ? double.NaN : ok[^1],
            total, total - ok.Length, bySecond, cpu);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private enum Outcome { Pending, Ok, Failed }

    /// <summary>
    /// One keep-alive connection and the request on it. An answer is complete at its Content-Length, or at the last
    /// chunk of a chunked body; a server that closes the connection before answering a request sent on a connection
    /// it had kept idle gets the request again once on a fresh connection (the idle close raced the send).
    /// </summary>
    private sealed class Connection(IPEndPoint endpoint)
    {
        private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
        private byte[] _buffer = new byte[16 * 1024];
        private int _length;
        private byte[] _request = [];
        private bool _retried;

        public Socket Socket { get; private set; } = Open(endpoint);
        public int Index { get; private set; }
        public long SentAt { get; private set; }
        public bool CloseAfter { get; private set; }

        private static Socket Open(IPEndPoint endpoint)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(endpoint);
            return socket;
        }

        public void Reconnect()
        {
            Socket.Dispose();
            try { Socket = Open(endpoint); }
            catch (SocketException) { Socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp); }
        }

        /// <summary>Sends request <paramref name="index"/>; false when even a fresh connection would not take it.</summary>
        public bool Send(int index, byte[] request, long now)
        {
            Index = index;
            SentAt = now;
            _request = request;
            _length = 0;
            _retried = false;
            CloseAfter = false;
            // An idle connection that is readable was closed by the server (or sent something unasked): start afresh.
            if (!Socket.Connected || Socket.Poll(0, SelectMode.SelectRead)) Reconnect();
            return TrySend() || (TryReconnect() && TrySend());
        }

        private bool TryReconnect()
        {
            Reconnect();
            return Socket.Connected;
        }

        private bool TrySend()
        {
            try
            {
                Socket.Send(_request);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        public Outcome Receive()
        {
            int read;
            try
            {
                if (_length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                read = Socket.Receive(_buffer, _length, _buffer.Length - _length, SocketFlags.None);
            }
            catch (SocketException)
            {
                read = 0;
            }
            if (read == 0)
            {
                if (_length == 0 && !_retried)
                {
                    _retried = true;
                    if (TryReconnect() && TrySend()) return Outcome.Pending;
                }
                return Outcome.Failed;
            }
            _length += read;
            return Parse();
        }

        /// <summary>
        /// Reads the answer so far without allocating (the generator's own collections would pause it and be charged
        /// to the server): complete at its Content-Length or its last chunk. "failure reason" is looked for in the raw
        /// body, chunk framing and all (a bencoded reply fits one chunk).
        /// </summary>
        private Outcome Parse()
        {
            var data = _buffer.AsSpan(0, _length);
            var headerEnd = data.IndexOf(HeaderEnd);
            if (headerEnd < 0) return Outcome.Pending;
            var headers = data[..headerEnd];
            var lineEnd = headers.IndexOf("\r\n"u8);
            var statusLine = lineEnd < 0 ? headers : headers[..lineEnd];
            var ok = statusLine.Length >= 12 && statusLine[8] == (byte)' ' && statusLine.Slice(9, 3).SequenceEqual("200"u8);
            long contentLength = -1;
            var chunked = false;
            var rest = lineEnd < 0 ? [] : headers[(lineEnd + 2)..];
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf("\r\n"u8);
                var line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? [] : rest[(end + 2)..];
                var colon = line.IndexOf((byte)':');
                if (colon < 0) continue;
                var name = line[..colon].Trim((byte)' ');
                var value = line[(colon + 1)..].Trim((byte)' ');
                if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
                {
                    if (!Utf8Parser.TryParse(value, out contentLength, out _)) return Outcome.Failed;
                }
                else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8)) chunked = value.IndexOf("chunked"u8) >= 0;
                else if (Ascii.EqualsIgnoreCase(name, "Connection"u8)) CloseAfter = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
            var bodyStart = headerEnd + HeaderEnd.Length;
            int bodyEnd;
            if (chunked)
            {
                var position = bodyStart;
                while (true)
                {
                    var sizeEnd = data[position..].IndexOf("\r\n"u8);
                    if (sizeEnd < 0) return Outcome.Pending;
                    var sizeText = data.Slice(position, sizeEnd);
                    var extension = sizeText.IndexOf((byte)';');
                    if (extension >= 0) sizeText = sizeText[..extension];
                    if (!Utf8Parser.TryParse(sizeText.Trim((byte)' '), out int size, out _, 'X') || size < 0) return Outcome.Failed;
                    position += sizeEnd + 2;
                    if (size == 0)
                    {
                        var trailersEnd = data[position..].IndexOf("\r\n"u8); // no trailers: the empty line that ends them
                        if (trailersEnd < 0) return Outcome.Pending;
                        bodyEnd = position + trailersEnd + 2;
                        break;
                    }
                    if (_length < position + size + 2) return Outcome.Pending;
                    position += size + 2;
                }
            }
            else if (contentLength >= 0)
            {
                if (_length < bodyStart + contentLength) return Outcome.Pending;
                bodyEnd = bodyStart + (int)contentLength;
            }
            else
            {
                return Outcome.Failed; // neither length nor chunks: this generator only speaks keep-alive HTTP/1.1
            }
            return ok && data[bodyStart..bodyEnd].IndexOf(FailureReason) < 0 ? Outcome.Ok : Outcome.Failed;
        }
    }

    /// <summary>The announces as HTTP/1.1 requests, made before the clock starts (as announce.lua makes them).</summary>
    private static byte[][] Requests(Uri baseUri, int count, int seed)
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
        var prefix = baseUri.AbsolutePath.TrimEnd('/');
        var requests = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var peer = random.Next(1, 100_001);
            requests[i] = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"GET {prefix}/announce?info_hash={hashes[random.Next(hashes.Length)]}&peer_id=-WR0001-{peer:d12}&port={10000 + peer % 50000}&uploaded=0&downloaded=0&left={(peer % 2 == 0 ? 0 : 1000)}&compact=1&numwant=50 HTTP/1.1\r\nHost: {baseUri.Authority}\r\n\r\n"));
        }
        return requests;
    }
}
