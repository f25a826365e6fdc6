using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build;

/// <summary>Reads and checks every setting before the first task, so a bad input fails before anything changes.</summary>
public sealed class BuildLifetime(
    Aws.AwsClients aws,
    Jenkins.CascValidator casc,
    Docker.DockerEngine docker,
    ImageBuilder images,
    Registry.RegistryTargets registries,
    Locking.DeployLock deployLock,
    Locking.InterruptionReport interruption,
    OptionHolders holders,
    RunCancellation cancellation,
    RunTimeline timeline,
    Jenkins.MasterQuietDown quietDown,
    HostRun host) : FrostingLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ISetupContext info)
    {
        foreach (var leftover in Registry.RegistryLogin.RemoveLeftovers(Path.GetTempPath()))
        {
            context.Log.Information("Removed {0}: a private Docker config (a registry login) that a killed run left", leftover);
        }

        var root = RepositoryRoot.Find(context.Environment.WorkingDirectory.FullPath);
        var settings = new BuildSettingsReader(context.Arguments, context.Environment.GetEnvironmentVariable).Read(root);
        var running = info.TasksToExecute.Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Each task declares what it needs ([Needs] on the task); the run needs what its tasks need together. A
        // ReadStackOutputs the run skips (its stacks deployed in the run, or nothing needing them) asks no AWS.
        var readsStacks = StageGraph.ReadsStackOutputs(running, info.TargetTask.Name, upstreamSet: settings.JenkinsUpstream is not null);
        var needs = NeedsAttribute.Of(running.Where(t => readsStacks || !t.Equals(StageGraph.ReadStackOutputsTask, StringComparison.OrdinalIgnoreCase)));

        // The settings become the services' options here, once, and are held for the run.
        var catalog = ImageCatalog.Load(settings.ImagesDirectory);
        var options = RunOptions.From(settings, catalog, publishes: !host.DryRun && needs.HasFlag(TaskNeeds.Registry), context.Environment.GetEnvironmentVariable);
        context.Initialize(options, catalog, running, info.TargetTask.Name);
        holders.Set(options);

        // A configuration key the pinned Jenkins or a plugin does not accept stops Jenkins at start: refuse it now,
        // before the first stack, image or task definition changes.
        if (needs.HasFlag(TaskNeeds.CheckedJenkinsConfig))
        {
            var checkedConfig = casc.Validate(root, settings.ArtifactsDirectory, context.Catalog.Master, context.Catalog.Agents);
            if (!checkedConfig.Unchanged)
            {
                context.Log.Information("Configuration as code: {0} keys of {1} files held against {2} configurators of contracts/", checkedConfig.KeysChecked, checkedConfig.Files, checkedConfig.Contracts);
            }
        }

        // A Deploy that would end in a SmokeTest without a way to log in fails now, before its first change.
        if (needs.HasFlag(TaskNeeds.AdminLogin) && !settings.SkipSmokeTest)
        {
            Smoke.AdminPassword.CheckPrerequisites(settings.StackParameters, settings.AdminPassword?.Value, settings.EnvironmentFile);
        }

        // The SDK's start-up (credential chain, region, pipeline) then overlaps the daemon's check below.
        var needsAws = needs.HasFlag(TaskNeeds.Aws) || (settings.Registry is null && needs.HasFlag(TaskNeeds.Registry));
        if (needsAws)
        {
            aws.Prepare();
        }

        // A run that builds images needs the daemon: a Deploy would otherwise find it stopped only after every
        // stack is deployed. Asked after the AWS start-up has begun, which it then overlaps.
        if (!host.DryRun && needs.HasFlag(TaskNeeds.Docker))
        {
            docker.EnsureRunning();
        }

        // The base images' digests name every image's content tag: a registry or mirror that does not answer stops the
        // run here, before any stack changes or image is pushed, not after every stack is deployed. After the daemon's
        // check, since a base in no registry falls back to the daemon's image ID.
        if (!host.DryRun && needs.HasFlag(TaskNeeds.Docker))
        {
            images.ResolveBases(context.ImageBuildOptions);
        }

        // Credentials that fail (a role STS refuses, an expired SSO login, a failing credential_process) stop the
        // run here, before any image is built or stack changed, with what the source used and its fix.
        if (!host.DryRun && needsAws)
        {
            aws.CheckCredentials();
        }

        // A run that pushes asks its registry for each content tag before building: what it has is not built.
        // A dry run asks neither the daemon nor the registry: it shows what would run, and changes nothing.
        if (!host.DryRun && needs.HasFlag(TaskNeeds.Registry))
        {
            registries.CheckAccess();
        }

        // A dry run of a run that rolls out or plans the stacks shows the order their wiring gives.
        if (host.DryRun && StageGraph.StackRolloutTasks.Any(running.Contains))
        {
            Infrastructure.StackGraph.Load(options.Stacks).Log(context.Log);
        }

        context.Log.Information("Environment {0}, {1} images ({2} agents), parallelism {3}", settings.EnvironmentName, context.Catalog.Images.Count, context.Catalog.Agents.Count, settings.Parallelism);

        // Last: one Deploy per environment at a time, taken before the first change (and after every check).
        if (!host.DryRun && Locking.DeployLock.IsNeeded(needs, pushesToEcr: settings.Registry is null))
        {
            deployLock.TakeAsync(Locking.DeployLock.DescribeRun(context.Environment.GetEnvironmentVariable, info.TargetTask.Name), context.CancellationToken).GetAwaiter().GetResult();
        }
    }

    public override void Teardown(BuildContext context, ITeardownContext info)
    {
        // Then the container's disposal removes the private Docker config and stops the local services, in that order.
        interruption.Write();

        // A quiet-down the drain left on for a restart that did not come (a later task failed, or the run was stopped)
        // is cancelled, so Jenkins is not left refusing builds. Once DeployServices ended, the master was replaced, and
        // a new master starts without quiet-down.
        if (quietDown.IsOn)
        {
            if (context.Outputs.ServiceDeployments.IsSet)
            {
                quietDown.Replaced();
            }
            else
            {
                quietDown.CancelAsync(text => context.Log.Information("{0}", text)).GetAwaiter().GetResult();
            }
        }

        // Every Deploy ends saying what it did (a failed or stopped one, what it did up to there): from the stages' hand-offs.
        if (context.IsSetUp && !host.DryRun && context.Target.Equals(StageGraph.DeployTarget, StringComparison.OrdinalIgnoreCase))
        {
            var error = info.ThrownException is AggregateException { InnerException: { } inner } ? inner : info.ThrownException;

            // Independent tasks run at the same time: the task named is the first that failed, else the one a stop found running.
            var failed = timeline.Entries.Where(e => e.Outcome == TaskOutcome.Failed).OrderBy(e => e.End).FirstOrDefault()?.Task;
            Summary.DeploySummary.Write(SummaryOptions(context.Options), context.Tasks, context.Outputs, new Summary.RunEnd(info.Successful, failed ?? cancellation.InterruptedTask, error?.Message, cancellation.IsCancellationRequested), context.Log);
        }

        deployLock.Release();
    }

    private static Summary.SummaryOptions SummaryOptions(RunOptions options)
        => new(options.EnvironmentName, options.RepositoryRoot, options.ArtifactsDirectory, options.Ecs.StackParameters, options.Backup.Skip);
}
