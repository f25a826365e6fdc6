using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Tests.Contracts;

/// <summary>
/// The master's task role (cfn/jenkins.yaml, MasterTaskRole) against the AWS calls the amazon-ecs plugin makes at
/// the pin (contracts/amazon-ecs-runtime.json, "awsCalls", extracted from its source): every call it makes with
/// taskDefinitionOverride is granted, on the narrowest resource and condition, and nothing else is. The contract is
/// read from source, not from a running plugin: a call through reflection or another plugin's code is not in it.
/// </summary>
public sealed class MasterRoleContractTests
{
    private const string PluginPolicy = "amazon-ecs-plugin";

    private static readonly JsonObject Calls = AgentContracts.EcsRuntime["awsCalls"]!.AsObject();

    private static readonly YamlMappingNode Role = (YamlMappingNode)Node(
        CloudFormationTemplate.Load(Repository.Path("cfn", "jenkins.yaml"), "cfn/jenkins.yaml").Root, "Resources", "MasterTaskRole", "Properties");

    private static IEnumerable<(string Policy, YamlMappingNode Statement)> Statements()
        => ((YamlSequenceNode)Node(Role, "Policies")).Children.Cast<YamlMappingNode>()
            .SelectMany(p => ((YamlSequenceNode)Node(p, "PolicyDocument", "Statement")).Children.Cast<YamlMappingNode>()
                .Select(s => (Scalar(p, "PolicyName")!, s)));

    private static IEnumerable<string> Actions(YamlMappingNode statement)
        => Node(statement, "Action") switch
        {
            YamlSequenceNode list => list.Children.Cast<YamlScalarNode>().Select(a => a.Value!),
            YamlScalarNode one => [one.Value!],
            _ => [],
        };

    private static YamlMappingNode Granting(string action)
        => Assert.Single(Statements(), s => s.Policy == PluginPolicy && Actions(s.Statement).Contains(action)).Statement;

    [Fact]
    public void The_plugin_s_policy_grants_exactly_the_calls_it_makes_under_an_override()
    {
        var needed = Calls["runTimeUnderOverride"]!.AsObject().Select(c => c.Key)
            .Concat(Calls["alsoRequiredAtRunTask"]!.AsObject().Select(c => c.Key))
            .Order(StringComparer.Ordinal).ToList();
        var granted = Statements().Where(s => s.Policy == PluginPolicy).SelectMany(s => Actions(s.Statement)).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["ecs:DescribeTaskDefinition", "ecs:DescribeTasks", "ecs:RunTask", "ecs:StopTask"], Calls["runTimeUnderOverride"]!.AsObject().Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal(needed, granted);
    }

    [Fact]
    public void No_policy_of_the_role_grants_a_call_made_only_without_an_override_or_only_from_a_configuration_page()
    {
        var unneeded = Calls["onlyForTemplatesWithoutOverride"]!.AsArray().Select(c => (string)c!)
            .Concat(Calls["onlyFromConfigurationPages"]!.AsObject().Select(c => c.Key)).ToList();
        Assert.Contains("ecs:RegisterTaskDefinition", unneeded);
        Assert.Contains("ecs:ListClusters", unneeded);

        var granted = Statements().SelectMany(s => Actions(s.Statement)).ToHashSet(StringComparer.Ordinal);

        Assert.All(unneeded, action => Assert.DoesNotContain(action, granted));
        Assert.DoesNotContain(granted, a => a.Contains('*', StringComparison.Ordinal));
    }

    [Fact]
    public void Every_template_names_a_task_definition_so_the_plugin_registers_none()
    {
        // registerTemplate returns the override's definition before any RegisterTaskDefinition (the contract's
        // "underTaskDefinitionOverride"); a template without one would need the grant this role leaves out.
        Assert.StartsWith("DescribeTaskDefinition of the override", (string?)AgentContracts.EcsRuntime["underTaskDefinitionOverride"]!["registerTemplate"]);
        var templates = RenderedAgents.Templates(RenderedAgents.Agents(Repository.Root));

        Assert.NotEmpty(templates);
        Assert.All(templates.Values, t => Assert.False(string.IsNullOrEmpty(RenderedAgents.Scalar(t, "taskDefinitionOverride"))));
    }

    [Fact]
    public void Each_grant_is_held_to_the_agents_families_tasks_cluster_and_roles()
    {
        // DescribeTaskDefinition takes no resource-level permission: the only grant on "*".
        Assert.Equal("*", Scalar(Granting("ecs:DescribeTaskDefinition"), "Resource"));
        Assert.Equal(["ecs:DescribeTaskDefinition"], Statements().Where(s => Scalar(s.Statement, "Resource") == "*").SelectMany(s => Actions(s.Statement)));

        var run = Granting("ecs:RunTask");
        Assert.Equal(("!Sub", "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/${EnvironmentName}-jenkins-agent-*"), Tagged(Node(run, "Resource")));
        Assert.Equal(("!Ref", "AgentClusterArn"), Tagged(Node(run, "Condition", "ArnEquals", "ecs:cluster")));

        var tasks = "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${AgentClusterName}/*";
        foreach (var action in new[] { "ecs:StopTask", "ecs:DescribeTasks" })
        {
            Assert.Equal(("!Sub", tasks), Tagged(Node(Granting(action), "Resource")));
            Assert.Equal(("!Ref", "AgentClusterArn"), Tagged(Node(Granting(action), "Condition", "ArnEquals", "ecs:cluster")));
        }

        var tag = Granting("ecs:TagResource");
        Assert.Equal(("!Sub", tasks), Tagged(Node(tag, "Resource")));
        Assert.Equal("RunTask", Scalar((YamlMappingNode)Node(tag, "Condition", "StringEquals"), "ecs:CreateAction"));

        var pass = Granting("iam:PassRole");
        Assert.Equal([("!GetAtt", "AgentTaskRole.Arn"), ("!GetAtt", "AgentExecutionRole.Arn")], ((YamlSequenceNode)Node(pass, "Resource")).Children.Select(Tagged));
        Assert.Equal("ecs-tasks.amazonaws.com", Scalar((YamlMappingNode)Node(pass, "Condition", "StringEquals"), "iam:PassedToService"));
    }

    [Fact]
    public void The_run_task_grant_covers_the_families_the_templates_name()
    {
        // The templates name <AgentFamilyPrefix><toolchain>; the stack's AgentFamilyPrefix output is the grant's prefix.
        var outputs = (YamlMappingNode)Node(CloudFormationTemplate.Load(Repository.Path("cfn", "jenkins.yaml"), "cfn/jenkins.yaml").Root, "Outputs", "AgentFamilyPrefix");
        var prefix = Tagged(Node(outputs, "Value")).Value;
        var resource = Tagged(Node(Granting("ecs:RunTask"), "Resource")).Value;

        Assert.EndsWith(":task-definition/" + prefix + "*", resource);
        Assert.All(RenderedAgents.Templates(RenderedAgents.Agents(Repository.Root)).Values,
            t => Assert.StartsWith("${" + MasterEnvironment.AgentFamilyPrefix + "}", RenderedAgents.Scalar(t, "taskDefinitionOverride")));
    }

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return node;
    }

    private static string? Scalar(YamlMappingNode node, string key)
        => node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static (string Tag, string Value) Tagged(YamlNode node)
        => node is YamlScalarNode scalar ? (scalar.Tag.IsEmpty ? string.Empty : scalar.Tag.Value, scalar.Value!) : throw new InvalidOperationException($"not a scalar: {node}");
}
