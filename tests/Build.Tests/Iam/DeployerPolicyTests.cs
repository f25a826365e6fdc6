using System.Reflection;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Iam;

/// <summary>
/// iam/deployer-policy.json held against the build: every operation the hand-written AWS clients send (their declared
/// lists, which a scan of their sources keeps complete), the actions AWS requires beyond the operation itself, and
/// every resource type of cfn/, which CloudFormation creates with the caller's credentials (no service role is used).
/// </summary>
public sealed partial class DeployerPolicyTests
{
    /// <summary>
    /// Actions AWS checks besides the operation's own, with where AWS says so. Docker's pushes and pulls to ECR go
    /// through the registry API, not the clients.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ActionsBeyondTheOperations = new Dictionary<string, string>
    {
        // Amazon ECR User Guide, "Pushing a Docker image": the IAM permissions required to push an image.
        ["ecr:BatchCheckLayerAvailability"] = "docker push",
        ["ecr:InitiateLayerUpload"] = "docker push",
        ["ecr:UploadLayerPart"] = "docker push",
        ["ecr:CompleteLayerUpload"] = "docker push",
        ["ecr:PutImage"] = "docker push",
        // Amazon ECR User Guide, "Pulling an image": the layer cache (:buildcache) and a base image pulled from the account's ECR.
        ["ecr:BatchGetImage"] = "docker pull",
        ["ecr:GetDownloadUrlForLayer"] = "docker pull",
        // Amazon ECS Developer Guide, "Grant permission to tag resources on creation": RegisterTaskDefinition and
        // CreateService with tags need ecs:TagResource too.
        ["ecs:TagResource"] = "RegisterTaskDefinition and CreateService send tags",
        // IAM User Guide, "Grant a user permissions to pass a role to an AWS service": the task definitions name the
        // stacks' task and execution roles; StartBackupJob and StartRestoreJob name the storage stack's backup role.
        ["iam:PassRole"] = "RegisterTaskDefinition, StartBackupJob, StartRestoreJob",
    };

    // AWS::<namespace>::… in cfn/ → the IAM prefix of the service CloudFormation calls for it.
    private static readonly IReadOnlyDictionary<string, string> IamPrefixOfResourceNamespace = new Dictionary<string, string>
    {
        ["AutoScaling"] = "autoscaling",
        ["Backup"] = "backup",
        ["CertificateManager"] = "acm",
        ["CloudWatch"] = "cloudwatch",
        ["EC2"] = "ec2",
        ["ECS"] = "ecs",
        ["EFS"] = "elasticfilesystem",
        ["ElasticLoadBalancingV2"] = "elasticloadbalancing",
        ["Events"] = "events",
        ["IAM"] = "iam",
        ["Logs"] = "logs",
        ["Route53"] = "route53",
        ["S3"] = "s3",
        ["SNS"] = "sns",
        ["SSM"] = "ssm",
        ["WAFv2"] = "wafv2",
    };

