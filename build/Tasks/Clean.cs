using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Jenkins;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(Clean))]
[TaskDescription("Deletes what the build writes into the tree: artifacts/ and rendered configs.")]
public sealed class Clean : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        foreach (var path in new[]
                 {
                     context.Options.Environment.ArtifactsDirectory,
                     // Written by builds before the proxy's config moved to container start: it would change the proxy's content tag.
                     Path.Combine(context.Catalog.Proxy.ContextDirectory, "rendered"),
                     Path.Combine(context.Catalog.Master.ContextDirectory, EcsCloudRenderer.RenderedFolder),
                 })
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
                context.Log.Information("Deleted {0}", path);
            }
        }
    }
}
