using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Contracts;

/// <summary>
/// contracts/inbound-agent.json held against the real entrypoint: the fetched `jenkins-agent` script, at the tag
/// the contract names, run by bash with a java that records its arguments. Where the consumer's sources are not
/// fetched (tools/contracts/extract-*.py read them from $MIRROR_ROOT, default /work/.mirror) this skips.
/// </summary>
public sealed class AgentEntrypointContractTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("entrypoint-");

    /// <summary>Inputs covering every word of the java command: ECS's launch, and the variables and clashes around it.</summary>
    public static TheoryData<string, Dictionary<string, string>, string[]> Cases() => new()
    {
        {
            "ECS launch (task definition and plugin)",
            new() { ["JENKINS_WEB_SOCKET"] = "true", ["JENKINS_AGENT_WORKDIR"] = "/home/jenkins/agent", ["SLAVE_NODE_NAME"] = "a-1", ["SLAVE_NODE_SECRET"] = "0123" },
            ["-url", "http://master/", "0123", "a-1"]
        },
        { "plugin only (the old task definition)", new() { ["SLAVE_NODE_NAME"] = "a-1", ["SLAVE_NODE_SECRET"] = "0123" }, ["-url", "http://master/", "0123", "a-1"] },
        { "web socket other than exactly true", new() { ["JENKINS_WEB_SOCKET"] = "TRUE" }, ["-url", "http://master/", "0123", "a-1"] },
        {
            "every variable",
            new()
            {
                ["JENKINS_URL"] = "http://env/", ["JENKINS_TUNNEL"] = "host:50000", ["JENKINS_SECRET"] = "abc", ["JENKINS_AGENT_NAME"] = "n1",
                ["JENKINS_DIRECT_CONNECTION"] = "host:1", ["JENKINS_PROTOCOLS"] = "JNLP4-connect", ["JENKINS_INSTANCE_IDENTITY"] = "id",
                ["JENKINS_JAVA_OPTS"] = "-Xmx1g -Dx=y", ["JAVA_OPTS"] = "-Xmx9g", ["REMOTING_OPTS"] = "-noReconnect -text",
                ["JENKINS_AGENT_FILE"] = "/usr/share/jenkins/agent.jar", ["JENKINS_AGENT_WORKDIR"] = "/w",
            },
            ["-headless"]
        },
        { "name from JENKINS_NAME, JAVA_OPTS as fallback", new() { ["JENKINS_NAME"] = "n2", ["JENKINS_AGENT_NAME"] = "n1", ["JAVA_OPTS"] = "-Xss2m" }, ["-url", "http://master/"] },
        { "secret and tunnel also in the arguments", new() { ["JENKINS_SECRET"] = "0123", ["JENKINS_TUNNEL"] = "t:1", ["JENKINS_AGENT_WORKDIR"] = "/w" }, ["-tunnel", "x:2", "-workDir", "/v", "0123", "a-1"] },
    };

    public void Dispose() => _folder.Delete(recursive: true);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void The_real_entrypoint_makes_the_java_command_the_contract_gives(string name, Dictionary<string, string> environment, string[] arguments)
    {
        var mirror = Path.Combine(Environment.GetEnvironmentVariable("MIRROR_ROOT") ?? "/work/.mirror", "jenkinsci+docker-agent", "repo");
        Skip.IfNot(Directory.Exists(mirror), $"jenkinsci/docker-agent is not fetched at {mirror}");
        Skip.If(OperatingSystem.IsWindows(), "the entrypoint is a Linux script");
        var tag = (string)AgentContracts.InboundAgent["provenance"]!["tag"]!;
        var script = Processes.Run("git", ["-C", mirror, "show", $"{tag}:jenkins-agent"]);
        Assert.True(script.ExitCode == 0, script.Output);
        var entrypoint = Path.Combine(_folder.FullName, "jenkins-agent");
        File.WriteAllText(entrypoint, script.Output);
        var java = Path.Combine(_folder.FullName, "jdk", "bin", "java");
        Directory.CreateDirectory(Path.GetDirectoryName(java)!);
        File.WriteAllText(java, "#!/bin/sh\nprintf 'argv: %s\\n' \"$0\" \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(java, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Only these variables: the image's JAVA_HOME (here the recording java) and the case's.
        var seen = new Dictionary<string, string>(environment) { ["JAVA_HOME"] = Path.Combine(_folder.FullName, "jdk") };
        var variables = new Dictionary<string, string?>(seen.ToDictionary(e => e.Key, e => (string?)e.Value));
        foreach (var inherited in System.Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            variables.TryAdd(inherited, null);
        }

        variables["PATH"] = "/usr/bin:/bin";
        var run = Processes.Run("bash", [entrypoint, .. arguments], variables);

        Assert.True(run.ExitCode == 0, $"{name}: {run.Output}");
        var command = run.Output.Split('\n').Where(l => l.StartsWith("argv: ", StringComparison.Ordinal)).Select(l => l["argv: ".Length..]).ToList();
        Assert.Equal(AgentContracts.JavaCommand(seen, arguments), command);
    }
}
