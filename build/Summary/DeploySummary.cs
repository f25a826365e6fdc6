using System.Text;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Infrastructure;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Summary;

/// <summary>How a run ended, for its summary: succeeded, or the task it failed or was stopped in and why.</summary>
/// <param name="Task">The task that failed or was stopped (the last one started), or null before the first.</param>
public sealed record RunEnd(bool Succeeded, string? Task, string? Error, bool Interrupted);

/// <summary>
/// What a Deploy did, from the typed hand-offs of its stages (<see cref="StageOutputs"/>): stacks changed, images
/// pushed, revisions registered, services rolled, the home's recovery point, the smoke test, the public URL and
/// where the master's log is. Written at the end of every Deploy, also a failed or stopped one (then up to where it
/// stopped), to the log and to artifacts/deploy.md. It asks AWS nothing: what it says is what the run did.
/// </summary>
public static class DeploySummary
{
    public const string MarkdownFile = "deploy.md";

    public static string Markdown(SummaryOptions settings, IReadOnlySet<string> tasks, StageOutputs outputs, RunEnd end)
    {
        var text = new StringBuilder();
        var result = end switch
        {
            { Succeeded: true } => "succeeded",
            { Interrupted: true } => $"stopped {(end.Task is null ? "before its first task" : $"in {end.Task}")}; what it did up to there",
            _ => $"FAILED {(end.Task is null ? "before its first task" : $"in {end.Task}")}; what it did up to there",
        };
        text.AppendLine($"## Deploy of {settings.EnvironmentName}: {result}").AppendLine();
        if (!end.Succeeded && end.Error is { } error)
        {
            text.AppendLine("```").AppendLine(error.Trim()).AppendLine("```").AppendLine();
        }

        Line(text, "Stacks changed", tasks, "DeployInfrastructure", outputs.StackDeployments.TryGet(out var stacks) ? Stacks(stacks, end.Succeeded || stacks.Count == StackCount(settings)) : null);
        Line(text, "Images pushed", tasks, "PushMasterImage", outputs.PushedImages.All.Count == 0 ? null : Items(outputs.PushedImages.All.Values.Where(i => i.Pushed).OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => $"`{i.Reference}`"), $"none (the registry had {(outputs.PushedImages.All.Count == 1 ? "the one" : $"each of the {outputs.PushedImages.All.Count}")} already)"));
        Line(text, "Revisions registered", tasks, "RegisterTaskDefinitions", outputs.TaskDefinitions.All.Count == 0 ? null : Items(outputs.TaskDefinitions.All.Values.Where(t => t.Registered).OrderBy(t => t.Family, StringComparer.Ordinal).Select(t => $"`{Short(t.Arn)}`"), $"none (all {outputs.TaskDefinitions.All.Count} families unchanged)"));
        Line(text, "Services", tasks, "DeployServices", outputs.ServiceDeployments.TryGet(out var services)
            ? string.Join("; ", services.Select(s => $"`{s.Service}` {s.Outcome}{(s.Changed.Count > 0 ? $" ({string.Join(", ", s.Changed)})" : string.Empty)}, on `{Short(s.TaskDefinition)}`"))
            : null);
        Line(text, "Drain", tasks, "DrainMaster", outputs.MasterDrain.TryGet(out var drain) ? Drain(drain) : null);
        Line(text, "Home backup", tasks, "BackupHome", Backup(settings, outputs));
        Line(text, "Smoke test", tasks, "SmokeTest", outputs.SmokeTestResult.TryGet(out var smoke) ? smoke : null);
        Line(text, "Agents at once", tasks, "CheckPlacement", outputs.AgentCapacity.TryGet(out var capacity) ? capacity.Summary() : null);
        if (settings.StackParameters.TryGetValue("DomainName", out var domain) && domain.Length > 0)
        {
            text.AppendLine($"- **Jenkins**: https://{domain}/");
        }

        if (outputs.StackOutputs.TryGet(out var stackOutputs) && stackOutputs.TryGetValue("MasterLogGroupName", out var logGroup))
        {
            var streams = MasterLogStream(settings) is ({ } prefix, { } container)
                ? $", streams `{prefix}/{container}/<task ID>` (aws logs tail {logGroup} --log-stream-name-prefix {prefix}/{container}/ --follow)"
                : string.Empty;
            var password = settings.StackParameters.GetValueOrDefault("AdminPasswordSecretArn") is { Length: > 0 }
                ? string.Empty
                : " No AdminPasswordSecretArn is set: the initial admin password is printed there once, at the master's first start.";
            text.AppendLine($"- **Master's log**: log group `{logGroup}`{streams}.{password}");
        }

