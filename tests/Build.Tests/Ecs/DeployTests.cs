using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>`--target=Deploy` end to end on one machine: moto_server for AWS, a loopback registry, a real docker engine.</summary>
[Collection(DockerCollection.Name)]
public sealed class DeployTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task Deploy_creates_everything_and_a_second_deploy_with_nothing_changed_changes_nothing()
    {
        Requires.CfnLint();
        Requires.NginxOnPath();
        using var deploy = new DeployScenario(standIns, registry, moto, "dep");
        var (environment, prefix) = (deploy.Environment, deploy.Prefix);

        var first = await deploy.RunAsync("Deploy");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("runs no containers", first.Output);
        // The image branch ran beside the stacks (the recorded start and end times, not wall time): the agents'
        // build started before DeployInfrastructure ended and ended after it started; task definitions came after both.
        var stacks = first.Of("DeployInfrastructure");
        var agents = first.Of("BuildAgentImages");
        Assert.True(agents.Start < stacks.End && agents.End > stacks.Start, $"BuildAgentImages ({agents.Start}..{agents.End}) did not overlap DeployInfrastructure ({stacks.Start}..{stacks.End})");
        Assert.True(first.Of("BuildMasterImage").Start < stacks.End, "the master's image was built only after the stacks");
        var register = first.Of("RegisterTaskDefinitions");
        Assert.True(new[] { "DeployInfrastructure", "PushMasterImage", "PushNginxImage", "PushAgentImages" }.All(t => register.Start >= first.Of(t).End), "task definitions were registered before the stacks and every push had ended");

        // The proxy's image knows no upstream: its task definition gives the stacks' internal load balancer.
        Assert.Contains("nginx -t passed", first.Output);

        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        foreach (var part in new[] { "master", "proxy" })
        {
            var service = await ecs.DescribeServiceAsync($"{environment}-jenkins-master", $"{environment}-jenkins-{part}", default);
            Assert.NotNull(service);
            Assert.EndsWith($":task-definition/{environment}-jenkins-{part}:1", (string)service["taskDefinition"]!);
            var task = await ecs.DescribeLatestTaskDefinitionAsync($"{environment}-jenkins-{part}", default);
            Assert.Matches($@"^{Regex.Escape(registry.Host)}/{Regex.Escape(prefix)}/[a-z-]+@sha256:[0-9a-f]{{64}}$", (string)task!.Value.Definition["containerDefinitions"]![0]!["image"]!);
            if (part == "proxy")
            {
                var variables = task.Value.Definition["containerDefinitions"]![0]!["environment"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string)e!["value"]!);
                Assert.Matches(@"^https://internal\.[a-z0-9.-]+:443$", variables["PROXY_UPSTREAM"]);
                Assert.Equal("127.0.0.1", variables["PROXY_RESOLVER"]);
            }
        }

        // A created service describes what it was created with (ECS does; tools/moto/serve.py makes moto do it),
        // so the second deploy changes nothing.
        var second = await deploy.RunAsync("Deploy");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain(": building ", second.Output);
        Assert.DoesNotContain(": pushed ", second.Output);
        Assert.DoesNotContain(": registered ", second.Output);
        Assert.DoesNotContain("change(s)", second.Output);
        Assert.Equal(2, Regex.Matches(second.Output, ": already runs ").Count);
    }

    [SkippableFact]
    public async Task An_edit_of_a_service_file_reaches_the_service_and_a_member_only_CreateService_takes_stops_the_deploy_before_anything_is_registered()
    {
        Requires.CfnLint();
        using var deploy = new DeployScenario(standIns, registry, moto, "svc");
        var (environment, repository) = (deploy.Environment, deploy.Repository);
        var serviceFile = repository.Path("ecs", "master-service.json");
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        var (cluster, master) = ($"{environment}-jenkins-master", $"{environment}-jenkins-master");

        var first = await deploy.RunAsync("Deploy");
        Assert.True(first.ExitCode == 0, first.Output);

        var service = JsonNode.Parse(File.ReadAllText(serviceFile))!;
        service["healthCheckGracePeriodSeconds"] = 900;
        service["deploymentConfiguration"]!["deploymentCircuitBreaker"]!["rollback"] = false;
        File.WriteAllText(serviceFile, service.ToJsonString());
        var edited = await deploy.RunAsync("Deploy");
        Assert.True(edited.ExitCode == 0, edited.Output);
        Assert.Contains($"{master}: UpdateService will change ", edited.Output);
        Assert.DoesNotContain(": registered ", edited.Output);
        var described = (await ecs.DescribeServiceAsync(cluster, master, default))!;
        Assert.Equal("""{"deploymentCircuitBreaker":{"enable":true,"rollback":false},"maximumPercent":100,"minimumHealthyPercent":0}""", described["deploymentConfiguration"]!.ToJsonString());
        Assert.Equal(900, (int)described["healthCheckGracePeriodSeconds"]!);
        Assert.Equal(2, (int)described["networkConfiguration"]!["awsvpcConfiguration"]!["subnets"]!.AsArray().Count);

        // A create-only member, and a change that would register a new master revision: neither happens.
        service["schedulingStrategy"] = "DAEMON";
        File.WriteAllText(serviceFile, service.ToJsonString());
        var task = repository.Path("ecs", "master.json");
        File.WriteAllText(task, File.ReadAllText(task).Replace("\"stopTimeout\": 120", "\"stopTimeout\": 90", StringComparison.Ordinal));
        var refused = await deploy.RunAsync("Deploy");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"ecs/master-service.json: \"schedulingStrategy\" is DAEMON in the file, REPLICA in the service. UpdateService cannot change this member of {master}", refused.Output);
        Assert.Contains($"aws ecs delete-service --cluster {cluster} --service {master} --force", refused.Output);
        // The images are built and pushed beside the stacks (their content tags: no task definition or service
        // uses them), so only what comes after the check is held to not having run.
        Assert.DoesNotContain(refused.Executed, t => t is "RegisterTaskDefinitions" or "BackupHome" or "DeployServices");
        Assert.EndsWith($":task-definition/{master}:1", (string)(await ecs.DescribeLatestTaskDefinitionAsync(master, default))!.Value.Definition["taskDefinitionArn"]!);
    }

    [SkippableFact]
    public async Task Deploy_with_a_base_image_mirror_that_never_answers_stops_before_any_stack_is_created()
    {
        Requires.CfnLint();
        Requires.Moto();

        // A mirror that accepts connections and never answers: the lookup gives up after the registry client's bound.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var mirror = $"127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}";
        const string node = "node:24.19.0-trixie-slim";
        using var deploy = new DeployScenario(standIns, registry, moto, "mirror", new() { BaseImages = standIns.Map.ToDictionary(m => m.Key, m => m.Key == node ? $"{mirror}/library/node:24" : m.Value) });
        var (environment, prefix, repository) = (deploy.Environment, deploy.Prefix, deploy.Repository);

        var run = await deploy.RunAsync("Deploy");

        Assert.Equal(1, run.ExitCode);
        Assert.Matches($@"Base images: asking [^\n]*{Regex.Escape(mirror)} for the digests of 6 images \(each request gives up after 20 s\)", run.Output);
        Assert.Contains($"The base image {mirror}/library/node:24 cannot be resolved to a digest on its registry {mirror}", run.Output);
        Assert.Contains($"Fix: make {mirror} reachable", run.Output);
        Assert.Empty(run.Executed);
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        foreach (var stack in JenkinsOnEcs.Build.Stacks.StackCatalog.Load(repository.Root))
        {
            Assert.Null(await cloudFormation.DescribeStackAsync(stack.StackName(environment), default));
        }

        Assert.Empty(standIns.ImagesWithPrefix(prefix));
    }

    [SkippableFact]
    public async Task Deploy_without_aws_credentials_fails_with_the_sources_tried_before_anything_is_built_or_deployed()
    {
        Requires.CfnLint();
        using var deploy = new DeployScenario(standIns, registry, moto, "nocred");
        var environment = deploy.Environment;
        DeployRun run;
        using (AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = moto.Url, ["AWS_REGION"] = "eu-west-1" }))
        {
            run = await deploy.RunAsync("Deploy");
        }

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("No AWS credentials were found", run.Output);
        Assert.Contains("Fix: set AWS_PROFILE", run.Output);
        Assert.DoesNotContain(run.Executed, task => task.StartsWith("Build", StringComparison.Ordinal) || task.StartsWith("Push", StringComparison.Ordinal) || task == "RegisterTaskDefinitions" || task == "DeployServices");
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        Assert.Null(await cloudFormation.DescribeStackAsync($"{environment}-jenkins-network", default));
    }

    [SkippableFact]
    public async Task The_local_rehearsal_starts_moto_and_the_registry_on_loopback_and_stops_them_at_the_end()
    {
        Requires.CfnLint();
        Requires.Moto();
        Requires.Registry();
        using var repository = Repository.Copy();
        var (awsPort, registryPort) = (Ports.Free(), Ports.Free());
        var prefix = standIns.Prefix + "-local";
        BuildRun run;

        // No AWS credentials at all: the rehearsal gives its moto the only ones it needs.
        using (AwsEnvironment.Isolated())
        {
            run = await BuildRun.RunAsync(repository.Root, runTasks: true,
                [.. standIns.Arguments(prefix), "--environment=local", "--target=Deploy", $"--aws-endpoint-url=http://127.0.0.1:{awsPort}/", $"--registry=127.0.0.1:{registryPort}"]);
        }

        try
        {
            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains($"Started moto_server at http://127.0.0.1:{awsPort}", run.Output);
            Assert.Contains($"Started docker-registry at http://127.0.0.1:{registryPort}", run.Output);
            Assert.Contains("runs no containers", run.Output);
            Assert.Contains("Stopped moto_server", run.Output);
            Assert.Contains("Stopped docker-registry", run.Output);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            foreach (var url in new[] { $"http://127.0.0.1:{awsPort}/moto-api/", $"http://127.0.0.1:{registryPort}/v2/" })
            {
                await Assert.ThrowsAnyAsync<Exception>(() => http.GetAsync(url));
            }
        }
        finally
        {
            standIns.RemoveImages(prefix, $"127.0.0.1:{registryPort}");
        }
    }

    [SkippableFact]
    public async Task A_local_service_that_cannot_start_is_reported_in_its_own_words()
    {
        Requires.Moto();
        using var repository = Repository.Copy();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        BuildRun run;
        using (AwsEnvironment.Isolated())
        {
            run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--environment=local", "--target=DeployInfrastructure", "--exclusive", $"--aws-endpoint-url=http://127.0.0.1:{port}/");
        }

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"moto_server did not start answering at http://127.0.0.1:{port}/moto-api/", run.Output);
        Assert.Contains("Address already in use", run.Output);
        Assert.Contains("Stopped moto_server", run.Output);
    }
}
