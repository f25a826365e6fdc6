using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Reports;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(Plan))]
[ShowsStackGraph]
[TaskDescription("The whole Deploy as a preview, executing nothing (no lock, no build, no push, no registration), after the checks a Deploy makes first: each changing stack's change set, the images the registry lacks, a diff of each task definition that gets a new revision, each service's changes and whether Jenkins restarts; writes artifacts/plan.md and artifacts/plan.json.")]
[Needs(TaskNeeds.Aws | TaskNeeds.Docker | TaskNeeds.RegistryLookup)]
[IsDependentOn(typeof(ValidateTemplates))]
[IsDependentOn(typeof(CheckPlacement))]
[Consumes(StageOutput.AgentCapacity)]
[IsDependentOn(typeof(CheckEnvironment))]
[IsDependentOn(typeof(RenderJenkinsConfig))]
public sealed class Plan(DeployPlanner planner, Aws.AwsClients aws) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        // Under --exclusive CheckPlacement does not run: the plan then leaves the agents at once out, and says so.
        var capacity = context.Outputs.AgentCapacity.TryGet(out var computed) ? computed : null;
        var plan = await planner.PlanAsync(context.Options.Ecs, context.Catalog, context.ImageBuildOptions, context.CancellationToken)
            with { AgentCapacity = capacity };
        if (plan.MasterRestart.Restarts && context.Options.Drain.Root is { } root)
        {
            // Read only: the builds running now, which DrainMaster would wait for; no quiet-down.
            var held = new List<IDisposable>();
            try
            {
                var jenkins = Jenkins.JenkinsConnection.Create(context.Options.Drain, root, aws, d => { held.Add(d); return d; }, problem => context.Log.Information("Plan: TLS: {0}", problem));
                plan = plan with { RestartCost = await Jenkins.JenkinsConnection.RestartCostAsync(jenkins, context.Options.Drain, context.CancellationToken) };
            }
            finally
            {
                held.ForEach(d => d.Dispose());
            }
        }

        var (markdown, json) = PlanReport.Write(plan, context.Options.Environment.ArtifactsDirectory);
        context.Log.Information("{0}", PlanReport.Markdown(plan).TrimEnd());
        context.Log.Information("Wrote {0} and {1}", markdown, json);
        context.Log.Information("{0}", plan.Summary);
    }
}
