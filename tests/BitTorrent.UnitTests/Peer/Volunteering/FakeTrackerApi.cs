using System.Net;
using System.Reflection;
using BitTorrent.Peer.Tracking;
using BitTorrent.Shared.Contracts;
using BitTorrent.Shared.Contracts.Tracker;
using Refit;

namespace BitTorrent.UnitTests.Peer.Volunteering;

/// <summary>
/// A tracker that answers only the volunteer call, with the tasks a test queues; it records every report it was sent.
/// Any other call fails the test. <see cref="Unreachable"/> makes every call throw as if no node answered.
/// </summary>
internal class FakeTrackerApi : DispatchProxy
{
    public List<VolunteerReport> Reports { get; } = [];
    public Queue<IReadOnlyList<VolunteerTask>> Answers { get; } = new();
    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;
    public bool Unreachable { get; set; }
    public int PollAfterSeconds { get; set; } = 5;

    public static FakeTrackerApi Create() => (FakeTrackerApi)(object)Create<ITrackerApi, FakeTrackerApi>();

    public ITrackerOwnerCalls Calls => new OwnerCalls(this);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod?.Name != nameof(ITrackerApi.GetVolunteerAssignmentAsync))
            throw new InvalidOperationException($"The agent called {targetMethod?.Name}.");
        Reports.Add((VolunteerReport)args![1]!);
        var message = new HttpResponseMessage(Status) { RequestMessage = new HttpRequestMessage(HttpMethod.Post, "http://node/api/tracker/volunteers/7/assignment") };
        var content = Status == HttpStatusCode.OK ? new VolunteerAssignment(Answers.Count > 0 ? Answers.Dequeue() : [], PollAfterSeconds) : null;
        return Task.FromResult<IApiResponse<VolunteerAssignment>>(new ApiResponse<VolunteerAssignment>(message, content, new RefitSettings()));
    }

    private sealed class OwnerCalls(FakeTrackerApi fake) : ITrackerOwnerCalls
    {
        public Task<T> CallAsOwnerAsync<T>(Func<ITrackerApi, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
            fake.Unreachable ? throw new TrackerUnavailableException(null) : call((ITrackerApi)(object)fake, cancellationToken);
    }
}
