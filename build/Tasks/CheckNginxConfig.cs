using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Nginx;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(CheckNginxConfig))]
[TaskDescription("Checks the proxy's NGINX template (rendered at container start from the task definition's PROXY_ variables) with nginx -t, for a sample upstream and for \"jenkinsUpstream\" where set; needs no stack.")]
public sealed class CheckNginxConfig(NginxConfigRenderer renderer, NginxConfigCheck nginx) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var nginxOptions = context.Options.Nginx;
        var template = Path.Combine(context.Catalog.Proxy.ContextDirectory, NginxConfigRenderer.TemplateFile);
        if (!File.Exists(template))
        {
            throw new BuildException($"The NGINX template {template} is missing: restore it from git.");
        }

        var checks = new List<(string Name, NginxUpstream Upstream)> { ("sample", NginxConfigRenderer.SampleUpstream) };
        if (nginxOptions.JenkinsUpstream is { } upstream)
        {
            checks.Add(("environment", upstream));
        }

        var text = File.ReadAllText(template);
        var checkedByNginx = nginx.IsInstalled();
        foreach (var (name, value) in checks)
        {
            var values = new NginxConfigValues(value, nginxOptions.Resolver, nginxOptions.ProxyTimeoutSeconds);
            var rendered = Path.Combine(context.Options.Environment.ArtifactsDirectory, "nginx-proxy", $"default.conf.{name}");
            RenderedFile.Write(rendered, renderer.Render(text, values));
            if (checkedByNginx)
            {
                nginx.Check(File.ReadAllText(rendered), rendered, $"for the {name} upstream {value}");
            }

            context.Log.Information("{0} (upstream {1}): {2}", rendered, value, checkedByNginx ? "nginx -t passed" : "rendered; not checked, nginx is not on PATH (install it to check)");
        }
    }
}
