namespace Cake.Frosting;

/// <summary>
/// Ordering the build adds to the dependency graph for a run whose independent tasks run at the same time: each
/// pair says that <c>Before</c>, where it is in the run, ends before <c>After</c> starts. It is not a dependency:
/// it brings no task into a run (Cake's sequential order, which --tree and --dryrun show, already respects it).
/// The build uses it where a task reads a value that another task of the same run may produce instead of its own
/// dependency (a Deploy's stack outputs come from DeployInfrastructure, not from ReadStackOutputs).
/// </summary>
public interface IRunOrdering
{
    IEnumerable<(string Before, string After)> Edges(IReadOnlyList<string> plan);
}
