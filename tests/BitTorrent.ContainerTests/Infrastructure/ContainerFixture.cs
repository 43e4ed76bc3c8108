namespace BitTorrent.ContainerTests.Infrastructure;

/// <summary>
/// Once per run: a Docker engine (started here if none answers, stopped again at the end) and the
/// images (scripts/images.sh). Each test then builds its own <see cref="Cluster"/> on its own network.
/// </summary>
public sealed class ContainerFixture : IAsyncLifetime
{
    public Task InitializeAsync() => DockerEngine.PrepareAsync();

    public Task DisposeAsync() => DockerEngine.StopIfStartedAsync();

    /// <summary>A new cluster on a new Docker network; dispose it (await using) to remove it all.</summary>
    public static Task<Cluster> CreateClusterAsync(string testName) => Cluster.CreateAsync(testName);
}

[CollectionDefinition(Name)]
public sealed class ContainerCollection : ICollectionFixture<ContainerFixture>
{
    public const string Name = "containers";
}
