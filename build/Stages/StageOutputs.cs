using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>The kinds of value tasks hand on; a task declares which it produces and which it consumes.</summary>
public enum StageOutput
{
    /// <summary>The deployed stacks' outputs: of every stack of the environment (later stacks' over earlier ones').</summary>
    Stacks,

    /// <summary>The images the build tasks built (or found in the registry), by image name.</summary>
    [ByKey]
    BuiltImages,

    /// <summary>The images in the registry, by name, referenced by digest.</summary>
    [ByKey]
    PushedImages,

    /// <summary>The registered task definition revision of each family.</summary>
    [ByKey]
    TaskDefinitions,

    /// <summary>Whether this run moves the master to another revision (Jenkins restarts).</summary>
    MasterRestart,

    /// <summary>The recovery point of the Jenkins home's backup made in this run.</summary>
    HomeRecoveryPoint,

    /// <summary>What draining the master before its restart did (drained, unreachable, or restarted anyway and which builds were cut off).</summary>
    MasterDrain,

    /// <summary>What deploying each stack did (created, updated, unchanged), for the Deploy's summary.</summary>
    StackDeployments,

    /// <summary>What deploying each service did (created, updated with which members, unchanged), for the Deploy's summary.</summary>
    ServiceDeployments,

    /// <summary>What the smoke test found (passed, or skipped and why), for the Deploy's summary.</summary>
    SmokeTestResult,

    /// <summary>The agents the master may start at once, per toolchain (CheckPlacement), for Plan and the Deploy's summary.</summary>
    AgentCapacity,

    /// <summary>The images whose build or push failed, by image name, with why, for the Deploy's summary.</summary>
    [ByKey]
    FailedImages,
}

/// <summary>
/// Marks an output the run keeps by key (an image's name, a family), each key written by the one task that produces
/// it, which its consumer depends on: no consumer waits for every producer of it (<see cref="RunGraph"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class ByKeyAttribute : Attribute;

/// <summary>The step of an image that failed.</summary>
public enum ImageStep
{
    Build,
    Push,
}

/// <summary>An image whose build or push failed, and the failure's message.</summary>
public sealed record ImageFailure(string Name, ImageStep Step, string Reason);

/// <summary>Declares a value a task hands on to later tasks (<see cref="StageOutputs"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ProducesAttribute(StageOutput output) : Attribute
{
    public StageOutput Output { get; } = output;

    /// <summary>
    /// Produces the value only for a run that has no other producer of it and needs it: the task is skipped where
    /// another producer of the value is in the run, or where no task of the run consumes it and it is not the target
    /// (<see cref="RunGraph.SkipReason"/>). ReadStackOutputs, which DeployInfrastructure makes needless.
    /// </summary>
    public bool Fallback { get; init; }
}

/// <summary>
/// Declares a value a task reads from earlier tasks; the task depends (transitively) on a producer of it.
/// <see cref="WhenPresent"/>: used when the run has it, else the task falls back on a setting.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConsumesAttribute(StageOutput output) : Attribute
{
    public StageOutput Output { get; } = output;

    public bool WhenPresent { get; init; }
}

/// <summary>What the stages of one run hand on to each other: typed, written once by their producer.</summary>
public sealed class StageOutputs
{
    public Handoff<IReadOnlyDictionary<string, string>> Stacks { get; } = new("the stacks' outputs", StageGraph.ProducersText(StageOutput.Stacks));

    public KeyedHandoff<BuiltImage> BuiltImages { get; } = new("the built image");

    /// <summary>
    /// Each image as its push ends. A BuildAgentImages that fails hands on the agent pushes it began and that ended
    /// (PushAgentImages, their producer otherwise, then never runs), so that a failed run's summary lists them.
    /// </summary>
    public KeyedHandoff<PushedImage> PushedImages { get; } = new("the pushed image");

    /// <summary>Each image whose build or push failed, as it failed (the other images of the run go on).</summary>
    public KeyedHandoff<ImageFailure> FailedImages { get; } = new("the image's failure");

    public KeyedHandoff<TaskDefinitionRegistration> TaskDefinitions { get; } = new("the registered task definition");

    public Handoff<MasterRevisionChange> MasterRestart { get; } = new("whether the master restarts", StageGraph.ProducersText(StageOutput.MasterRestart));

    /// <summary>The recovery point's ARN.</summary>
    public Handoff<string> HomeRecoveryPoint { get; } = new("the Jenkins home's recovery point", StageGraph.ProducersText(StageOutput.HomeRecoveryPoint));

    public Handoff<Jenkins.DrainOutcome> MasterDrain { get; } = new("what draining the master did", StageGraph.ProducersText(StageOutput.MasterDrain));

    public Handoff<IReadOnlyList<Stacks.StackDeployment>> StackDeployments { get; } = new("what deploying the stacks did", StageGraph.ProducersText(StageOutput.StackDeployments));

    public Handoff<IReadOnlyList<ServiceDeployment>> ServiceDeployments { get; } = new("what deploying the services did", StageGraph.ProducersText(StageOutput.ServiceDeployments));

    /// <summary>One line: "passed: …" or "skipped: …".</summary>
    public Handoff<string> SmokeTestResult { get; } = new("the smoke test's result", StageGraph.ProducersText(StageOutput.SmokeTestResult));

    public Handoff<AgentCapacityReport> AgentCapacity { get; } = new("the agents' capacity", StageGraph.ProducersText(StageOutput.AgentCapacity));

    public void Record(BuiltImage image) => BuiltImages.Set(image.Name, image);

    public void Record(IEnumerable<PushedImage> images)
    {
        foreach (var image in images)
        {
            PushedImages.Set(image.Name, image);
        }
    }

    public void Record(PushedImage image) => PushedImages.Set(image.Name, image);

    /// <summary>Hands on each push of an image as it ends (<see cref="PushedImages"/>, <see cref="FailedImages"/>).</summary>
    public PushOutcomes PushOutcomes => new(Record, RecordPushFailure);

    public void RecordBuildFailure(string image, Exception failure) => FailedImages.Set(image, new ImageFailure(image, ImageStep.Build, failure.Message));

    public void RecordPushFailure(string image, Exception failure) => FailedImages.Set(image, new ImageFailure(image, ImageStep.Push, failure.Message));

}
