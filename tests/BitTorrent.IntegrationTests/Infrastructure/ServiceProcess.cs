using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>
/// One of our services running as a real process on 127.0.0.1, started from its built assembly.
/// Killing it is a real failure: the process dies, its sockets close.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly StringBuilder _errors = new();

    private ServiceProcess(string name, Process process, string url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }
    public string Url { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Waits for the process to exit by itself; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// The ring secret a chord node (Chord:Secret) and the gateway (Gateway:RingSecret) get when the caller gives none:
    /// nodes refuse to start without one. Give the key an empty value to start one without a secret.
    /// </summary>
    public const string DefaultRingSecret = "integration-test-secret";

    /// <summary>What the process wrote to stderr alone.</summary>
    public string Errors
    {
        get { lock (_log) return _errors.ToString(); }
    }


    public static ServiceProcess Start(string service, int port, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var secretKey = service switch { "chord-node" => "Chord__Secret", "gateway" => "Gateway__RingSecret", _ => null };
        if (secretKey is not null && environment?.ContainsKey(secretKey) != true)
            environment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { [secretKey] = DefaultRingSecret };
        var url = $"http://127.0.0.1:{port}";
        var assembly = Locate(service);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        info.ArgumentList.Add(assembly);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__BitTorrent"] = "Information";
        // As make run and the images start them (scripts/lib.sh, the Dockerfiles): a 4 MiB gen0 budget.
        if (service is "chord-node" or "gateway") info.Environment["DOTNET_GCgen0size"] = "0x400000";
        // And a peer's native allocations in one glibc arena (peak RSS, docs/benchmarks.md).
        if (service is "peer") info.Environment["MALLOC_ARENA_MAX"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {service}.");
        var result = new ServiceProcess($"{service}:{port}", process, url);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data, error: true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    private void Append(string? line, bool error = false)
    {
        if (line is null) return;
        lock (_log)
        {
            _log.AppendLine(line);
            if (error) _errors.AppendLine(line);
        }
    }

    /// <summary>The built service next to the test assembly's configuration (Debug or Release).</summary>
    private static string Locate(string service)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var root = RepositoryRoot();
        var (folder, assembly) = service switch
        {
            "chord-node" => ("chord-node", "BitTorrent.ChordNode.dll"),
            "peer" => ("peer", "BitTorrent.Peer.dll"),
            "gateway" => ("gateway", "BitTorrent.Gateway.dll"),
            _ => throw new ArgumentException($"Unknown service {service}.", nameof(service)),
        };
        var path = Path.Combine(root, "services", folder, "bin", configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {service} first ({configuration}).", path);
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "BitTorrent.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("BitTorrent.sln not found above the test assembly.");
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A port nobody listens on right now, and never handed out before in this test run: two scenarios run at
    /// once, and a port one of them was given but has not bound yet must not go to the other.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port)) return port;
            }
        }
    }

    /// <summary>Kills the process at once, like a crash.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