        return text.ToString();
    }

    /// <returns>The path written.</returns>
    public static string Write(SummaryOptions settings, IReadOnlySet<string> tasks, StageOutputs outputs, RunEnd end, ICakeLog log)
    {
        var markdown = Markdown(settings, tasks, outputs, end);
        Directory.CreateDirectory(settings.ArtifactsDirectory);
        var path = Path.Combine(settings.ArtifactsDirectory, MarkdownFile);
        File.WriteAllText(path, markdown);
        log.Information("{0}", markdown.TrimEnd());
        log.Information("Wrote {0}", path);
        return path;
    }

    /// <summary>A line per part: what its stage did; "not reached" where the run stopped before it.</summary>
    private static void Line(StringBuilder text, string what, IReadOnlySet<string> tasks, string task, string? did)
    {
        if (did is null && !tasks.Contains(task))
        {
            return;
        }

        text.AppendLine($"- **{what}**: {did ?? "not reached"}");
    }

    /// <param name="stacks">Every stack of a run that got through; of a failed or stopped one, those that ended before it stopped.</param>
    private static string Stacks(IReadOnlyList<StackDeployment> stacks, bool complete)
    {
        var changed = stacks.Where(s => s.Outcome is StackOutcome.Created or StackOutcome.Updated or StackOutcome.Failed).ToList();
        if (changed.Count == 0)
        {
            return complete ? $"none (all {stacks.Count} unchanged)" : stacks.Count == 0 ? "none had ended when the run stopped" : $"none ({stacks.Count} ended unchanged before the run stopped)";
        }

        return string.Join(", ", changed.Select(s => s.Outcome == StackOutcome.Failed
            ? $"`{s.StackName}` FAILED ({FirstLine(s.Failure)})"
            : $"`{s.StackName}` {s.Outcome.ToString().ToLowerInvariant()} ({s.Changes.Count} change(s))"));
    }

    /// <summary>How many stacks cfn/stacks.json lists; -1 where it cannot be read (the summary is still written).</summary>
    private static int StackCount(SummaryOptions settings)
    {
        try
        {
            return StackCatalog.Load(settings.RepositoryRoot).Count;
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or BuildException or InvalidOperationException)
        {
            return -1;
        }
    }

    private static string FirstLine(string? text) => (text ?? "no reason given").Split('\n')[0].Trim();

    private static string Items(IEnumerable<string> items, string none)
    {
        var list = items.ToList();
        return list.Count == 0 ? none : string.Join(", ", list);
    }

    private static string Drain(Jenkins.DrainOutcome drain) => drain.Result switch
    {
        Jenkins.DrainResult.RestartedAnyway => $"restarted anyway (restartWithRunningBuilds) after {drain.Waited.TotalMinutes:0} min, cutting off {drain.CutOff.Count} running build(s): {string.Join(", ", drain.CutOff)}",
        Jenkins.DrainResult.Unreachable => "Jenkins did not answer: nothing to drain",
        Jenkins.DrainResult.Drained => $"no build cut off: {drain.Waited.TotalSeconds:0} s in quiet-down until no build ran",
        _ => "not needed: the master kept its revision",
    };

    private static string? Backup(SummaryOptions settings, StageOutputs outputs)
    {
        if (outputs.HomeRecoveryPoint.TryGet(out var recoveryPoint))
        {
            return $"recovery point `{recoveryPoint}` (restore it with --target=RestoreHome --recovery-point={recoveryPoint})";
        }

        if (!outputs.MasterRestart.TryGet(out var restart))
        {
            return null;
        }

        return !restart.Restarts ? $"none needed: {restart.Reason}"
            : settings.SkipHomeBackup ? "skipped (skipHomeBackup): the master restarted without a fresh backup"
            : null;
    }

    /// <summary>
    /// The master container's awslogs stream prefix and name, from ecs/master.json (streams are prefix/container/task ID);
    /// nulls where the file cannot say (a Deploy may have failed on that very file, and its summary must still be written).
    /// </summary>
    private static (string? Prefix, string? Container) MasterLogStream(SummaryOptions settings)
    {
        try
        {
            var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(settings.RepositoryRoot, Conventions.EcsFolder, Conventions.MasterTaskDefinitionFile)), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip });
            var container = definition?["containerDefinitions"]?[0];
            return ((string?)container?["logConfiguration"]?["options"]?["awslogs-stream-prefix"], (string?)container?["name"]);
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return (null, null);
        }
    }

    private static string Short(string arn) => arn.Split('/').Last();
}
