using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>cfn-lint through Cake's Tool&lt;T&gt;: every template linted in one call, its findings returned.</summary>
public sealed class CfnLint(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : CapturingTool<CfnLintSettings>(fileSystem, environment, processRunner, tools)
{
    /// <summary>One line per finding ("file:line:column:...:rule:message"); empty when the templates are clean.</summary>
    public IReadOnlyList<string> Lint(IEnumerable<string> templates)
    {
        var settings = new CfnLintSettings();
        if (!IsInstalled(settings))
        {
            throw new BuildException("cfn-lint was not found on PATH: install it (pip install cfn-lint) and run again.");
        }

        var arguments = new ProcessArgumentBuilder().Append("--format").Append("parseable").Append("--");
        foreach (var template in templates)
        {
            arguments.AppendQuoted(template);
        }

        var result = RunCaptured(settings, arguments);

        // cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; 1 is its own failure.
        if ((result.ExitCode & 1) != 0 && result.StandardOutput.Count == 0)
        {
            throw new BuildException($"cfn-lint failed to run (exit code {result.ExitCode}): {result.Tail(10)}");
        }

        return result.StandardOutput.Where(l => l.Length > 0).ToList();
    }

    /// <summary>The cfn-lint this run would use, or null when there is none.</summary>
    public string? ExecutablePath() => GetToolPath(new CfnLintSettings())?.FullPath;

    protected override string GetToolName() => "cfn-lint";

    protected override IEnumerable<string> GetToolExecutableNames() => ["cfn-lint", "cfn-lint.exe"];
}
