namespace JenkinsOnEcs.Build.Tests.Contracts;

/// <summary>
/// contracts/inbound-agent.json's reading of the `jenkins-agent` script held against the real script: its
/// "observedRuns" are what the script at the pinned tag executed, run by bash when the contract was extracted
/// (tools/contracts/extract-inbound-agent.py; tools/contracts/regenerate.sh --check runs it again on the sources).
/// The java command the contract's reading gives for each run's variables and arguments must be the one observed.
/// </summary>
public sealed class AgentEntrypointContractTests
{
    public static TheoryData<string> Runs()
    {
        var names = new TheoryData<string>();
        foreach (var run in AgentContracts.InboundAgent["entrypoint"]!["observedRuns"]!.AsArray())
        {
            names.Add((string)run!["name"]!);
        }

        return names;
    }

    /// <summary>The observed runs' inputs without the JAVA_HOME the extraction gave: for a stand-in that has its own.</summary>
    public static TheoryData<string, Dictionary<string, string>, string[]> Cases()
    {
        var cases = new TheoryData<string, Dictionary<string, string>, string[]>();
        foreach (var run in AgentContracts.InboundAgent["entrypoint"]!["observedRuns"]!.AsArray())
        {
            var environment = run!["environment"]!.AsObject().Where(v => v.Key != "JAVA_HOME").ToDictionary(v => v.Key, v => (string)v.Value!);
            cases.Add((string)run["name"]!, environment, run["arguments"]!.AsArray().Select(a => (string)a!).ToArray());
        }

        return cases;
    }

    [Fact]
    public void The_contract_records_runs_of_the_real_entrypoint()
        => Assert.True(AgentContracts.InboundAgent["entrypoint"]!["observedRuns"]!.AsArray().Count >= 6, "contracts/inbound-agent.json has fewer observed runs than extract-inbound-agent.py makes: run tools/contracts/regenerate.sh");

    [Theory]
    [MemberData(nameof(Runs))]
    public void The_contracts_reading_gives_the_java_command_the_real_entrypoint_executed(string name)
    {
        var run = AgentContracts.InboundAgent["entrypoint"]!["observedRuns"]!.AsArray().Single(r => (string)r!["name"]! == name)!;
        var environment = run["environment"]!.AsObject().ToDictionary(v => v.Key, v => (string)v.Value!);
        var arguments = run["arguments"]!.AsArray().Select(a => (string)a!).ToArray();
        var executed = run["javaCommand"]!.AsArray().Select(a => (string)a!).ToList();

        Assert.Equal(executed, AgentContracts.JavaCommand(environment, arguments));
    }
}
