namespace BitTorrent.ContainerTests.Infrastructure;

public static class Eventually
{
    /// <summary>
    /// Polls until <paramref name="check"/> returns null (success) or the timeout passes; a check returns
    /// what is still wrong, and a check that throws counts as not yet. The last answer is in the failure.
    /// </summary>
    public static async Task SucceedsAsync(Func<Task<string?>> check, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "never checked";
        while (true)
        {
            try
            {
                if (await check() is not { } problem) return;
                last = problem;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:F0} s; last: {last}");
            await Task.Delay(300);
        }
    }
}
