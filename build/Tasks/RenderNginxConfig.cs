using Cake.Core.Diagnostics;
using Cake.Frosting;
using JenkinsOnEcs.Build.Nginx;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(RenderNginxConfig))]
[TaskDescription("Renders the NGINX config that proxies to the Jenkins master's internal load balancer.")]
public sealed class RenderNginxConfig(NginxConfigRenderer renderer) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var settings = context.Settings;
        var values = new NginxConfigValues(settings.JenkinsUpstream!, settings.NginxResolver, settings.ProxyTimeoutSeconds);
        var (path, changed) = renderer.RenderInto(context.Catalog.Proxy.ContextDirectory, values);
        context.Results.NginxConfig = path;
        context.Log.Information("{0} {1} (upstream {2})", changed ? "Rendered" : "Unchanged", path, values.Upstream);
    }
}
