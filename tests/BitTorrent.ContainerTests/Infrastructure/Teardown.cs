using DotNet.Testcontainers.Containers;

namespace BitTorrent.ContainerTests.Infrastructure;

/// <summary>
/// The end of a test's containers: keep every container's log in <c>artifacts/test-logs/containers/&lt;test&gt;/</c>,
/// remove the containers, then what they used (networks, volumes). Never throws: a failure to clean up must not
/// hide the test's own failure; it is written to cleanup.log instead (and a later run's
/// <c>scripts/docker.sh clean-tests</c> removes what is left).
/// </summary>
internal static class Teardown
{
    public static async Task RunAsync(string logDirectory, IEnumerable<(string Name, IContainer Container)> containers,
        IEnumerable<(string What, Func<Task> Remove)> afterwards)
    {
        var all = containers.ToList();
        var problems = new List<string>();
        Directory.CreateDirectory(logDirectory);
        foreach (var (name, container) in all)
        {
            try
            {
                var (stdout, stderr) = await container.GetLogsAsync();
                await File.WriteAllTextAsync(Path.Combine(logDirectory, $"{name}.log"), stdout + stderr);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"logs of {name}: {e.Message}");
            }
        }
        // Remove them all first: a network or volume refuses while containers use it.
        await Task.WhenAll(all.Select(async c =>
        {
            try
            {
                await c.Container.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                lock (problems) problems.Add($"removing {c.Name}: {e.Message}");
            }
        }));
        foreach (var (what, remove) in afterwards)
        {
            try
            {
                await remove();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"removing {what}: {e.Message}");
            }
        }
        var cleanupLog = Path.Combine(logDirectory, "cleanup.log");
        if (problems.Count > 0) await File.WriteAllLinesAsync(cleanupLog, problems);
        else File.Delete(cleanupLog);
    }
}
