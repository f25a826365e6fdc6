using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Host;

/// <summary>The command line, parsed the way Cake.Frosting reads it (<c>--target</c>, <c>--dryrun</c>, ...), plus project arguments.</summary>
public sealed class HostOptions
{
    public const string DefaultTarget = "Default";

    public string Target { get; private set; } = DefaultTarget;

    /// <summary>Whether the command line named the target (--tree then shows that target's run alone).</summary>
    public bool TargetGiven { get; private set; }
    public Verbosity Verbosity { get; private set; } = Verbosity.Normal;
    public string? WorkingDirectory { get; private set; }
    public bool DryRun { get; private set; }
    public bool Exclusive { get; private set; }
    public bool Tree { get; private set; }
    public bool Description { get; private set; }
    public bool Help { get; private set; }
    public bool Version { get; private set; }
    public bool Info { get; private set; }
    public ILookup<string, string> Arguments { get; private set; } = Array.Empty<string>().ToLookup(x => x);

    /// <summary>Host options: name, aliases, whether it takes a value, help text.</summary>
    public static readonly IReadOnlyList<(string Name, string[] Aliases, bool TakesValue, string Help)> Known =
    [
        ("target", ["t"], true, "Target task to run (default: Default)."),
        ("verbosity", ["v"], true, "quiet, minimal, normal, verbose or diagnostic."),
        ("working", ["w"], true, "Working directory of the build."),
        ("dryrun", ["noop", "whatif"], false, "Show the tasks that would run, in order, and what each waits for; run none."),
        ("exclusive", ["e"], false, "Run the target alone, without its dependencies."),
        ("tree", [], false, "Show what each task waits for, as a tree per target (with --target, that one)."),
        ("description", [], false, "List the tasks and their descriptions."),
        ("help", ["h", "?"], false, "Show this help."),
        ("version", [], false, "Show the versions of the build and of Cake."),
        ("info", [], false, "Show information about the build host."),
    ];

    public static HostOptions Parse(IEnumerable<string> args, IReadOnlyCollection<ArgumentDefinition> declared)
    {
        var options = new HostOptions();
        var arguments = new List<KeyValuePair<string, string>>();
        var queue = new Queue<string>(args);
        while (queue.Count > 0)
        {
            var token = queue.Dequeue();
            if (!token.StartsWith('-') || token == "-" || token == "--")
            {
                throw new HostUsageException($"Unexpected argument '{token}': options are written --name=value. Run with --help for the list.");
            }

            var body = token.TrimStart('-');
            string? value = null;
            var equals = body.IndexOf('=');
            if (equals >= 0)
            {
                value = body[(equals + 1)..];
                body = body[..equals];
            }

            var name = body.ToLowerInvariant();
            var host = Known.FirstOrDefault(k => k.Name == name || k.Aliases.Contains(name));
            if (host.Name is not null)
            {
                if (host.TakesValue)
                {
                    value ??= TakeValue(queue, token);
                }

                options.ApplyHost(host.Name, value, token);
                continue;
            }

            var argument = declared.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
            if (argument is null)
            {
                throw new HostUsageException(UnknownOption(token, declared));
            }

            if (argument.IsFlag)
            {
                value ??= "true";
                if (!bool.TryParse(value, out _))
                {
                    throw new HostUsageException($"--{argument.Name} is a switch: give it alone or as --{argument.Name}=true|false, not '{value}'.");
                }
            }
            else
            {
                value ??= TakeValue(queue, token);
            }

            arguments.Add(new(argument.Name, value));
        }

        options.Arguments = arguments.ToLookup(a => a.Key, a => a.Value, StringComparer.OrdinalIgnoreCase);
        return options;
    }

    private static string TakeValue(Queue<string> queue, string token)
    {
        if (queue.Count == 0 || queue.Peek().StartsWith("--", StringComparison.Ordinal))
        {
            throw new HostUsageException($"{token} needs a value: write {token}=VALUE.");
        }

        return queue.Dequeue();
    }

    private void ApplyHost(string name, string? value, string token)
    {
        switch (name)
        {
            case "target":
                Target = string.IsNullOrWhiteSpace(value) ? throw new HostUsageException("--target needs a task name, e.g. --target=Build.") : value;
                TargetGiven = true;
                break;
            case "verbosity":
                Verbosity = ParseVerbosity(value!);
                break;
            case "working":
                WorkingDirectory = value;
                break;
            default:
                var on = value is null || (bool.TryParse(value, out var b) ? b : throw new HostUsageException($"{token} is a switch: give it alone or as --{name}=true|false."));
                switch (name)
                {
                    case "dryrun": DryRun = on; break;
                    case "exclusive": Exclusive = on; break;
                    case "tree": Tree = on; break;
                    case "description": Description = on; break;
                    case "help": Help = on; break;
                    case "version": Version = on; break;
                    case "info": Info = on; break;
                }

                break;
        }
    }

    private static Verbosity ParseVerbosity(string value) => value.ToLowerInvariant() switch
    {
        "q" or "quiet" => Verbosity.Quiet,
        "m" or "minimal" => Verbosity.Minimal,
        "n" or "normal" => Verbosity.Normal,
        "v" or "verbose" => Verbosity.Verbose,
        "d" or "diag" or "diagnostic" => Verbosity.Diagnostic,
        _ => throw new HostUsageException($"Unknown verbosity '{value}': use quiet, minimal, normal, verbose or diagnostic."),
    };

    private static string UnknownOption(string token, IReadOnlyCollection<ArgumentDefinition> declared)
    {
        var all = Known.Select(k => "--" + k.Name).Concat(declared.Select(d => "--" + d.Name)).ToList();
        return $"Unknown option '{token}'. Known options: {string.Join(", ", all)}.";
    }
}
