using System.Diagnostics;
using System.Text.Json;

namespace BitTorrent.ContainerTests.Infrastructure;

/// <summary>
/// What the rendered Helm chart asks a kubelet to run, pod by pod: tests/chart/podplan.mjs renders
/// charts/bittorrent with <c>helm template</c> and resolves every container's environment (downward API,
/// the ring Secret, <c>$(VAR)</c> references) the way Kubernetes does.
/// </summary>
public sealed record PodPlan(string Release, string Namespace, string PodIp, IReadOnlyList<PlannedWorkload> Workloads)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public PlannedWorkload Workload(string component) =>
        Workloads.SingleOrDefault(w => w.Component == component)
        ?? throw new InvalidOperationException($"the rendered chart has no {component} workload");

    /// <summary>
    /// Renders the chart with <paramref name="valuesFiles"/> (paths relative to the repository) and
    /// <paramref name="sets"/> (<c>--set key=value</c>). Needs node and the chart tools (tests/chart/tools.sh,
    /// which <c>make test</c> runs before this suite).
    /// </summary>
    public static async Task<PodPlan> RenderAsync(IEnumerable<string> valuesFiles, IReadOnlyDictionary<string, string> sets, string podIp)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = DockerEngine.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine("tests", "chart", "podplan.mjs"));
        foreach (var file in valuesFiles)
        {
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add(Path.Combine(DockerEngine.RepositoryRoot, file));
        }
        foreach (var (key, value) in sets)
        {
            start.ArgumentList.Add("--set");
            start.ArgumentList.Add($"{key}={value}");
        }
        start.ArgumentList.Add("--pod-ip");
        start.ArgumentList.Add(podIp);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tests/chart/podplan.mjs exited {process.ExitCode}: {await stderr}");
        }
        return JsonSerializer.Deserialize<PodPlan>(await stdout, Json)
            ?? throw new InvalidOperationException("tests/chart/podplan.mjs printed no plan");
    }
}

public sealed record PlannedWorkload(string Kind, string Name, string? Component, string PodManagementPolicy, IReadOnlyList<PlannedPod> Pods);

public sealed record PlannedPod(string Name, int Ordinal, bool HostNetwork, string DnsPolicy, IReadOnlyList<PlannedContainer> Containers)
{
    public PlannedContainer Container => Containers.Single();
}

public sealed record PlannedContainer(
    string Name,
    string Image,
    IReadOnlyList<string>? Command,
    IReadOnlyList<string>? Args,
    IReadOnlyList<PlannedEnv> Env,
    long? RunAsUser,
    long? RunAsGroup,
    bool RunAsNonRoot,
    long? FsGroup,
    bool ReadOnlyRootFilesystem,
    bool AllowPrivilegeEscalation,
    IReadOnlyList<string> CapabilitiesDrop,
    IReadOnlyList<string> CapabilitiesAdd,
    IReadOnlyList<PlannedPort> Ports,
    IReadOnlyList<PlannedMount> Mounts,
    PlannedProbe? Readiness,
    PlannedProbe? Liveness)
{
    public string? EnvValue(string name) => Env.LastOrDefault(e => e.Name == name)?.Value;
}

public sealed record PlannedEnv(string Name, string Value);

public sealed record PlannedPort(string? Name, int ContainerPort);

/// <summary>A volume mount: <c>emptyDir</c> or <c>persistentVolumeClaim</c> (a StatefulSet's claim template).</summary>
public sealed record PlannedMount(string Path, string Volume, string Kind, bool ReadOnly);

public sealed record PlannedProbe(
    IReadOnlyList<string>? Exec,
    PlannedHttpGet? HttpGet,
    PlannedTcpSocket? TcpSocket,
    int InitialDelaySeconds,
    int PeriodSeconds,
    int TimeoutSeconds,
    int FailureThreshold);

public sealed record PlannedHttpGet(string Path, int Port, string Scheme);

public sealed record PlannedTcpSocket(int Port);
