using System.Diagnostics;
using System.Reflection;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// Integration tests need real parts (a Docker daemon, nginx, moto). Outside CI a missing part skips the test;
/// with CI=true it fails it, so that CI can never pass by skipping.
/// </summary>
public static class Requires
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static void Docker() => Part("a Docker daemon (`docker version`)", Lazy(ref _docker, () => Succeeds("docker", "version", "--format", "{{.Server.Version}}")));

    /// <summary>nginx for a test that starts it itself, by <see cref="NginxBinary"/>.</summary>
    public static void Nginx() => Part("nginx (apt-get install nginx)", Lazy(ref _nginx, () => Succeeds(NginxBinary, "-v")));

    /// <summary>nginx where the build finds it (CheckNginxConfig runs `nginx -t` from PATH and only says so without it).</summary>
    public static void NginxOnPath() => Part("nginx on PATH (apt-get install nginx; /usr/sbin on PATH)", Lazy(ref _nginxOnPath, () => Succeeds("nginx", "-v")));

    public static void Moto() => Part("moto (python3 -m moto.server; moto 5.x with its server extras)", Lazy(ref _moto, () => Succeeds("python3", "-c", "import moto.server, flask")));

    public static void Python() => Part("python3 on PATH", Lazy(ref _python, () => Succeeds("python3", "--version")));

    public static void Registry() => Part("docker-registry on PATH (apt-get install docker-registry)", Lazy(ref _registry, () => Succeeds("docker-registry", "--version")));

    public static void Htpasswd() => Part("htpasswd (apt-get install apache2-utils)", Lazy(ref _htpasswd, () => Succeeds("htpasswd", "-nbB", "a", "b")));

    public static void CfnLint() => Part("cfn-lint on PATH", Lazy(ref _cfnLint, () => Succeeds("cfn-lint", "--version")));

    public static void Envsubst() => Part("envsubst (apt-get install gettext-base)", Lazy(ref _envsubst, () => Succeeds("envsubst", "--version")));

    /// <summary>
    /// What a run of <paramref name="target"/> (its tasks run, not a dry run) needs before its first task: its setup
    /// checks the Docker daemon when a task of the run builds or pushes images ([Needs] Docker or Registry), and stops
    /// there without one, before any check a test may expect. Call it in a test that runs such a target.
    /// </summary>
    public static void PartsOfRun(string target)
    {
        var needs = NeedsAttribute.Of(TasksOfRun(target));
        if ((needs & (TaskNeeds.Docker | TaskNeeds.Registry)) != 0)
        {
            Docker();
        }
    }

    /// <summary>The target and every task it depends on ([IsDependentOn], and [IsDependeeOf] on the other side).</summary>
    public static IReadOnlyCollection<string> TasksOfRun(string target)
    {
        var tasks = StageGraph.TaskTypes.ToList();
        var start = tasks.SingleOrDefault(t => StageGraph.NameOf(t).Equals(target, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"{target} is no task of the build.", nameof(target));
        var run = new HashSet<Type> { start };
        var added = true;
        while (added)
        {
            added = false;
            foreach (var task in tasks)
            {
                var dependencies = task.GetCustomAttributes<IsDependentOnAttribute>().Select(a => a.Task);
                var into = task.GetCustomAttributes<IsDependeeOfAttribute>().Select(a => a.Task);
                if ((run.Contains(task) && dependencies.Any(d => !run.Contains(d))) || (!run.Contains(task) && into.Any(run.Contains)))
                {
                    run.UnionWith(run.Contains(task) ? dependencies : [task]);
                    added = true;
                }
            }
        }

        return run.Select(StageGraph.NameOf).ToList();
    }

    public static string NginxBinary => File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

    private static bool? _docker;
    private static bool? _nginx;
    private static bool? _nginxOnPath;
    private static bool? _moto;
    private static bool? _cfnLint;
    private static bool? _registry;
    private static bool? _htpasswd;
    private static bool? _python;
    private static bool? _envsubst;

    private static bool Lazy(ref bool? cache, Func<bool> probe) => cache ??= probe();

    private static void Part(string what, bool present)
    {
        if (present)
        {
            return;
        }

        if (InCi)
        {
            throw new InvalidOperationException($"CI=true and {what} is missing: .ci/run must install and start it.");
        }

        Skip.If(true, $"{what} is not available here");
    }

    private static bool Succeeds(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            // Generous: on a loaded machine cfn-lint's start alone has taken over 20 s, and a slow probe is no missing part.
            process.WaitForExit(120_000);
            return process.HasExited && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
