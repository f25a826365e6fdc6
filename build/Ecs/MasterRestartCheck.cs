using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>
/// Whether this Deploy changes the revision the master's service runs (Jenkins restarts; running builds stop), and why.
/// Restarts is false for a service that does not exist yet (its first start is no restart).
/// </summary>
public sealed record MasterRevisionChange(string Family, bool Restarts, string Reason);

/// <summary>
/// Decides, before any task definition is registered and any service updated, whether the master's service will move
/// to another revision: the master definition rendered as RegisterTaskDefinitions will register it (the pushed image's
/// digest included, so this runs after the pushes) is held against the family's latest ACTIVE revision by the
/// registrar's fingerprint, and the revision found (or a new one) against the revision the service runs (after a
/// Rollback the service runs an older one, and a Deploy with unchanged files still moves it). With restarts not
/// allowed, a change stops the run here, before the master is touched.
/// </summary>
public sealed class MasterRestartCheck(EcsClient ecs, ICakeLog log)
{
    public const string AllowArgument = "--allow-master-restart";

    public async Task<MasterRevisionChange> CheckAsync(JsonObject rendered, string cluster, string serviceName, bool allowRestart, CancellationToken cancellationToken = default)
    {
        var family = (string)rendered["family"]!;
        var change = await DecideAsync(rendered, family, cluster, serviceName, cancellationToken);
        if (!change.Restarts)
        {
            log.Information("{0}: the master keeps its revision ({1}): Jenkins does not restart.", family, change.Reason);
            return change;
        }

        if (!allowRestart)
        {
            throw new BuildException(
                $"This Deploy would restart Jenkins: {change.Reason}, and running builds would stop. allowMasterRestart is false for this environment, so it stops here: " +
                $"no task definition was registered and no service changed. To allow it for one run, pass {AllowArgument} (or set JENKINS_ECS_ALLOW_MASTER_RESTART=true), " +
                "e.g. outside working hours.");
        }

        log.Warning("{0}: the master restarts in this Deploy ({1}); running builds stop.", family, change.Reason);
        return change;
    }

    private async Task<MasterRevisionChange> DecideAsync(JsonObject rendered, string family, string cluster, string serviceName, CancellationToken cancellationToken)
    {
        var service = await ecs.DescribeServiceAsync(cluster, serviceName, cancellationToken);
        if (service is null)
        {
            return new MasterRevisionChange(family, false, $"no service {serviceName} yet, DeployServices creates it");
        }

        var running = (string)service["taskDefinition"]!;
        var latest = await ecs.DescribeLatestTaskDefinitionAsync(family, cancellationToken);
        var matches = latest is { } current
            && current.Tags.GetValueOrDefault(TaskDefinitionRegistrar.FingerprintTag) == TaskDefinitionRegistrar.Fingerprint(rendered)
            && (string?)current.Definition["status"] != "INACTIVE";
        if (!matches)
        {
            var was = latest is { } l ? ImageOf(l.Definition) : null;
            var now = ImageOf(rendered);
            var what = was is not null && now is not null && was != now
                ? $"its image changes from {was} to {now}"
                : "its task definition changes (ecs/master.json, the settings or the stack outputs it renders)";
            return new MasterRevisionChange(family, true, $"{serviceName} runs {Short(running)}; a new revision is registered: {what}");
        }

        var target = (string)latest!.Value.Definition["taskDefinitionArn"]!;
        return target == running
            ? new MasterRevisionChange(family, false, $"{serviceName} runs {Short(running)}, which matches")
            : new MasterRevisionChange(family, true, $"{serviceName} runs {Short(running)} (e.g. after a Rollback), and DeployServices puts it on {Short(target)}");
    }

    private static string? ImageOf(JsonObject definition)
        => (string?)(definition["containerDefinitions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == "jenkins-master")?["image"];

    private static string Short(string arn) => arn.Split('/').Last();
}
