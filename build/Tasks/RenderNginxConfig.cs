using Cake.Core.Diagnostics;
using Cake.Frosting;
using JenkinsOnEcs.Build.Nginx;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(RenderNginxConfig))]
[TaskDescription("Renders the NGINX config that proxies to the Jenkins master's internal load balancer (from the stacks; \"jenkinsUpstream\" where the run has none).")]
[IsDependentOn(typeof(ReadStackOutputs))]
[Consumes(StageOutput.StackOutputs, WhenPresent = true)]
public sealed class RenderNginxConfig(NginxConfigRenderer renderer) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var nginx = context.Options.Nginx;
        var values = new NginxConfigValues(Upstream(context), nginx.Resolver, nginx.ProxyTimeoutSeconds);
        var (path, changed) = renderer.RenderInto(context.Catalog.Proxy.ContextDirectory, values);
        context.Log.Information("{0} {1} (upstream {2})", changed ? "Rendered" : "Unchanged", path, values.Upstream);
    }

    /// <summary>
    /// The internal load balancer the stacks hold, where this run has their outputs (deployed, or read by
    /// ReadStackOutputs, which runs when "jenkinsUpstream" is not set); else the setting (local builds, no AWS).
    /// </summary>
    private static NginxUpstream Upstream(BuildContext context)
        => context.Outputs.StackOutputs.TryGet(out var outputs) && outputs.TryGetValue("InternalLoadBalancerDnsName", out var dns) && NginxUpstream.TryParse(dns, out var upstream, out _)
            ? upstream
            : context.Options.Nginx.JenkinsUpstream
              ?? throw new BuildException("RenderNginxConfig has no upstream: this run neither deployed nor read the stacks (DeployInfrastructure or ReadStackOutputs, not with --exclusive), and \"jenkinsUpstream\" is not set in the environment file.");
}
