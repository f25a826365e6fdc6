using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>The ECS definition files render from the stacks' outputs and the environment, with nothing left open.</summary>
public sealed class EcsDefinitionRendererTests
{
    [Theory]
    [InlineData("master.json")]
    [InlineData("master-service.json")]
    [InlineData("proxy.json")]
    [InlineData("agent.json")]
    public void Every_placeholder_of_the_repository_definitions_is_given_by_a_stack_output_or_the_environment(string file)
    {
        var rendered = EcsDefinitionRenderer.Render(File.ReadAllText(Repository.Path("ecs", file)), $"ecs/{file}", Values());

        Assert.DoesNotContain("{{", rendered.ToJsonString());
    }

    [Fact]
    public void The_master_task_definition_renders_to_the_shape_ecs_takes()
    {
        var task = EcsDefinitionRenderer.Render(File.ReadAllText(Repository.Path("ecs", "master.json")), "ecs/master.json", Values());
        var container = task["containerDefinitions"]![0]!;

        Assert.Equal("dev-jenkins-master", (string)task["family"]!);
        Assert.Equal("2048", (string)task["cpu"]!);
        Assert.Equal("registry/jenkins-master@sha256:abc", (string)container["image"]!);
        Assert.Equal("Europe/Berlin", Environment(container)["TZ"]);
        Assert.Equal("https://jenkins.example.com/", Environment(container)["JENKINS_PUBLIC_URL"]);
        Assert.Equal("https://output-InternalName/", Environment(container)["JENKINS_AGENT_URL"]);
        Assert.Equal("ENABLED", (string)task["volumes"]![0]!["efsVolumeConfiguration"]!["transitEncryption"]!);
    }

    [Fact]
    public void A_list_placeholder_becomes_a_json_array()
    {
        var service = EcsDefinitionRenderer.Render(File.ReadAllText(Repository.Path("ecs", "master-service.json")), "ecs/master-service.json", Values());

        var subnets = service["networkConfiguration"]!["awsvpcConfiguration"]!["subnets"]!.AsArray();
        Assert.Equal(["subnet-a", "subnet-b"], subnets.Select(s => (string)s!));
    }

    [Fact]
    public void Every_missing_value_is_named_at_once_with_where_it_comes_from()
    {
        var error = Assert.Throws<BuildException>(() => EcsDefinitionRenderer.Render(
            """{ "a": "{{ output:Nope }}", "b": ["{{ setting:missing }}", "x-{{ image:none }}"] }""", "ecs/x.json", Values()));

        Assert.Contains("ecs/x.json: no value for {{ image:none }}, {{ output:Nope }}, {{ setting:missing }}", error.Message);
        Assert.Contains("run DeployInfrastructure", error.Message);
    }

    private static Dictionary<string, string> Environment(JsonNode container)
        => container["environment"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string)e!["value"]!);

    /// <summary>Every output the stacks declare (as a recognisable value), and the environment's values.</summary>
    private static EcsDefinitionValues Values()
    {
        var outputs = StackCatalog.Load(Repository.Root)
            .SelectMany(s => CloudFormationTemplate.Load(s.TemplatePath, s.Name).Outputs)
            .ToDictionary(o => o, o => "output-" + o);
        outputs["PrivateSubnetIds"] = "subnet-a,subnet-b";
        return new EcsDefinitionValues(
            outputs,
            new Dictionary<string, string> { ["DomainName"] = "jenkins.example.com", ["AdminPasswordSecretArn"] = "arn:aws:secretsmanager:eu-west-1:1:secret:a" },
            new Dictionary<string, string> { ["region"] = "eu-west-1", ["timezone"] = "Europe/Berlin", ["adminUser"] = "admin", ["masterCpu"] = "2048", ["masterMemory"] = "6144", ["maxAgents"] = "10", ["nginxResolver"] = "169.254.169.253", ["proxyTimeout"] = "300s" },
            new Dictionary<string, string> { ["jenkins-master"] = "registry/jenkins-master@sha256:abc", ["nginx-proxy"] = "registry/nginx-proxy@sha256:def" },
            new Dictionary<string, string>
            {
                ["family"] = "dev-jenkins-master",
                ["taskDefinition"] = "arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:3",
                ["toolchain"] = "node",
                ["cpu"] = "1024",
                ["memory"] = "2048",
                ["image"] = "registry/agent-node@sha256:123",
            });
    }
}
