using BitTorrent.IntegrationTests.Infrastructure;

namespace BitTorrent.IntegrationTests.Trust;

/// <summary>A chord node never runs on a secret anyone knows: without one (outside Development) it exits at once, saying how to set one.</summary>
public sealed class NodeWithoutSecretTests
{
    [Theory]
    [InlineData("")]
    [InlineData("dev-ring-secret")]
    [InlineData("dev-ring-secret-CHANGE-ME")]
    [InlineData("too-short")]
    public async Task A_node_without_a_usable_secret_exits_with_one_sentence_and_no_stack_trace(string secret)
    {
        await using var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [], new Dictionary<string, string>
        {
            ["Chord__Secret"] = secret,
            ["Discovery__Enabled"] = "false",
        });

        Assert.True(await node.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the node kept running");
        await Task.Delay(200); // the last lines of its output
        var lines = node.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEqual(0, node.ExitCode);
        var line = Assert.Single(lines);
        Assert.Contains("Chord__Secret=", line, StringComparison.Ordinal);
        Assert.EndsWith(".", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", node.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_a_node_without_a_secret_runs_on_the_development_default()
    {
        await using var node = ServiceProcess.Start("chord-node", ServiceProcess.FreePort(), [], new Dictionary<string, string>
        {
            ["Chord__Secret"] = "",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Discovery__Enabled"] = "false",
            ["Chord__JoinWait"] = "00:00:00",
        });
        await using var ring = new ChordRing();
        await ring.WaitReadyAsync(node);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Ring-Secret", "dev-ring-secret");
        Assert.True((await http.GetAsync($"{node.Url}/chord/ping")).IsSuccessStatusCode);
    }
}
