using Cake.Core;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build;

/// <summary>Reads and checks every setting before the first task, so a bad input fails before anything changes.</summary>
public sealed class BuildLifetime(
    Aws.AwsClients aws,
    Jenkins.CascValidator casc,
    Images.DockerEngine docker,
    ImageBuilder images,
    Images.RegistryTarget pushTarget,
    Locking.DeployLock deployLock,
    Locking.InterruptionReport interruption,
    Local.LocalServices rehearsal,
    RunCancellation cancellation,
    RunTimeline timeline,
    Jenkins.MasterQuietDown quietDown,
    SideEffects sideEffects) : FrostingLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ISetupContext info)
    {
        foreach (var leftover in Images.RegistryLogin.RemoveLeftovers(Path.GetTempPath()))
        {
            context.Log.Information("Removed {0}: a private Docker config (a registry login) that a killed run left", leftover);
        }

        var root = RepositoryRoot.Find(context.Environment.WorkingDirectory.FullPath);
        var settings = new BuildSettingsReader(context.Arguments, context.Environment.GetEnvironmentVariable).Read(root);
        var running = info.TasksToExecute.Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Each task declares what it needs ([Needs] on the task); the run needs what its tasks need together. A task
        // the run's graph skips (ReadStackOutputs where the run deploys the stacks or nothing needs them) needs nothing.
        var graph = new RunGraph();
        var needs = NeedsAttribute.Of(running.Where(t => graph.SkipReason(t, running, info.TargetTask.Name) is null));

        // The settings become the run's options here, once, and are held for the run (the services' options are parts of them).
        var catalog = ImageCatalog.Load(settings.Environment.ImagesDirectory);
        var options = RunOptions.From(settings, catalog, publishes: sideEffects.Allowed && needs.HasFlag(TaskNeeds.Registry), context.Environment.GetEnvironmentVariable);
        context.Initialize(options, catalog, running, info.TargetTask.Name);

        // A configuration key the pinned Jenkins or a plugin does not accept stops Jenkins at start: refuse it now,
        // before the first stack, image or task definition changes.
        if (needs.HasFlag(TaskNeeds.CheckedJenkinsConfig))
        {
            var checkedConfig = casc.Validate(root, settings.Environment.ArtifactsDirectory, context.Catalog.Master, context.Catalog.Agents);
            if (!checkedConfig.Unchanged)
            {
                context.Log.Information("Configuration as code: {0} keys of {1} files held against {2} configurators of contracts/", checkedConfig.KeysChecked, checkedConfig.Files, checkedConfig.Contracts);
            }
        }

        // A Deploy that would end in a SmokeTest without a way to log in fails now, before its first change.
        if (needs.HasFlag(TaskNeeds.AdminLogin) && !settings.SkipSmokeTest)
        {
            Smoke.AdminPassword.CheckPrerequisites(settings.StackParameters, settings.AdminPassword?.Value, settings.Environment.EnvironmentFile);
        }

        // The local rehearsal's stand-ins (startLocalServices) start here, once, before the first check that calls
        // them: what the run needs of them, so a run that calls no AWS starts no moto. From here on the run reaches
        // them at the settings' addresses, as it reaches AWS and a registry. A dry run starts nothing.
        var needsAws = needs.HasFlag(TaskNeeds.Aws) || (settings.Registry is null && needs.HasFlag(TaskNeeds.Registry));
        var takesLock = Locking.DeployLock.IsNeeded(needs, pushesToEcr: settings.Registry is null);
        if (sideEffects.Allowed)
        {
            rehearsal.Start(options.Local, aws: needsAws || takesLock, registry: needs.HasFlag(TaskNeeds.Registry) || needs.HasFlag(TaskNeeds.RegistryLookup));
        }

        // The SDK's start-up (credential chain, region, pipeline) then overlaps the daemon's check below.
        if (needsAws)
        {
            aws.Prepare();
        }

        // A run that builds images needs the daemon: a Deploy would otherwise find it stopped only after every
        // stack is deployed. Asked after the AWS start-up has begun, which it then overlaps.
        if (sideEffects.Allowed && needs.HasFlag(TaskNeeds.Docker))
        {
            docker.EnsureRunning();
        }

        // The base images' digests name every image's content tag: a registry or mirror that does not answer stops the
        // run here, before any stack changes or image is pushed, not after every stack is deployed. After the daemon's
        // check, since a base in no registry falls back to the daemon's image ID.
        if (sideEffects.Allowed && needs.HasFlag(TaskNeeds.Docker))
        {
            images.ResolveBases(context.ImageBuildOptions);
        }

        // Credentials that fail (a role STS refuses, an expired SSO login, a failing credential_process) stop the
        // run here, before any image is built or stack changed, with what the source used and its fix.
        if (sideEffects.Allowed && needsAws)
        {
            aws.CheckCredentials();
        }

        // A run that pushes asks its registry for each content tag before building: what it has is not built.
        // A dry run asks neither the daemon nor the registry: it shows what would run, and changes nothing.
        if (sideEffects.Allowed && needs.HasFlag(TaskNeeds.Registry))
        {
            pushTarget.CheckAccess();
        }

        // A dry run of a run that rolls out or plans the stacks shows the order their wiring gives.
        if (!sideEffects.Allowed && ShowsStackGraphAttribute.AnyIn(running))
        {
            Stacks.StackGraph.Load(options.Stacks).Log(context.Log);
        }

        context.Log.Information("Environment {0}, {1} images ({2} agents), parallelism {3}", settings.Environment.Name, context.Catalog.Images.Count, context.Catalog.Agents.Count, settings.Parallelism);

        // Last: one Deploy per environment at a time, taken before the first change (and after every check).
        if (sideEffects.Allowed && takesLock)
        {
            deployLock.TakeAsync(context.RunDescription, context.CancellationToken).GetAwaiter().GetResult();
        }
    }

    public override void Teardown(BuildContext context, ITeardownContext info)
    {
        // After the teardown, which is the last to use them, the container's disposal removes the private Docker config and stops the local services this run started.
        interruption.Write();

        // A quiet-down the drain left on for a restart that did not come (a later task failed, or the run was stopped)
        // is cancelled, so Jenkins is not left refusing builds. Once ECS took the master's move (DeployServices,
        // Rollback), the quiet-down went with the replaced master, and a new master starts without it.
        if (quietDown.IsOn)
        {
            quietDown.CancelAsync(text => context.Log.Information("{0}", text)).GetAwaiter().GetResult();
        }

        // Every Deploy ends saying what it did (a failed or stopped one, what it did up to there): from the stages' hand-offs.
        if (context.IsSetUp && sideEffects.Allowed && WritesDeploySummaryAttribute.IsOn(context.Target))
        {
            var error = info.ThrownException is AggregateException { InnerException: { } inner } ? inner : info.ThrownException;

            // Independent tasks run at the same time: the task named is the first that failed, else the one a stop found running.
            var failed = timeline.Entries.Where(e => e.Outcome == TaskOutcome.Failed).OrderBy(e => e.End).FirstOrDefault()?.Task;
            Reports.DeploySummary.Write(SummaryOptions(context.Options), context.Tasks, context.Outputs, new Reports.RunEnd(info.Successful, failed ?? cancellation.InterruptedTask, error?.Message, cancellation.IsCancellationRequested), context.Log);
        }

        deployLock.Release();
    }

    private static Reports.SummaryOptions SummaryOptions(RunOptions options)
        => new(options.Environment, options.Ecs.StackParameters, options.Backup.Skip);
}
