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
        var values = new NginxConfigValues(Upstream(context), settings.NginxResolver, settings.ProxyTimeoutSeconds);
        var (path, changed) = renderer.RenderInto(context.Catalog.Proxy.ContextDirectory, values);
        context.Results.NginxConfig = path;
        context.Log.Information("{0} {1} (upstream {2})", changed ? "Rendered" : "Unchanged", path, values.Upstream);
    }

    /// <summary>In a deploy, the internal load balancer the stacks hold; else the setting (local builds).</summary>
    private static NginxUpstream Upstream(BuildContext context)
        => context.Results.StackOutputs.TryGetValue("InternalLoadBalancerDnsName", out var dns) && NginxUpstream.TryParse(dns, out var upstream, out _)
            ? upstream
            : context.Settings.JenkinsUpstream
              ?? throw new BuildException("RenderNginxConfig has no upstream: set \"jenkinsUpstream\" in the environment file, or run it after DeployInfrastructure (as Deploy does).");
}
