// Scenarios start real processes; run them one at a time so two cores are not shared by two rings.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
