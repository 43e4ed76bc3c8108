using System.Globalization;
using System.Net.Sockets;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Volumes;

namespace BitTorrent.ContainerTests.Infrastructure;

/// <summary>
/// Runs the pods of a <see cref="PodPlan"/> as a kubelet would on one node, each container in the host's
/// network namespace (<c>NetworkMode = host</c>, the chart's <c>hostNetwork: true</c>): the image, command,
/// args and environment as rendered; the user, group, supplementary fsGroup, read-only root, dropped
/// capabilities and no-new-privileges of its security contexts; an <c>emptyDir</c> as a tmpfs and a claim as
/// a Docker volume of its own; StatefulSets started in order (OrderedReady waits for each pod's readiness
/// probe) or in parallel. The plan's pod IP must be a loopback address: nothing listens beyond this machine.
/// Disposing keeps every container's log in artifacts/test-logs/containers/&lt;test&gt;/ and removes the
/// containers and volumes.
/// </summary>
public sealed class HostPods : IAsyncDisposable
{
    private static readonly string OwnerPid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    private readonly List<RunningPod> _pods = [];
    private readonly List<IVolume> _volumes = [];
    private readonly string _prefix = $"bt-{Guid.NewGuid().ToString("N")[..8]}";
    private readonly string _logDirectory;
    private readonly PodPlan _plan;

    public HostPods(string testName, PodPlan plan)
    {
        if (!System.Net.IPAddress.TryParse(plan.PodIp, out var ip) || !System.Net.IPAddress.IsLoopback(ip))
        {
            throw new ArgumentException($"host-network pods are pinned to loopback; the plan's pod IP is {plan.PodIp}", nameof(plan));
        }
        _plan = plan;
        _logDirectory = Path.Combine(DockerEngine.RepositoryRoot, "artifacts", "test-logs", "containers", testName);
    }

    public IReadOnlyList<RunningPod> Pods => _pods;

    /// <summary>Starts every pod of <paramref name="workload"/> as its StatefulSet or Deployment would, and waits until all are ready.</summary>
    public async Task<IReadOnlyList<RunningPod>> StartAsync(PlannedWorkload workload, TimeSpan readyTimeout)
    {
        if (workload.PodManagementPolicy == "OrderedReady")
        {
            var started = new List<RunningPod>();
            foreach (var pod in workload.Pods)
            {
                var running = await StartPodAsync(pod);
                await running.WaitReadyAsync(readyTimeout);
                started.Add(running);
            }
            return started;
        }
        var all = new List<RunningPod>();
        foreach (var pod in workload.Pods) all.Add(await StartPodAsync(pod));
        await Task.WhenAll(all.Select(p => p.WaitReadyAsync(readyTimeout)));
        return all;
    }

    private async Task<RunningPod> StartPodAsync(PlannedPod pod)
    {
        if (!pod.HostNetwork) throw new InvalidOperationException($"{pod.Name}: the chart does not put it on the host network");
        var spec = pod.Container;
        var builder = new ContainerBuilder(spec.Image)
            .WithName($"{_prefix}-{pod.Name}")
            .WithLabel(Cluster.OwnerLabel, OwnerPid)
            .WithEnvironment(spec.Env.ToDictionary(e => e.Name, e => e.Value));
        foreach (var mount in spec.Mounts.Where(m => m.Kind == "persistentVolumeClaim"))
        {
            // A claim: a Docker volume of its own, which starts with the image's directory (owner included),
            // as a fresh claim with the pod's fsGroup is writable by the pod's user.
            var volume = new VolumeBuilder().WithName($"{_prefix}-{mount.Volume}-{pod.Name}").WithLabel(Cluster.OwnerLabel, OwnerPid).Build();
            _volumes.Add(volume);
            await volume.CreateAsync();
            builder = builder.WithVolumeMount(volume, mount.Path, mount.ReadOnly ? AccessMode.ReadOnly : AccessMode.ReadWrite);
        }
        builder = builder.WithCreateParameterModifier(p =>
        {
            var host = p.HostConfig ??= new HostConfig();
            host.NetworkMode = "host";
            host.ReadonlyRootfs = spec.ReadOnlyRootFilesystem;
            host.CapDrop = [.. spec.CapabilitiesDrop];
            host.CapAdd = [.. spec.CapabilitiesAdd];
            if (!spec.AllowPrivilegeEscalation) host.SecurityOpt = ["no-new-privileges"];
            if (spec.RunAsUser is { } uid) p.User = spec.RunAsGroup is { } gid ? $"{uid}:{gid}" : $"{uid}";
            if (spec.FsGroup is { } fsGroup) host.GroupAdd = [fsGroup.ToString(CultureInfo.InvariantCulture)];
            host.Tmpfs = spec.Mounts.Where(m => m.Kind == "emptyDir").ToDictionary(m => m.Path, _ => "mode=1777");
        });
        builder = spec.Command is { } command
            ? builder.WithEntrypoint([.. command]).WithCommand([.. spec.Args ?? []])
            : builder.WithCommand([.. spec.Args ?? []]);
        if (spec.RunAsNonRoot && spec.RunAsUser is 0)
        {
            throw new InvalidOperationException($"{pod.Name}: runAsNonRoot with runAsUser 0");
        }

        var running = new RunningPod(pod, builder.Build(), _plan.PodIp);
        _pods.Add(running); // before starting: removed even if the start fails
        await running.Container.StartAsync();
        return running;
    }

