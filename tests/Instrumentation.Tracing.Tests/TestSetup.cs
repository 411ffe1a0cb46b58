// The applications under test set process-wide state (DistributedContextPropagator.Current, Activity listeners), so
// test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
