using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace JenkinsOnEcs.Build.Templates;

/// <summary>cfn-lint through Cake's Tool&lt;T&gt;: every template linted in one call, its findings returned.</summary>
public sealed class CfnLint(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<CfnLintSettings>(fileSystem, environment, processRunner, tools)
{
    /// <summary>One line per finding ("file:line:column:...:rule:message"); empty when the templates are clean.</summary>
    public IReadOnlyList<string> Lint(IEnumerable<string> templates)
    {
        var settings = new CfnLintSettings { HandleExitCode = _ => true };
        if (GetToolPath(settings) is null)
        {
            throw new BuildException("cfn-lint was not found on PATH: install it (pip install cfn-lint) and run again.");
        }

        var arguments = new ProcessArgumentBuilder().Append("--format").Append("parseable").Append("--");
        foreach (var template in templates)
        {
            arguments.AppendQuoted(template);
        }

        var output = new List<string>();
        var errors = new List<string>();
        var exitCode = 0;
        Run(settings, arguments, new ProcessSettings
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectedStandardOutputHandler = line => { if (line is not null) output.Add(line); return null!; },
            RedirectedStandardErrorHandler = line => { if (line is not null) errors.Add(line); return null!; },
        }, process => exitCode = process.GetExitCode());

        // cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; 1 is its own failure.
        if ((exitCode & 1) != 0 && output.Count == 0)
        {
            throw new BuildException($"cfn-lint failed to run (exit code {exitCode}): {string.Join('\n', errors.TakeLast(10))}");
        }

        return output.Where(l => l.Length > 0).ToList();
    }

    protected override string GetToolName() => "cfn-lint";

    protected override IEnumerable<string> GetToolExecutableNames() => ["cfn-lint", "cfn-lint.exe"];
}
