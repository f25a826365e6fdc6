using System.Text;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Reports;

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
        text.AppendLine($"## Deploy of {settings.Environment.Name}: {result}").AppendLine();
        if (!end.Succeeded && end.Error is { } error)
        {
            text.AppendLine("```").AppendLine(error.Trim()).AppendLine("```").AppendLine();
        }

        Line(text, "Stacks changed", tasks, StageOutput.StackDeployments, outputs.StackDeployments.TryGet(out var stacks) ? Stacks(stacks, end.Succeeded || stacks.Count == StackCount(settings)) : null);
        Line(text, "Images built", tasks, StageOutput.BuiltImages, Built(outputs));
        Line(text, "Images pushed", tasks, StageOutput.PushedImages, Pushed(outputs));
        Line(text, "Revisions registered", tasks, StageOutput.TaskDefinitions, outputs.TaskDefinitions.All.Count == 0 ? null : Items(outputs.TaskDefinitions.All.Values.Where(t => t.Registered).OrderBy(t => t.Family, StringComparer.Ordinal).Select(t => $"`{Short(t.Arn)}`"), $"none (all {outputs.TaskDefinitions.All.Count} families unchanged)"));
        Line(text, "Services", tasks, StageOutput.ServiceDeployments, outputs.ServiceDeployments.TryGet(out var services)
            ? string.Join("; ", services.Select(s => $"`{s.Service}` {s.Outcome}{(s.Changed.Count > 0 ? $" ({string.Join(", ", s.Changed)})" : string.Empty)}, on `{Short(s.TaskDefinition)}`"))
            : null);
        if (services is not null && services.Where(s => s.Changed.Contains("taskDefinition")).Select(s => $"`{s.Service}`").ToList() is { Count: > 0 } moved)
        {
            text.AppendLine($"- **Undo**: `./build.sh --target=Rollback --environment={settings.Environment.Name}` moves {string.Join(" and ", moved)} back to the revision before (and nothing else).");
        }

        Line(text, "Drain", tasks, StageOutput.MasterDrain, outputs.MasterDrain.TryGet(out var drain) ? Drain(drain) : null);
        Line(text, "Home backup", tasks, StageOutput.HomeRecoveryPoint, Backup(settings, outputs));
        Line(text, "Smoke test", tasks, StageOutput.SmokeTestResult, outputs.SmokeTestResult.TryGet(out var smoke) ? smoke : null);
        Line(text, "Agents at once", tasks, StageOutput.AgentCapacity, outputs.AgentCapacity.TryGet(out var capacity) ? capacity.Summary() : null);
        if (settings.StackParameters.TryGetValue("DomainName", out var domain) && domain.Length > 0)
        {
            text.AppendLine($"- **Jenkins**: https://{domain}/");
        }

        if (outputs.Stacks.TryGet(out var stackOutputs) && stackOutputs.TryGetValue("MasterLogGroupName", out var logGroup))
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
        Directory.CreateDirectory(settings.Environment.ArtifactsDirectory);
        var path = Path.Combine(settings.Environment.ArtifactsDirectory, MarkdownFile);
        File.WriteAllText(path, markdown);
        log.Information("{0}", markdown.TrimEnd());
        log.Information("Wrote {0}", path);
        return path;
    }

    /// <summary>A line per part: what its stage did; "not reached" where the run stopped before it.</summary>
    /// <summary>A line where the output has a value, or where a task of the run produces it ("not reached" then).</summary>
    private static void Line(StringBuilder text, string what, IReadOnlySet<string> tasks, StageOutput output, string? did)
    {
        if (did is null && !StageGraph.Producers(output).Any(tasks.Contains))
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
            return StackCatalog.Load(settings.Environment.RepositoryRoot).Count;
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or BuildException or InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Every image built in the run and every one whose build failed, as each ended: a run in which one agent fails
    /// lists the others it built. Null while no build had ended.
    /// </summary>
    private static string? Built(StageOutputs outputs)
    {
        var built = outputs.BuiltImages.All.Values.ToList();
        var failed = Failures(outputs, ImageStep.Build);
        if (built.Count == 0 && failed.Count == 0)
        {
            return null;
        }

        var atHand = built.Count(i => !i.WasBuilt);
        var items = built.Where(i => i.WasBuilt).OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => $"`{i.Name}`").Concat(failed).ToList();
        var already = atHand == 0 ? string.Empty : $"{atHand} already in the registry or the daemon";
        return items.Count == 0 ? $"none ({already})" : already.Length == 0 ? string.Join(", ", items) : $"{string.Join(", ", items)}; {already}";
    }

    /// <summary>
    /// Every image pushed in the run and every push that failed, as each ended, also in a failed or stopped run (an
    /// agent image is pushed as soon as it is built, while the others build). Null while no push had ended.
    /// </summary>
    private static string? Pushed(StageOutputs outputs)
    {
        var ended = outputs.PushedImages.All.Values.ToList();
        var failed = Failures(outputs, ImageStep.Push);
        if (ended.Count == 0 && failed.Count == 0)
        {
            return null;
        }

        var items = ended.Where(i => i.Pushed).OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => $"`{i.Reference}`").Concat(failed).ToList();
        return items.Count > 0 ? string.Join(", ", items) : $"none (the registry had {(ended.Count == 1 ? "the one" : $"each of the {ended.Count}")} already)";
    }

    private static List<string> Failures(StageOutputs outputs, ImageStep step)
        => outputs.FailedImages.All.Values.Where(f => f.Step == step).OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => $"`{f.Name}` FAILED ({FirstLine(f.Reason)})").ToList();

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
            var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(settings.Environment.RepositoryRoot, Conventions.EcsFolder, Conventions.MasterTaskDefinitionFile)), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip });
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
