namespace BitTorrent.ContainerTests.Infrastructure;

/// <summary>
/// Once per run, shared by every collection: a Docker engine (started here if none answers, stopped again once the
/// last collection using it is done) and the images (scripts/images.sh). Each test then builds its own
/// <see cref="Cluster"/> on its own network, or its own pods on free host ports, so collections run side by side.
/// </summary>
public sealed class ContainerFixture : IAsyncLifetime
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static int s_users;
    private static Task? s_prepared;

    public async Task InitializeAsync()
    {
        Task prepared;
        await Gate.WaitAsync();
        try
        {
            s_users++;
            prepared = s_prepared ??= DockerEngine.PrepareAsync();
        }
        finally
        {
            Gate.Release();
        }
        await prepared;
    }

    public async Task DisposeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (--s_users > 0) return;
            s_prepared = null; // a collection that starts after this prepares again
            await DockerEngine.StopIfStartedAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A new cluster on a new Docker network; dispose it (await using) to remove it all.</summary>
    public static Task<Cluster> CreateClusterAsync(string testName) => Cluster.CreateAsync(testName);
}

/// <summary>The ring's images on a Docker network (<see cref="RingContainerTests"/>).</summary>
[CollectionDefinition(Name)]
public sealed class RingContainerCollection : ICollectionFixture<ContainerFixture>
{
    public const string Name = "containers: ring";
}

/// <summary>Peers as containers (<see cref="PeerContainerTests"/>).</summary>
[CollectionDefinition(Name)]
public sealed class PeerContainerCollection : ICollectionFixture<ContainerFixture>
{
    public const string Name = "containers: peers";
}

/// <summary>The chart's pods on the host's network (<see cref="ChartSmokeTests"/>).</summary>
[CollectionDefinition(Name)]
public sealed class ChartContainerCollection : ICollectionFixture<ContainerFixture>
{
    public const string Name = "containers: chart";
}
