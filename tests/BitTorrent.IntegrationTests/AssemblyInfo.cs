// Scenarios start real processes; two run at a time (each test class is a collection), one per core of a
// two-core machine. Those bound to wall-clock time run alone afterwards (Infrastructure/Alone.cs).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, MaxParallelThreads = 2)]
