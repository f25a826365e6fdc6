using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Ecs;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// What an UpdateService carries: the service's name and cluster and the members that differ, nothing else. Sending an
/// unchanged networkConfiguration, loadBalancers or capacityProviderStrategy again can start a new deployment, which
/// at 0 %/100 % restarts Jenkins for an edit that changed nothing it runs with.
/// </summary>
public sealed class ServiceChangesTests
{
    private static JsonObject File() => JsonNode.Parse("""
        {
          "serviceName": "dev-jenkins-master", "cluster": "dev-jenkins-master",
          "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/dev-jenkins-master:3",
          "desiredCount": 1,
          "healthCheckGracePeriodSeconds": 900,
          "networkConfiguration": { "awsvpcConfiguration": { "subnets": ["subnet-1", "subnet-2"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED" } },
          "loadBalancers": [{ "targetGroupArn": "arn:tg", "containerName": "jenkins-master", "containerPort": 8080 }]
        }
        """)!.AsObject();

    private static JsonObject Described(int gracePeriod) => JsonNode.Parse($$"""
        {
          "serviceName": "dev-jenkins-master", "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/dev-jenkins-master",
          "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/dev-jenkins-master:3",
          "desiredCount": 1, "schedulingStrategy": "REPLICA",
          "healthCheckGracePeriodSeconds": {{gracePeriod}},
          "networkConfiguration": { "awsvpcConfiguration": { "subnets": ["subnet-2", "subnet-1"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED" } },
          "loadBalancers": [{ "targetGroupArn": "arn:tg", "containerName": "jenkins-master", "containerPort": 8080 }]
        }
        """)!.AsObject();

    [Fact]
    public void An_edit_of_one_member_sends_that_member_alone_with_the_service_and_its_cluster()
    {
        var update = ServiceChanges.Plan(File(), Described(gracePeriod: 600), "ecs/master-service.json");

        Assert.Equal(["healthCheckGracePeriodSeconds"], update.Changed);
        Assert.Equal(["cluster", "healthCheckGracePeriodSeconds", "service"], update.Request.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(900, (int)update.Request["healthCheckGracePeriodSeconds"]!);
    }

    [Fact]
    public void A_service_as_the_file_says_needs_no_update()
    {
        var update = ServiceChanges.Plan(File(), Described(gracePeriod: 900), "ecs/master-service.json");

        Assert.Empty(update.Changed);
        Assert.DoesNotContain("networkConfiguration", update.Request.Select(p => p.Key));
    }
}
