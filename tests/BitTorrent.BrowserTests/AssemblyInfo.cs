// Every test drives one shared system of real processes and one browser: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
