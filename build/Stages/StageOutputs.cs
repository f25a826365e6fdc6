using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Registry;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>The kinds of value tasks hand on; a task declares which it produces and which it consumes.</summary>
public enum StageOutput
{
    /// <summary>The outputs of every stack of the environment (later stacks' over earlier ones').</summary>
    StackOutputs,

    /// <summary>The images the build tasks built (or found in the registry), by image name.</summary>
    BuiltImages,

    /// <summary>The images in the registry, by name, referenced by digest.</summary>
    PushedImages,

    /// <summary>The registered task definition revision of each family.</summary>
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
}

/// <summary>Declares a value a task hands on to later tasks (<see cref="StageOutputs"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ProducesAttribute(StageOutput output) : Attribute
{
    public StageOutput Output { get; } = output;
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
    public Handoff<IReadOnlyDictionary<string, string>> StackOutputs { get; } = new("the stacks' outputs", "DeployInfrastructure or ReadStackOutputs");

    public KeyedHandoff<BuiltImage> BuiltImages { get; } = new("the built image");

    public KeyedHandoff<PushedImage> PushedImages { get; } = new("the pushed image");

    public KeyedHandoff<TaskDefinitionRegistration> TaskDefinitions { get; } = new("the registered task definition");

    public Handoff<MasterRevisionChange> MasterRestart { get; } = new("whether the master restarts", "CheckMasterRestart");

    /// <summary>The recovery point's ARN.</summary>
    public Handoff<string> HomeRecoveryPoint { get; } = new("the Jenkins home's recovery point", "BackupHome");

    public Handoff<Jenkins.DrainOutcome> MasterDrain { get; } = new("what draining the master did", "DrainMaster");

    public Handoff<IReadOnlyList<Infrastructure.StackDeployment>> StackDeployments { get; } = new("what deploying the stacks did", "DeployInfrastructure");

    public Handoff<IReadOnlyList<ServiceDeployment>> ServiceDeployments { get; } = new("what deploying the services did", "DeployServices");

    /// <summary>One line: "passed: …" or "skipped: …".</summary>
    public Handoff<string> SmokeTestResult { get; } = new("the smoke test's result", "SmokeTest");

    public Handoff<AgentCapacityReport> AgentCapacity { get; } = new("the agents' capacity", "CheckPlacement");

    public void Record(BuiltImage image) => BuiltImages.Set(image.Name, image);

    public void Record(IEnumerable<PushedImage> images)
    {
        foreach (var image in images)
        {
            PushedImages.Set(image.Name, image);
        }
    }

    /// <summary>The build task that produces an image of this kind.</summary>
    public static string BuildTaskOf(ImageKind kind) => kind switch
    {
        ImageKind.Master => "BuildMasterImage",
        ImageKind.Proxy => "BuildNginxImage",
        _ => "BuildAgentImages",
    };

    /// <summary>The push task that produces a pushed image of this kind.</summary>
    public static string PushTaskOf(ImageKind kind) => kind switch
    {
        ImageKind.Master => "PushMasterImage",
        ImageKind.Proxy => "PushNginxImage",
        _ => "PushAgentImages",
    };
}
