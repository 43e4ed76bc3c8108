using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;

namespace BitTorrent.Shared.Hosting;

/// <summary>
/// Runs a service until it is stopped. A port that another program holds ends it with one sentence on
/// standard error and <see cref="PortInUseExitCode"/>, not a stack trace, so that a script starting
/// several services at once can take the next port (scripts/lib.sh does).
/// </summary>
public static class ServiceRunner
{
    /// <summary>The exit code of a service whose port is taken: Linux's EADDRINUSE.</summary>
    public const int PortInUseExitCode = 98;

    /// <summary>Runs <paramref name="app"/>; returns the process's exit code.</summary>
    public static int RunService(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (BuildTimeOpenApi.GeneratingDocument)
        {
            app.Run(); // the build's document tool stops the host here; no port is bound or checked
            return 0;
        }
        // Checked before starting, so that the common case (a port already taken) ends before the host
        // logs its own failure; a port taken between this check and Kestrel's bind is caught below.
        if (TakenPort(app.Configuration) is { } taken) return PortInUse(taken);
        try
        {
            app.Run();
            return 0;
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            return PortInUse(e.Message);
        }
    }

    private static int PortInUse(string what)
    {
        Console.Error.WriteLine($"{AppDomain.CurrentDomain.FriendlyName}: {what} is in use by another program; start it on another port (--urls http://127.0.0.1:<port>).");
        return PortInUseExitCode;
    }

    /// <summary>The first address of <c>urls</c> whose port cannot be bound now, if any.</summary>
    public static string? TakenPort(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls)) return null;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ListenEndPoint(url) is not { } endPoint) continue;
            using var probe = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // On Linux this ignores connections of an earlier process still in TIME_WAIT (as Kestrel's bind
            // does) but not a socket that listens; Windows gives the option another meaning.
            if (!OperatingSystem.IsWindows()) probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                probe.Bind(endPoint);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return $"port {endPoint.Port} ({url})";
            }
            catch (SocketException)
            {
                // Not an address of this machine, or not permitted: Kestrel reports that itself.
            }
        }
        return null;
    }

    /// <summary>Where Kestrel would listen for <paramref name="url"/>: an IP address or any, and a fixed port; null otherwise.</summary>
    private static IPEndPoint? ListenEndPoint(string url)
    {
        // Kestrel accepts "*" and "+" as hosts, which Uri does not.
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Port <= 0) return null;
        if (uri.IsLoopback && !IPAddress.TryParse(uri.Host, out _)) return new IPEndPoint(IPAddress.Loopback, uri.Port);
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) ? new IPEndPoint(address, uri.Port) : null;
    }
}