    public static IReadOnlyList<(Type Client, AwsOperations Sends)> Clients()
        => typeof(AwsOperations).Assembly.GetTypes()
            .Select(t => (Client: t, Field: t.GetField("Sends", BindingFlags.Public | BindingFlags.Static)))
            .Where(x => x.Field?.FieldType == typeof(AwsOperations))
            .Select(x => (x.Client, (AwsOperations)x.Field!.GetValue(null)!))
            .OrderBy(x => x.Client.Name, StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void The_policy_is_valid_json_with_only_the_documented_placeholders_and_fits_a_managed_policy()
    {
        var policy = DeployerPolicy.Load();

        Assert.Equal(DeployerPolicy.SampleValues.Keys.Order(), DeployerPolicy.Placeholders(policy.Template).Order());
        Assert.Equal("2012-10-17", (string?)policy.Rendered["Version"]);
        Assert.All(policy.Statements, s => Assert.Equal("Allow", (string?)s["Effect"]));
        Assert.Equal(policy.Statements.Count(), policy.Statements.Select(s => (string?)s["Sid"]).Distinct().Count());

        // A customer managed policy holds at most 6,144 characters, white space not counted (IAM User Guide, "IAM and AWS STS quotas").
        var size = Regex.Replace(policy.Rendered.ToJsonString(), @"\s", string.Empty).Length;
        Assert.True(size <= 6144, $"{DeployerPolicy.File} renders to {size} characters; a managed policy holds 6,144.");
    }

    [Fact]
    public void Every_operation_each_aws_client_sends_is_granted_to_the_build_itself()
    {
        var policy = DeployerPolicy.Load();
        var clients = Clients();
        Assert.True(clients.Count >= 11, $"found only {string.Join(", ", clients.Select(c => c.Client.Name))}");

        var missing = clients.SelectMany(c => c.Sends.IamActions).Where(a => !policy.GrantsDirectly(a)).ToList();

        Assert.True(missing.Count == 0, $"{DeployerPolicy.File} does not grant {string.Join(", ", missing)}: add each to the statement for its resource.");
    }

    [Fact]
    public void Each_client_declares_exactly_the_operations_its_source_sends()
    {
        foreach (var (client, sends) in Clients())
        {
            var source = File.ReadAllText(Repository.Path("build", "Aws", client.Name + ".cs"));
            var sent = OperationLiteral().Matches(source).Select(m => m.Groups[1].Value).Distinct().Order();

            Assert.Equal(sent, sends.Operations.Order());
        }
    }

    [Fact]
    public void The_only_aws_operation_sent_outside_the_clients_is_the_rehearsals_secret_in_moto_which_the_policy_does_not_grant()
    {
        var outside = Directory.EnumerateFiles(Repository.Path("build"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !Clients().Any(c => Path.GetFileName(f) == c.Client.Name + ".cs"))
            .SelectMany(f => OperationLiteral().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetFileName(f)}:{m.Groups[1].Value}"))
            .ToList();

        Assert.Equal(["RehearsalSecret.cs:CreateSecret"], outside);
        Assert.False(DeployerPolicy.Load().GrantsDirectly("secretsmanager:CreateSecret"));
    }

    [Fact]
    public void The_actions_aws_checks_beyond_the_operations_are_granted()
    {
        var policy = DeployerPolicy.Load();

        Assert.All(ActionsBeyondTheOperations.Keys, action => Assert.True(policy.GrantsDirectly(action), $"{action} ({ActionsBeyondTheOperations[action]}) is not granted"));
    }

    [Fact]
    public void Every_service_behind_a_resource_type_of_the_stacks_is_granted_only_through_cloudformation()
    {
        var policy = DeployerPolicy.Load();
        var namespaces = Directory.EnumerateFiles(Repository.Path("cfn"), "*.yaml")
            .SelectMany(f => ResourceType().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Where(n => n != "CloudFormation") // WaitConditionHandle: CloudFormation's own, no other service.
            .Distinct()
            .Order()
            .ToList();

        Assert.NotEmpty(namespaces);
        foreach (var name in namespaces)
        {
            Assert.True(IamPrefixOfResourceNamespace.TryGetValue(name, out var prefix), $"cfn/ uses AWS::{name}:: resources: add its service's actions to {DeployerPolicy.File} and its IAM prefix here.");
            Assert.True(
                policy.ThroughCloudFormationStatements.SelectMany(DeployerPolicy.Actions).Any(a => a.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase)),
                $"AWS::{name}:: needs {prefix}: actions through CloudFormation");
        }

        // CloudFormation's resource actions reach the build's own calls only where a direct statement grants them.
        Assert.False(policy.GrantsDirectly("ec2:RunInstances"));
        Assert.False(policy.GrantsDirectly("iam:CreateRole"));
        Assert.True(policy.GrantsThroughCloudFormation("iam:CreateRole"));
    }

    [Fact]
    public void The_build_s_own_calls_are_granted_on_the_resources_it_names_for_the_environment_and_not_on_another_environment_s()
    {
        var policy = DeployerPolicy.Load();
        var values = DeployerPolicy.SampleValues;
        var (account, region, environment, prefix) = (values["ACCOUNT_ID"], values["REGION"], values["ENVIRONMENT"], values["IMAGE_PREFIX"]);
        var stacks = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Repository.Path("cfn", "stacks.json")))!.AsArray().Select(s => (string)s!["name"]!).ToList();
        var images = new[] { "jenkins-master", "nginx-proxy" }
            .Concat(Directory.EnumerateDirectories(Repository.Path("images", "agents")).Select(d => global::JenkinsOnEcs.Build.Images.ImageCatalog.AgentImagePrefix + Path.GetFileName(d)))
            .ToList();
        Assert.All(images.Take(2), image => Assert.True(Directory.Exists(Repository.Path("images", image)), image));

        string Arn(string service, string resource) => $"arn:aws:{service}:{region}:{account}:{resource}";
        string FromTemplate(string template, string member) => Regex.Match(File.ReadAllText(Repository.Path("cfn", template)), member + @":\s*!Sub\s*""([^""]+)""").Groups[1].Value.Replace("${EnvironmentName}", environment, StringComparison.Ordinal);

        var granted = new List<(string Action, string Arn)>();
        foreach (var stack in stacks)
        {
            var arn = Arn("cloudformation", $"stack/{Conventions.StackName(environment, stack)}/0a1b2c3d-4e5f-6789-abcd-ef0123456789");
            granted.AddRange(CloudFormationClient.Sends.IamActions.Select(a => (a, arn)));
        }

        foreach (var image in images)
        {
            var arn = Arn("ecr", $"repository/{prefix}/{image}");
            granted.AddRange(new[] { "ecr:DescribeRepositories", "ecr:CreateRepository", "ecr:PutLifecyclePolicy", "ecr:DescribeImages", "ecr:PutImage", "ecr:BatchGetImage" }.Select(a => (a, arn)));
        }

        var cluster = FromTemplate("clusters.yaml", "ClusterName");
        Assert.Equal($"{environment}-jenkins-master", cluster);
        foreach (var service in new[] { Conventions.MasterFamily(environment), Conventions.ProxyFamily(environment) })
        {
            granted.AddRange(new[] { "ecs:DescribeServices", "ecs:CreateService", "ecs:UpdateService" }.Select(a => (a, Arn("ecs", $"service/{cluster}/{service}"))));
        }

        granted.Add(("ecs:DescribeTasks", Arn("ecs", $"task/{cluster}/0123456789abcdef0123456789abcdef")));
        granted.AddRange(DynamoDbClient.Sends.IamActions.Select(a => (a, Arn("dynamodb", $"table/{(global::JenkinsOnEcs.Build.Locking.DeployLock.TableName)}"))));
        granted.Add(("backup:StartBackupJob", Arn("backup", $"backup-vault:{FromTemplate("storage.yaml", "BackupVaultName")}")));
        granted.Add(("backup:StartRestoreJob", Arn("backup", "recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45")));
        foreach (var group in Regex.Matches(File.ReadAllText(Repository.Path("cfn", "jenkins.yaml")), @"LogGroupName:\s*!Sub\s*""([^""]+)""").Select(m => m.Groups[1].Value.Replace("${EnvironmentName}", environment, StringComparison.Ordinal)))
        {
            granted.AddRange(CloudWatchLogsClient.Sends.IamActions.Select(a => (a, Arn("logs", $"log-group:{group}"))));
        }

        granted.AddRange(SecretsManagerClient.Sends.IamActions.Select(a => (a, values["ADMIN_SECRET_ARN"])));
        // CloudFormation names a role it creates without RoleName "<stack name>-<logical ID>-<random>".
        granted.Add(("iam:PassRole", $"arn:aws:iam::{account}:role/{Conventions.StackName(environment, "jenkins")}-MasterTaskRole-AbCdEf123456"));
        granted.Add(("iam:PassRole", $"arn:aws:iam::{account}:role/{Conventions.StackName(environment, "storage")}-BackupRole-AbCdEf123456"));
        granted.Add(("ssm:GetParameters", $"arn:aws:ssm:{region}::parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"));
        var serviceMoves = global::JenkinsOnEcs.Build.Ecs.ServiceMoveLog.ParameterName(environment);
        granted.AddRange(new[] { "ssm:GetParameter", "ssm:PutParameter" }.Select(a => (a, Arn("ssm", "parameter" + serviceMoves))));

        var refused = granted.Where(g => !policy.GrantsDirectlyOn(g.Action, g.Arn)).Select(g => $"{g.Action} on {g.Arn}").ToList();
        Assert.True(refused.Count == 0, $"{DeployerPolicy.File} does not grant:\n{string.Join("\n", refused)}");

        // Another environment's resources stay out of reach.
        var other = granted.Select(g => (g.Action, Arn: g.Arn.Replace($"{environment}-", "staging-", StringComparison.Ordinal).Replace($"/{environment}/", "/staging/", StringComparison.Ordinal)))
            .Where(g => g.Arn.Contains("staging", StringComparison.Ordinal))
            .ToList();
        Assert.True(other.Count > 10, $"only {other.Count} resources carry the environment's name");
        var reachable = other.Where(g => policy.GrantsDirectlyOn(g.Action, g.Arn)).Select(g => $"{g.Action} on {g.Arn}").ToList();
        Assert.True(reachable.Count == 0, $"{DeployerPolicy.File} grants another environment's resources:\n{string.Join("\n", reachable)}");
    }

