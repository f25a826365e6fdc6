namespace JenkinsOnEcs.Build.Smoke;

/// <summary>
/// The smoke test as a whole: every check, one line each, and on a failure the master's log and each failed
/// agent's log, then a <see cref="BuildException"/> (a non-zero exit) listing what failed.
/// </summary>
public static class SmokeTestRun
{
    public const int LogLines = 40;

    public static async Task RunAsync(JenkinsSmokeTest smoke, SmokeTestOptions options, SmokeLogGroups? logGroups, ILogReader logs, Action<string> line, CancellationToken cancellationToken)
    {
        var report = await smoke.RunAsync(options, cancellationToken);
        if (report.Passed)
        {
            line($"SmokeTest: {options.PublicUrl} passed every check ({options.Agents.Count} agent label(s)).");
            return;
        }

        if (logGroups is null)
        {
            line("(no log groups: the jenkins stack's outputs MasterLogGroupName and AgentLogGroupName were not found)");
        }
        else
        {
            await TailAsync(logs, logGroups.MasterLogGroup, SmokeLogGroups.MasterStreamPrefix, line, cancellationToken);
            foreach (var agent in report.FailedAgents)
            {
                await TailAsync(logs, logGroups.AgentLogGroup, SmokeLogGroups.AgentStreamPrefix(agent.Toolchain), line, cancellationToken);
            }
        }

        throw new BuildException($"SmokeTest of {options.PublicUrl} failed {report.Failures.Count} check(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", report.Failures));
    }

    private static async Task TailAsync(ILogReader logs, string group, string prefix, Action<string> line, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var text in await LogTail.ReadAsync(logs, group, prefix, LogLines, cancellationToken))
            {
                line(text);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The logs explain a failure; failing to read them must not hide it.
            line($"(could not read {group} {prefix}…: {ex.Message})");
        }
    }
}
