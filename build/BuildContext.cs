using Cake.Core;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build;

/// <summary>
/// The one typed context: the run's options (<see cref="RunOptions"/>, made once at setup from the checked settings,
/// held in the one holder the services' options are parts of), the image catalog, the tasks of the run, and what tasks
/// hand on to later tasks (typed, written once: <see cref="StageOutputs"/>).
/// </summary>
public sealed class BuildContext(ICakeContext context, Handoff<RunOptions> options) : FrostingContext(context)
{
    private ImageCatalog? _catalog;
    private IReadOnlySet<string>? _tasks;

    public RunOptions Options => options.Value;

    /// <summary>False in the teardown of a run whose settings did not read.</summary>
    public bool IsSetUp => options.IsSet;

    public ImageCatalog Catalog => _catalog ?? throw NotSetUp();

    public StageOutputs Outputs { get; } = new();

    /// <summary>The names of the tasks this run executes (its target's dependencies and the target), from setup.</summary>
    public IReadOnlySet<string> Tasks => _tasks ?? throw NotSetUp();

    /// <summary>The target of the run.</summary>
    public string Target { get; private set; } = "";

    public ImageBuildOptions ImageBuildOptions => Options.Images;

    /// <summary>Who this run is, for the deploy lock and the service moves' record: the CI job, the host, the process and the target.</summary>
    public string RunDescription => Locking.DeployLock.DescribeRun(Environment.GetEnvironmentVariable, Target);

    /// <summary>Called by the setup lifetime; a second call is a bug.</summary>
    public void Initialize(RunOptions runOptions, ImageCatalog catalog, IReadOnlySet<string> tasks, string target)
    {
        options.Set(runOptions);
        _catalog = catalog;
        _tasks = tasks;
        Target = target;
    }

    private static InvalidOperationException NotSetUp() => new("Settings are read at setup; a task ran before it.");
}
