using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Reports;

/// <summary>A plan as Markdown (artifacts/plan.md, for a pull request's comment) and as JSON (artifacts/plan.json, for machines; README documents its shape).</summary>
public static class PlanReport
{
    public const string MarkdownFile = "plan.md";
    public const string JsonFile = "plan.json";

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <returns>The paths written.</returns>
    public static (string Markdown, string Json) Write(DeployPlan plan, string artifactsDirectory)
    {
        Directory.CreateDirectory(artifactsDirectory);
        var markdown = Path.Combine(artifactsDirectory, MarkdownFile);
        var json = Path.Combine(artifactsDirectory, JsonFile);
        File.WriteAllText(markdown, Markdown(plan));
        File.WriteAllText(json, Json(plan).ToJsonString(Indented) + "\n");
        return (markdown, json);
    }

    public static string Markdown(DeployPlan plan)
    {
        var text = new StringBuilder();
        text.AppendLine($"## Deploy plan: {plan.Environment}").AppendLine().AppendLine(plan.Summary).AppendLine();
        if (plan.MasterRestart.Restarts && !plan.MasterRestart.Allowed)
        {
            text.AppendLine("**allowMasterRestart is false: a Deploy would stop at CheckMasterRestart** (pass `--allow-master-restart` for one run).").AppendLine();
        }

        text.AppendLine("### Stacks").AppendLine();
        foreach (var stack in plan.Stacks)
        {
            text.AppendLine($"- `{stack.StackName}`: {Describe(stack)}");
            foreach (var change in stack.ChangeSet)
            {
                text.AppendLine($"  - {change.Action} `{change.LogicalResourceId}` ({change.ResourceType}){(change.Replacement is "True" or "Conditional" ? $", replacement: {change.Replacement}" : string.Empty)}");
            }
        }

        text.AppendLine().AppendLine("### Images").AppendLine();
        foreach (var image in plan.Images)
        {
            text.AppendLine(image switch
            {
                { Digest: null } => $"- `{image.Repository}:{image.Tag}`: not in the registry, built and pushed",
                _ => $"- `{image.Repository}:{image.Tag}`: in the registry ({image.Digest}), not built",
            });
        }

        text.AppendLine().AppendLine("### Task definitions").AppendLine();
        foreach (var definition in plan.TaskDefinitions)
        {
            if (!definition.Registers)
            {
                text.AppendLine($"- `{definition.Family}`: unchanged ({Short(definition.Latest!)})");
                continue;
            }

            text.AppendLine($"- `{definition.Family}`: a new revision (latest ACTIVE: {(definition.Latest is null ? "none" : Short(definition.Latest))})");
            if (definition.Placeholders.Count > 0)
            {
                text.AppendLine($"  Not known before the Deploy, shown as placeholders: {string.Join("; ", definition.Placeholders.Select(p => $"`{p}`"))}");
            }

            text.AppendLine().AppendLine("```diff").Append(definition.Diff).AppendLine("```").AppendLine();
        }

        text.AppendLine().AppendLine("### Services").AppendLine();
        foreach (var service in plan.Services)
        {
            text.AppendLine(service switch
            {
                { Creates: true } => $"- `{service.Service}`: created on {service.Target}",
                { MemberChanges.Count: 0 } => $"- `{service.Service}`: unchanged (runs {Short(service.Current!)})",
                _ => $"- `{service.Service}`: updated",
            });
            foreach (var change in service.MemberChanges)
            {
                text.AppendLine($"  - `{change.Member}`: `{change.Service}` → `{change.File}`");
            }
        }

        text.AppendLine().AppendLine($"### Jenkins").AppendLine().AppendLine($"{(plan.MasterRestart.Restarts ? "Restarts" : "Does not restart")}: {plan.MasterRestart.Reason}.");
        if (plan.RestartCost is { } cost)
        {
            text.AppendLine().AppendLine($"{cost.Line}.");
        }

        if (plan.AgentCapacity is { } capacity)
        {
            text.AppendLine().AppendLine("### Agents at once").AppendLine()
                .AppendLine($"maxAgents {capacity.PerLabel} per label{(capacity.PerLabelFromSetting ? string.Empty : " (the largest the agents' cluster places)")}; at the worst {capacity.InstancesNeeded} of {capacity.MaxInstances} {capacity.InstanceType.Name} instances.").AppendLine();
            foreach (var line in capacity.Lines())
            {
                text.AppendLine($"- {line}");
            }
        }
        else
        {
            text.AppendLine().AppendLine("### Agents at once").AppendLine().AppendLine("Not computed: CheckPlacement did not run (--exclusive).");
        }

        return text.ToString();
    }

    public static JsonObject Json(DeployPlan plan) => new()
    {
        ["environment"] = plan.Environment,
        ["summary"] = new JsonObject
        {
            ["stacks"] = plan.ChangingStacks.Count,
            ["images"] = plan.ImagesToPush.Count,
            ["revisions"] = plan.Revisions.Count,
            ["services"] = plan.Services.Count(s => s.Changes),
            ["jenkinsRestarts"] = plan.MasterRestart.Restarts,
            ["text"] = plan.Summary,
        },
        ["stacks"] = new JsonArray(plan.Stacks.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.StackName,
            ["outcome"] = s.Outcome,
            ["changes"] = s.Changes,
            ["changeSet"] = new JsonArray(s.ChangeSet.Select(c => (JsonNode)new JsonObject
            {
                ["action"] = c.Action, ["logicalResourceId"] = c.LogicalResourceId, ["resourceType"] = c.ResourceType, ["replacement"] = c.Replacement,
            }).ToArray()),
        }).ToArray()),
        ["images"] = new JsonArray(plan.Images.Select(i => (JsonNode)new JsonObject
        {
            ["name"] = i.Name, ["repository"] = i.Repository, ["tag"] = i.Tag, ["digest"] = i.Digest, ["push"] = i.Push,
        }).ToArray()),
        ["taskDefinitions"] = new JsonArray(plan.TaskDefinitions.Select(t => (JsonNode)new JsonObject
        {
            ["family"] = t.Family, ["latest"] = t.Latest, ["registers"] = t.Registers,
            ["placeholders"] = new JsonArray(t.Placeholders.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()), ["diff"] = t.Diff,
        }).ToArray()),
        ["services"] = new JsonArray(plan.Services.Select(s => (JsonNode)new JsonObject
        {
            ["service"] = s.Service, ["cluster"] = s.Cluster, ["current"] = s.Current, ["target"] = s.Target, ["creates"] = s.Creates, ["changes"] = s.Changes,
            ["memberChanges"] = new JsonArray(s.MemberChanges.Select(c => (JsonNode)new JsonObject { ["member"] = c.Member, ["service"] = c.Service, ["file"] = c.File }).ToArray()),
        }).ToArray()),
        ["masterRestart"] = new JsonObject { ["restarts"] = plan.MasterRestart.Restarts, ["reason"] = plan.MasterRestart.Reason, ["allowed"] = plan.MasterRestart.Allowed, ["cost"] = plan.RestartCost?.Line, ["runningBuilds"] = plan.RestartCost?.Running is { } running ? new JsonArray([.. running.Select(b => (JsonNode)new JsonObject { ["name"] = b.Name, ["url"] = b.Url })]) : null },
        ["agentsAtOnce"] = plan.AgentCapacity is { } capacity
            ? new JsonObject
            {
                ["maxAgentsPerLabel"] = capacity.PerLabel,
                ["instancesAtWorst"] = capacity.InstancesNeeded,
                ["maxInstances"] = capacity.MaxInstances,
                ["instanceType"] = capacity.InstanceType.Name,
                ["toolchains"] = new JsonObject(capacity.Toolchains.Select(t => KeyValuePair.Create(t.Toolchain, (JsonNode?)new JsonObject { ["atOnce"] = t.AtOnce, ["perInstance"] = t.PerInstance, ["instances"] = t.Instances }))),
            }
            : null,
    };

    private static string Describe(StackPlan stack) => stack.Outcome switch
    {
        "Planned" => stack.ChangeSet.Count == 0 ? "changes" : $"{stack.ChangeSet.Count} change(s)",
        "Pending" => "created or changed after the stacks it depends on exist (needs their outputs)",
        "NoChanges" => "no changes (a change set held none)",
        _ => "unchanged",
    };

    private static string Short(string arn) => arn.Split('/').Last();
}
