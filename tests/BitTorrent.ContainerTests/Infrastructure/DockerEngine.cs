using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;

namespace BitTorrent.ContainerTests.Infrastructure;

/// <summary>
/// The Docker engine and the images under test, prepared once per run: starts the engine through
/// <c>scripts/docker.sh start</c> when none answers (and stops it again at the end, only then), builds the
/// images with <c>scripts/images.sh</c> (quick when nothing changed), and configures Testcontainers for the
/// engine found (Ryuk off; the engine's own API version when it is older than the client's default).
/// Touches no Testcontainers type, so the settings are in place before Testcontainers reads them.
/// </summary>
public static class DockerEngine
{
    /// <summary>Testcontainers 4.x asks for this API version unless told otherwise.</summary>
    private static readonly Version ClientDefaultApi = new(1, 44);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>True when this run started the engine (and so stops it at the end).</summary>
    public static bool StartedHere { get; private set; }

    public static string? ApiVersion { get; private set; }

    public static async Task PrepareAsync()
    {
        var socket = SocketPath();
        ApiVersion = await TryGetApiVersionAsync(socket);
        if (ApiVersion is null)
        {
            await RunScriptAsync("scripts/docker.sh", "start", TimeSpan.FromMinutes(5));
            StartedHere = true;
            ApiVersion = await TryGetApiVersionAsync(socket)
                ?? throw new InvalidOperationException($"scripts/docker.sh start finished but no Docker engine answers on {socket}.");
        }

        Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        // An engine older than the API Testcontainers asks for (Debian's 20.10 speaks 1.41) refuses every call:
        // pin Testcontainers to the engine's version, also over a preset one the engine cannot speak.
        if (Version.TryParse(ApiVersion, out var engineApi) && engineApi < ClientDefaultApi)
        {
            var preset = Environment.GetEnvironmentVariable("DOCKER_API_VERSION");
            if (preset is null || !Version.TryParse(preset, out var presetApi) || presetApi > engineApi)
                Environment.SetEnvironmentVariable("DOCKER_API_VERSION", ApiVersion);
        }

        // What killed runs left behind (never a live run's), then the images: built when missing or stale,
        // else a clear failure message (the script's own output).
        await RunScriptAsync("scripts/docker.sh", "clean-tests", TimeSpan.FromMinutes(2));
        await RunScriptAsync("scripts/images.sh", "", TimeSpan.FromMinutes(15));
    }

    public static async Task StopIfStartedAsync()
    {
        if (!StartedHere) return;
        StartedHere = false;
        await RunScriptAsync("scripts/docker.sh", "stop", TimeSpan.FromMinutes(1));
    }

    private static string SocketPath()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrEmpty(host)) return "/var/run/docker.sock";
        return host.StartsWith("unix://", StringComparison.Ordinal)
            ? host["unix://".Length..]
            : throw new InvalidOperationException($"The container tests use a local engine on a unix socket; DOCKER_HOST is {host}.");
    }

    /// <summary>GET /version over the engine's unix socket; null when nothing answers.</summary>
    private static async Task<string?> TryGetApiVersionAsync(string socketPath)
    {
        if (!File.Exists(socketPath)) return null;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var version = await client.GetFromJsonAsync<EngineVersion>("http://docker/version");
            return version?.ApiVersion;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
        {
            return null;
        }
    }

    private sealed record EngineVersion(string ApiVersion);

    private static async Task RunScriptAsync(string script, string arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash", $"{script} {arguments}".TrimEnd())
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {script}");
        var output = new StringBuilder();
        void Append(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        }
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Our own child: stop it (and what it started in its process group) by its id.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} {arguments} did not finish within {timeout}:\n{output}");
        }
        await process.WaitForExitAsync(CancellationToken.None);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{script} {arguments} failed (exit {process.ExitCode}); the container tests need the images " +
                $"(make images) and a Docker engine (scripts/docker.sh start). Its output:\n{output}"));
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BitTorrent.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"BitTorrent.sln not found above {AppContext.BaseDirectory}.");
    }
}
