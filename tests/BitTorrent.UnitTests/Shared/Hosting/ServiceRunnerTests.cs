using System.Net;
using System.Net.Sockets;
using BitTorrent.Shared.Hosting;
using Microsoft.Extensions.Configuration;

namespace BitTorrent.UnitTests.Shared.Hosting;

public sealed class ServiceRunnerTests
{
    private static IConfiguration Urls(string urls) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls }).Build();

    [Fact]
    public void A_port_another_socket_listens_on_is_reported_as_taken()
    {
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var port = ((IPEndPoint)other.LocalEndpoint).Port;

        var taken = ServiceRunner.TakenPort(Urls($"http://127.0.0.1:{port}"));

        Assert.NotNull(taken);
        Assert.Contains($"port {port}", taken, StringComparison.Ordinal);
        // Kestrel's wildcard hosts and "localhost" are checked too.
        Assert.NotNull(ServiceRunner.TakenPort(Urls($"http://localhost:{port}")));
        Assert.NotNull(ServiceRunner.TakenPort(Urls($"http://127.0.0.1:1;http://*:{port}")));
    }

    [Fact]
    public void A_free_port_an_unparsable_url_and_no_urls_are_not_reported()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Assert.Null(ServiceRunner.TakenPort(Urls($"http://127.0.0.1:{port}")));
        Assert.Null(ServiceRunner.TakenPort(Urls("not a url")));
        Assert.Null(ServiceRunner.TakenPort(new ConfigurationBuilder().Build()));
    }
}
