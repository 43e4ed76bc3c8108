namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>
/// Scenarios run two at a time (each test class is a collection; see AssemblyInfo.cs). Those in this collection
/// run one at a time, after all the others have finished: scenarios whose assertions are bound to wall-clock time
/// (a rate within 15%, a deadline of a few seconds, entries that must not expire before the test reads them) and
/// those that listen on the multicast group. A second scenario sharing the two cores or the group with them would
/// make them measure the machine instead of our code. Such a class carries both attributes:
/// <c>[Collection(Alone.Name)]</c>, which the runner schedules by, and <c>[Trait(Alone.Trait, Alone.Value)]</c>,
/// which <c>make test</c> filters by to run them as a second run (scripts/test.sh); ScheduleTests checks the two agree.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "Scenarios that run alone";
    public const string Trait = "Schedule";
    public const string Value = "Alone";
}
