using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace JenkinsOnEcs.Build.Common;

/// <summary>What a tool run returned: exit code and both streams, line by line.</summary>
public sealed record ToolResult(int ExitCode, IReadOnlyList<string> StandardOutput, IReadOnlyList<string> StandardError)
{
    public bool Succeeded => ExitCode == 0;

    public string Output => string.Join('\n', StandardOutput).Trim();

    /// <summary>The last lines of both streams: enough to see why a call failed without the whole log.</summary>
    public string Tail(int lines = 30)
        => string.Join('\n', StandardOutput.Concat(StandardError).Where(l => l.Length > 0).TakeLast(lines));
}

/// <summary>
/// A command-line tool through Cake's Tool&lt;T&gt;: found by Cake's tool locator, started without a shell with
/// an argument list, both streams captured (and optionally streamed line by line), and the exit code left to
/// the caller, so that a failure can carry the tool's own words (Cake's own error would drop them). With NO_COLOR
/// set (https://no-color.org: present and not empty) the tool's colour and cursor codes are stripped from every
/// line, so that neither the lines streamed nor the tails quoted in errors carry them.
/// </summary>
public abstract partial class CapturingTool<TSettings>(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<TSettings>(fileSystem, environment, processRunner, tools)
    where TSettings : ToolSettings
{
    private readonly bool _noColor = !string.IsNullOrEmpty(environment.GetEnvironmentVariable("NO_COLOR"));

    public bool IsInstalled(TSettings settings) => GetToolPath(settings) is not null;

    protected ToolResult RunCaptured(TSettings settings, ProcessArgumentBuilder arguments, Action<string>? outputLine = null)
    {
        settings.HandleExitCode = _ => true;
        var standardOutput = new List<string>();
        var standardError = new List<string>();
        string Collect(List<string> lines, string? line)
        {
            if (line is not null)
            {
                if (_noColor)
                {
                    line = Escapes().Replace(line, string.Empty);
                }

                lock (lines)
                {
                    lines.Add(line);
                }

                outputLine?.Invoke(line);
            }

            // Null keeps Cake from logging the line itself; outputLine decides what is shown.
            return null!;
        }

        var exitCode = -1;
        Run(settings, arguments, new ProcessSettings
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectedStandardOutputHandler = line => Collect(standardOutput, line),
            RedirectedStandardErrorHandler = line => Collect(standardError, line),
        }, process => exitCode = process.GetExitCode());

        lock (standardOutput)
        {
            lock (standardError)
            {
                return new ToolResult(exitCode, [.. standardOutput], [.. standardError]);
            }
        }
    }

    // ECMA-48 escapes: CSI (colours, cursor moves: ESC [ ... final byte), OSC (titles, links: ESC ] ... BEL or
    // ESC \), and the two-byte ones (ESC followed by one of @-Z, \, ], ^, _).
    [System.Text.RegularExpressions.GeneratedRegex(@"\x1B(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(\x07|\x1B\\)|[@-Z\\-_])")]
    private static partial System.Text.RegularExpressions.Regex Escapes();
}
