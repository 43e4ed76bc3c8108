using System.Text.RegularExpressions;
using BitTorrent.ContainerTests.Infrastructure;

namespace BitTorrent.ContainerTests;

/// <summary>
/// The image runs the command lines the Helm chart gives it. They are read from the chart's templates, so a
/// change on either side that breaks the other fails here.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed partial class ChartCompatibilityTests
{
    private static readonly string Templates = Path.Combine(DockerEngine.RepositoryRoot, "charts", "bittorrent", "templates");

    [Fact]
    public async Task The_chord_image_runs_the_charts_distinct_port_command_and_passes_its_exec_probes()
    {
        await using var cluster = await ContainerFixture.CreateClusterAsync(nameof(The_chord_image_runs_the_charts_distinct_port_command_and_passes_its_exec_probes));
        // Pod 2 of the StatefulSet with antiAffinity none: listens on and advertises ring.port + 2.
        var podName = "bittorrent-ring-2";
        var node = await cluster.StartWithScriptAsync(podName, "chord-node", Cluster.ChordPort + 2, DistinctPortCommand(),
            new Dictionary<string, string>
            {
                ["POD_NAME"] = podName,
                ["POD_IP"] = podName, // its network alias: resolvable by the other containers, as a pod IP is
                ["CHORD_BASE_PORT"] = Cluster.ChordPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Chord__Secret"] = Cluster.RingSecret,
                ["Discovery__Enabled"] = "false",
            });

        var members = await node.RingMembersAsync();
        Assert.Equal([$"http://{podName}:{Cluster.ChordPort + 2}"], members);
        foreach (var path in new[] { "/healthz", "/readyz" })
        {
            var probe = await node.Container.ExecAsync(["bash", "-c", ExecProbe(path)]);
            Assert.True(probe.ExitCode == 0, $"the chart's exec probe of {path}: exit {probe.ExitCode} {probe.Stderr}");
        }
    }

    [Fact]
    public async Task The_chord_image_runs_the_charts_default_arguments()
    {
        await using var cluster = await ContainerFixture.CreateClusterAsync(nameof(The_chord_image_runs_the_charts_default_arguments));
        // The chart's default: the image's entrypoint, args --urls http://0.0.0.0:<ring.port>, the pod IP advertised.
        var node = await cluster.StartWithArgumentsAsync("bittorrent-ring-0", "chord-node", Cluster.ChordPort,
            ["--urls", $"http://0.0.0.0:{Cluster.ChordPort}"],
            new Dictionary<string, string>
            {
                ["Chord__AdvertisedUrl"] = $"http://bittorrent-ring-0:{Cluster.ChordPort}",
                ["Chord__Secret"] = Cluster.RingSecret,
                ["Discovery__Enabled"] = "false",
            });

        Assert.Equal([$"http://bittorrent-ring-0:{Cluster.ChordPort}"], await node.RingMembersAsync());
        var health = await node.Container.ExecAsync(["/usr/local/bin/healthcheck"]);
        Assert.Equal(0, health.ExitCode);
    }

    /// <summary>The <c>/bin/sh -c</c> script of ring-statefulset.yaml's antiAffinity-none branch, dedented.</summary>
    private static string DistinctPortCommand()
    {
        var lines = File.ReadAllLines(Path.Combine(Templates, "ring-statefulset.yaml"));
        var start = Array.FindIndex(lines, l => l.Trim() == "- -c") + 2;
        Assert.True(start >= 2 && lines[start - 1].Trim() == "- |", "ring-statefulset.yaml: no '/bin/sh -c |' command block");
        var body = lines.Skip(start).TakeWhile(l => !l.Contains("{{", StringComparison.Ordinal)).ToList();
        var indent = body.Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', body.Select(l => l[indent..]));
    }

    /// <summary>The chart's bittorrent.ringExecProbe helper for <paramref name="path"/>.</summary>
    private static string ExecProbe(string path)
    {
        var helpers = File.ReadAllText(Path.Combine(Templates, "_helpers.tpl"));
        var match = ExecProbeDefinition().Match(helpers);
        Assert.True(match.Success, "_helpers.tpl: no bittorrent.ringExecProbe");
        return match.Groups["body"].Value.Trim().Replace("{{ . }}", path, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"define ""bittorrent\.ringExecProbe"" -\}\}\s*(?<body>.*?)\{\{- end \}\}", RegexOptions.Singleline)]
    private static partial Regex ExecProbeDefinition();
}
