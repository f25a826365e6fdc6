using System.Reflection;
using Cake.Frosting;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>Who produces and who consumes each <see cref="StageOutput"/>, read from the tasks' attributes.</summary>
public static class StageGraph
{
    public sealed record Consumer(string Task, bool WhenPresent);

    public static IEnumerable<Type> TaskTypes => typeof(StageGraph).Assembly.GetExportedTypes()
        .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract);

    public static string NameOf(Type task) => task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;

    public static IEnumerable<string> Producers(StageOutput output)
        => TaskTypes.Where(t => t.GetCustomAttributes<ProducesAttribute>().Any(p => p.Output == output)).Select(NameOf);

    /// <summary>
    /// Whether ReadStackOutputs runs: when it is the target, or when the run does not deploy the stacks
    /// (DeployInfrastructure) and a task of the run needs their outputs: one that consumes them always, or one that
    /// uses them when present (RenderNginxConfig) while "jenkinsUpstream" is not set.
    /// </summary>
    public static bool ReadsStackOutputs(IReadOnlySet<string> tasks, string target, bool upstreamSet)
    {
        if (target.Equals(ReadStackOutputsTask, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (Producers(StageOutput.StackOutputs).Any(p => p != ReadStackOutputsTask && tasks.Contains(p)))
        {
            return false;
        }

        var consumers = Consumers(StageOutput.StackOutputs).Where(c => tasks.Contains(c.Task)).ToList();
        return consumers.Any(c => !c.WhenPresent) || (consumers.Count > 0 && !upstreamSet);
    }

    /// <summary>Whether the run keeps the output by key (an image's name, a family), each key with its own producer, rather than one value.</summary>
    public static bool IsKeyed(StageOutput output) => output is StageOutput.BuiltImages or StageOutput.PushedImages or StageOutput.TaskDefinitions;

    /// <summary>The task that reads the stacks' outputs without deploying them.</summary>
    public const string ReadStackOutputsTask = "ReadStackOutputs";

    /// <summary>The tasks that roll out or plan the stacks: a dry run with one of them shows the stack graph.</summary>
    public static readonly IReadOnlyList<string> StackRolloutTasks = ["DeployInfrastructure", "Plan"];

    /// <summary>The CI job, whose end says what it did (artifacts/deploy.md).</summary>
    public const string DeployTarget = "Deploy";

    public static IEnumerable<Consumer> Consumers(StageOutput output)
        => TaskTypes.SelectMany(t => t.GetCustomAttributes<ConsumesAttribute>().Where(c => c.Output == output).Select(c => new Consumer(NameOf(t), c.WhenPresent)));
}
