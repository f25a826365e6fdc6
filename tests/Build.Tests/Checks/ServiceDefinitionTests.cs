using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Checks;

/// <summary>The master's service keeps Jenkins safe: never two masters on one home, time to start, rollback.</summary>
public sealed class ServiceDefinitionTests
{
    private static readonly JsonNode Service = JsonNode.Parse(File.ReadAllText(Repository.Path("ecs", "master-service.json")))!;

    [Fact]
    public void The_master_never_runs_twice_at_once()
    {
        // With one task, a maximum of 100 % stops the old master before the new one starts; 0 % allows that gap.
        Assert.Equal(1, (int)Service["desiredCount"]!);
        Assert.Equal(100, (int)Service["deploymentConfiguration"]!["maximumPercent"]!);
        Assert.Equal(0, (int)Service["deploymentConfiguration"]!["minimumHealthyPercent"]!);
    }

    [Fact]
    public void A_failed_deployment_rolls_back_and_jenkins_has_time_to_start()
    {
        Assert.True((bool)Service["deploymentConfiguration"]!["deploymentCircuitBreaker"]!["enable"]!);
        Assert.True((bool)Service["deploymentConfiguration"]!["deploymentCircuitBreaker"]!["rollback"]!);
        Assert.True((int)Service["healthCheckGracePeriodSeconds"]! >= 300);
    }

    [Fact]
    public void The_master_sits_behind_the_internal_load_balancer_in_private_subnets()
    {
        Assert.Equal("{{ output:MasterTargetGroupArn }}", (string)Service["loadBalancers"]![0]!["targetGroupArn"]!);
        Assert.Equal(8080, (int)Service["loadBalancers"]![0]!["containerPort"]!);
        Assert.Equal("DISABLED", (string)Service["networkConfiguration"]!["awsvpcConfiguration"]!["assignPublicIp"]!);
    }
}