    [SkippableFact]
    public void The_envsubst_command_the_docs_give_renders_the_policy_with_every_placeholder_filled()
    {
        Requires.Envsubst();
        var command = Regex.Match(File.ReadAllText(Repository.Path("docs", "deployer-permissions.md")), @"envsubst '([^']+)'");
        Assert.True(command.Success, "docs/deployer-permissions.md gives no envsubst command");
        var names = command.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => n.TrimStart('$')).Order();
        Assert.Equal(DeployerPolicy.SampleValues.Keys.Order(), names);

        var start = new System.Diagnostics.ProcessStartInfo("envsubst") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(command.Groups[1].Value);
        foreach (var (name, value) in DeployerPolicy.SampleValues)
        {
            start.Environment[name] = value;
        }

        using var envsubst = System.Diagnostics.Process.Start(start)!;
        envsubst.StandardInput.Write(File.ReadAllText(Repository.Path("iam", "deployer-policy.json")));
        envsubst.StandardInput.Close();
        var rendered = envsubst.StandardOutput.ReadToEnd();
        Assert.True(envsubst.WaitForExit(30_000) && envsubst.ExitCode == 0, "envsubst failed");

        Assert.DoesNotContain("${", rendered, StringComparison.Ordinal);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(DeployerPolicy.Load().Rendered, System.Text.Json.Nodes.JsonNode.Parse(rendered)), rendered);
    }

    [GeneratedRegex(@"(?:CallAsync|GetAsync)\(\s*""(\w+)""")]
    private static partial Regex OperationLiteral();

    [GeneratedRegex(@"Type:\s*['""]?AWS::([A-Za-z0-9]+)::")]
    private static partial Regex ResourceType();
}
