using Cake.Frosting;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>
/// What the host must add to the task dependencies when independent tasks run at the same time: a task that
/// consumes a value of which the run has one (the stacks' outputs, whether the master restarts, the recovery point)
/// starts only after every task of the run that may produce it. A Deploy's stack outputs come from
/// DeployInfrastructure while its consumers depend on ReadStackOutputs (which the Deploy skips): run one after the
/// other, Cake's order happened to put DeployInfrastructure first; run as a graph, this says so. Values kept by key
/// (an image, a family) are not included: each key has one producer, which its consumer depends on.
/// And the checks of the inputs alone (<see cref="CheckFirstAttribute"/>) end before any other task of the run starts.
/// And a task that runs after another where both are in the run (<see cref="RunsAfterAttribute"/>) waits for it.
/// </summary>
public sealed class StageOrdering : IRunOrdering
{
    public IEnumerable<(string Before, string After)> Edges(IReadOnlyList<string> plan)
    {
        var inPlan = plan.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var checksFirst = StageGraph.TaskTypes.Where(CheckFirstAttribute.IsOn).Select(StageGraph.NameOf).Where(inPlan.Contains).ToList();
        foreach (var check in checksFirst)
        {
            foreach (var task in plan.Where(t => !checksFirst.Contains(t, StringComparer.OrdinalIgnoreCase)))
            {
                yield return (check, task);
            }
        }

        foreach (var (before, after) in RunsAfterAttribute.Pairs().Where(p => inPlan.Contains(p.Before) && inPlan.Contains(p.After)))
        {
            yield return (before, after);
        }

        foreach (var output in Enum.GetValues<StageOutput>().Where(o => !StageGraph.IsKeyed(o)))
        {
            var producers = StageGraph.Producers(output).Where(inPlan.Contains).ToList();
            foreach (var consumer in StageGraph.Consumers(output).Where(c => inPlan.Contains(c.Task)))
            {
                foreach (var producer in producers.Where(p => !p.Equals(consumer.Task, StringComparison.OrdinalIgnoreCase)))
                {
                    yield return (producer, consumer.Task);
                }
            }
        }
    }
}