    /// <summary>Keeps the logs, removes the containers and then the volumes (see <see cref="Teardown"/>).</summary>
    public async ValueTask DisposeAsync() =>
        await Teardown.RunAsync(_logDirectory, _pods.Select(p => (p.Plan.Name, p.Container)),
            _volumes.Select(v => ($"volume {v.Name}", (Func<Task>)(async () =>
            {
                await v.DeleteAsync();
                await v.DisposeAsync();
            }))));
}

/// <summary>A started pod, and its probes run the way kubelet runs them.</summary>
public sealed class RunningPod(PlannedPod plan, IContainer container, string podIp)
{
    public PlannedPod Plan { get; } = plan;

    public IContainer Container { get; } = container;

    /// <summary>http://&lt;pod IP&gt;:<paramref name="port"/>, reachable from the test: the pod shares the host's network.</summary>
    public Uri Url(int port) => new($"http://{podIp}:{port}");

    /// <summary>Runs <paramref name="probe"/> once; null when it succeeds, else what failed.</summary>
    public async Task<string?> ProbeAsync(PlannedProbe probe)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds)));
        try
        {
            if (probe.Exec is { } command)
            {
                var result = await Container.ExecAsync([.. command], timeout.Token);
                return result.ExitCode == 0 ? null : $"exec {string.Join(' ', command)}: exit {result.ExitCode} {result.Stderr}".Trim();
            }
            if (probe.HttpGet is { } get)
            {
                // kubelet: any status from 200 to 399 is a success.
                using var http = new HttpClient();
                using var response = await http.GetAsync(new Uri(Url(get.Port), get.Path), timeout.Token);
                var status = (int)response.StatusCode;
                return status is >= 200 and < 400 ? null : $"GET {get.Path} on {get.Port}: {status}";
            }
            if (probe.TcpSocket is { } tcp)
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(podIp, tcp.Port, timeout.Token);
                return null;
            }
            return "the probe has no handler";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or SocketException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Polls the readiness probe (at least every second) until it succeeds; fails early if the container exits.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var probe = Plan.Container.Readiness ?? throw new InvalidOperationException($"{Plan.Name} has no readiness probe");
        var deadline = DateTime.UtcNow + timeout;
        var last = "not probed yet";
        while (DateTime.UtcNow < deadline)
        {
            if (Container.State is not TestcontainersStates.Running)
            {
                var (stdout, stderr) = await Container.GetLogsAsync();
                throw new InvalidOperationException($"{Plan.Name} is {Container.State}; its log:\n{stdout}{stderr}");
            }
            if (await ProbeAsync(probe) is not { } problem) return;
            last = problem;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, probe.PeriodSeconds * 1000)));
        }
        var logs = await Container.GetLogsAsync();
        throw new TimeoutException($"{Plan.Name} not ready within {timeout} (last probe: {last}); its log:\n{logs.Stdout}{logs.Stderr}");
    }
}
