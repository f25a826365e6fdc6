using Cake.Core.Diagnostics;
using Cake.Frosting;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Nginx;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(Clean))]
[TaskDescription("Deletes what the build writes into the tree: artifacts/ and rendered configs.")]
public sealed class Clean : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        foreach (var path in new[]
                 {
                     context.Options.ArtifactsDirectory,
                     Path.Combine(context.Catalog.Proxy.ContextDirectory, NginxConfigRenderer.RenderedFolder),
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
