using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>A security rule a template breaks: where, and what is wrong.</summary>
public sealed record RuleFinding(string Template, string Resource, string Problem)
{
    public override string ToString() => $"{Template}: {Resource}: {Problem}";
}

/// <summary>
/// The project's security rules over the parsed templates (intrinsic functions kept as tags, not resolved):
/// the Jenkins home is retained, encrypted and backed up; only the public load balancer is open to the world,
/// only on 80 and 443, and only to the ranges of its allowlist parameter; the master's ECS permissions are
/// scoped; the public side is HTTPS with a current TLS policy and HTTP redirects to it; every S3 bucket is
/// encrypted and not public; the master's instances are never Spot.
/// </summary>
public static class TemplateRules
{
    /// <summary>ECS actions that accept no resource-level permission: "*" is the only resource AWS allows.</summary>
    public static readonly IReadOnlySet<string> EcsActionsWithoutResources = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:ListClusters", "ecs:ListTaskDefinitions",
        "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitionFamilies", "ecs:CreateCluster", "ecs:DiscoverPollEndpoint",
    };

    private static readonly string[] ClusterScopedActions = ["ecs:RunTask", "ecs:StopTask", "ecs:DescribeTasks"];

    /// <summary>The parameter the public load balancer's allowed ranges come from (security-groups.yaml).</summary>
    public const string PublicAllowlistParameter = "PublicAllowedCidrs";

    public static IReadOnlyList<RuleFinding> Check(IReadOnlyList<(string Name, YamlMappingNode Root)> templates)
    {
        var findings = new List<RuleFinding>();
        var publicGroups = PublicLoadBalancerGroups(templates);
        foreach (var (name, root) in templates)
        {
            foreach (var (id, type, resource) in Resources(root))
            {
                switch (type)
                {
                    case "AWS::EFS::FileSystem":
                        CheckFileSystem(name, id, resource, findings);
                        break;
                    case "AWS::EC2::SecurityGroup":
                        foreach (var rule in Sequence(Path(resource, "Properties", "SecurityGroupIngress")).SelectMany(Branches))
                        {
                            CheckIngress(name, id, rule, publicGroups.Contains((name, id)), findings);
                        }

                        break;
                    case "AWS::EC2::SecurityGroupIngress":
                        var group = Path(resource, "Properties", "GroupId") is YamlScalarNode { Tag.Value: "!Ref" or "!GetAtt" } reference ? reference.Value!.Split('.')[0] : "?";
                        CheckIngress(name, id, (YamlMappingNode)Path(resource, "Properties")!, publicGroups.Contains((name, group)), findings);
                        break;
                    case "AWS::IAM::Role":
                        foreach (var policy in Sequence(Path(resource, "Properties", "Policies")))
                        {
                            CheckPolicy(name, id, Path(policy, "PolicyDocument"), findings);
                        }

                        break;
                    case "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy":
                        CheckPolicy(name, id, Path(resource, "Properties", "PolicyDocument"), findings);
                        break;
                    case "AWS::ElasticLoadBalancingV2::LoadBalancer" when Scalar(Path(resource, "Properties", "Scheme")) == "internet-facing":
                        CheckPublicListeners(name, id, root, findings);
                        break;
                    case "AWS::S3::Bucket":
                        CheckBucket(name, id, resource, findings);
                        break;
                    case "AWS::ECS::Cluster" when IsMasterCluster(id, resource):
                        CheckMasterCapacity(name, id, root, findings);
                        break;
                }
            }
        }

        return findings;
    }

    /// <summary>Encrypted at rest (SSE-S3 or KMS) and every public access blocked.</summary>
    private static void CheckBucket(string template, string id, YamlMappingNode resource, List<RuleFinding> findings)
    {
        var encryption = Sequence(Path(resource, "Properties", "BucketEncryption", "ServerSideEncryptionConfiguration"))
            .Select(rule => Scalar(Path(rule, "ServerSideEncryptionByDefault", "SSEAlgorithm")))
            .FirstOrDefault(algorithm => algorithm is "AES256" or "aws:kms" or "aws:kms:dsse");
        if (encryption is null)
        {
            findings.Add(new(template, id, "the bucket must be encrypted at rest (BucketEncryption with SSEAlgorithm AES256 or aws:kms)"));
        }

        var block = Path(resource, "Properties", "PublicAccessBlockConfiguration");
        var open = new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" }.Where(key => Scalar(Path(block, key)) != "true").ToList();
        if (open.Count > 0)
        {
            findings.Add(new(template, id, $"the bucket must not be public: PublicAccessBlockConfiguration {string.Join(", ", open)} true"));
        }
    }

    private static bool IsMasterCluster(string id, YamlMappingNode resource)
        => id.Contains("Master", StringComparison.Ordinal) || Scalar(Path(resource, "Properties", "ClusterName"))?.EndsWith("-jenkins-master", StringComparison.Ordinal) == true;

    /// <summary>
    /// The master's cluster, through its capacity providers, to its auto scaling groups: none may launch Spot
    /// instances (a mixed instances policy, or Spot market options in its launch template). A reclaimed master
    /// takes Jenkins down mid-build.
    /// </summary>
    private static void CheckMasterCapacity(string template, string cluster, YamlMappingNode root, List<RuleFinding> findings)
    {
        var resources = Resources(root).ToDictionary(r => r.Id, r => r.Resource);
        var providers = Resources(root)
            .Where(r => r.Type == "AWS::ECS::ClusterCapacityProviderAssociations" && Reference(Path(r.Resource, "Properties", "Cluster")) == cluster)
            .SelectMany(r => Sequence(Path(r.Resource, "Properties", "CapacityProviders")).Select(Reference))
            .OfType<string>();
        foreach (var provider in providers)
        {
            var group = Reference(Path(resources.GetValueOrDefault(provider), "Properties", "AutoScalingGroupProvider", "AutoScalingGroupArn"));
            if (group is null || resources.GetValueOrDefault(group) is not { } autoScalingGroup)
            {
                continue;
            }

            if (Path(autoScalingGroup, "Properties", "MixedInstancesPolicy") is not null)
            {
                findings.Add(new(template, group, $"the master's auto scaling group ({cluster}) must not have a MixedInstancesPolicy: the master never runs on Spot"));
            }

            var launchTemplate = Reference(Path(autoScalingGroup, "Properties", "LaunchTemplate", "LaunchTemplateId"));
            if (launchTemplate is not null && Path(resources.GetValueOrDefault(launchTemplate), "Properties", "LaunchTemplateData", "InstanceMarketOptions") is not null)
            {
                findings.Add(new(template, launchTemplate, $"the master's launch template must not set InstanceMarketOptions: the master never runs on Spot"));
            }
        }
    }

    private static void CheckFileSystem(string template, string id, YamlMappingNode resource, List<RuleFinding> findings)
    {
        if (Scalar(Path(resource, "DeletionPolicy")) != "Retain" || Scalar(Path(resource, "UpdateReplacePolicy")) != "Retain")
        {
            findings.Add(new(template, id, "the Jenkins home must survive stack deletion and replacement: DeletionPolicy and UpdateReplacePolicy Retain"));
        }

        if (Scalar(Path(resource, "Properties", "Encrypted")) != "true")
        {
            findings.Add(new(template, id, "the file system must be encrypted at rest (Encrypted: true)"));
        }

        if (Scalar(Path(resource, "Properties", "BackupPolicy", "Status")) != "ENABLED")
        {
            findings.Add(new(template, id, "automatic backups must be on (BackupPolicy Status ENABLED)"));
        }
    }

    /// <summary>
    /// Only the public load balancer may take traffic from address ranges rather than named groups, only on 80
    /// and 443, and only from its allowlist parameter: a literal range there (0.0.0.0/0 or any other) would
    /// bypass PublicAllowedCidrs.
    /// </summary>
    private static void CheckIngress(string template, string id, YamlNode rule, bool isPublicLoadBalancer, List<RuleFinding> findings)
    {
        var from = Scalar(Path(rule, "FromPort"));
        var to = Scalar(Path(rule, "ToPort"));
        var ranges = new[] { Path(rule, "CidrIp"), Path(rule, "CidrIpv6") }.OfType<YamlNode>().ToList();
        if (isPublicLoadBalancer)
        {
            if (ranges.Count > 0 && (from != to || from is not ("80" or "443")))
            {
                findings.Add(new(template, id, $"the public load balancer accepts {from}-{to}; only 80 and 443 are allowed"));
            }

            foreach (var range in ranges.Where(r => !Mentions(r, PublicAllowlistParameter) || LiteralRanges(r).Any()))
            {
                findings.Add(new(template, id, $"the public load balancer's source {Scalar(range) ?? "(an expression)"} on {from}-{to} does not come from the parameter {PublicAllowlistParameter}: take every range from it"));
            }

            return;
        }

        if (Scalar(Path(rule, "CidrIp")) == "0.0.0.0/0" || Scalar(Path(rule, "CidrIpv6")) == "::/0")
        {
            findings.Add(new(template, id, $"open to the world on {from}-{to}; only the public load balancer may be, everything else names its source group"));
        }
    }

    /// <summary>Whether an expression refers to the parameter (a !Ref or a ${} of !Sub anywhere inside it).</summary>
    private static bool Mentions(YamlNode node, string parameter)
        => node switch
        {
            YamlScalarNode scalar when Tag(scalar) == "!Ref" => scalar.Value == parameter,
            YamlScalarNode scalar when Tag(scalar) == "!Sub" => scalar.Value!.Contains("${" + parameter + "}", StringComparison.Ordinal),
            YamlScalarNode => false,
            YamlSequenceNode sequence => sequence.Children.Any(c => Mentions(c, parameter)),
            YamlMappingNode mapping => mapping.Children.Any(c => Mentions(c.Key, parameter) || Mentions(c.Value, parameter)),
            _ => false,
        };

    /// <summary>Address ranges written out in an expression (0.0.0.0/0, 10.0.0.0/8, ::/0 ...).</summary>
    private static IEnumerable<string> LiteralRanges(YamlNode node)
        => node switch
        {
            YamlScalarNode scalar when Tag(scalar) is null && scalar.Value!.Contains('/') && scalar.Value.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':' or '/') => [scalar.Value],
            YamlSequenceNode sequence => sequence.Children.SelectMany(LiteralRanges),
            YamlMappingNode mapping => mapping.Children.Values.SelectMany(LiteralRanges),
            _ => [],
        };

    /// <summary>A list entry as it may come out: both branches of an !If (not AWS::NoValue), else the entry itself.</summary>
    internal static IEnumerable<YamlNode> Branches(YamlNode node)
        => node is YamlSequenceNode condition && Tag(condition) == "!If" && condition.Children.Count == 3
            ? condition.Children.Skip(1).Where(b => b is YamlMappingNode).SelectMany(Branches)
            : [node];

    /// <summary>The logical ID a !Ref or !GetAtt names, or null.</summary>
    internal static string? Reference(YamlNode? node)
        => node is YamlScalarNode reference && Tag(reference) is "!Ref" or "!GetAtt" ? ((YamlScalarNode)node).Value!.Split('.')[0] : null;

    /// <summary>A node's explicit tag (!Ref, !Sub ...), or null for plain and quoted scalars.</summary>
    internal static string? Tag(YamlNode node) => node.Tag.IsEmpty || node.Tag.IsNonSpecific ? null : node.Tag.Value;

    private static void CheckPolicy(string template, string id, YamlNode? document, List<RuleFinding> findings)
    {
        foreach (var statement in Sequence(Path(document, "Statement")))
        {
            if (Scalar(Path(statement, "Effect")) != "Allow")
            {
                continue;
            }

            var actions = Strings(Path(statement, "Action"));
            var anyResource = Strings(Path(statement, "Resource")).Contains("*");
            if (actions.Contains("*") || actions.Contains("ecs:*") || actions.Contains("iam:*"))
            {
                findings.Add(new(template, id, $"allows {string.Join(", ", actions)}: name the actions"));
            }

            if (anyResource)
            {
                foreach (var action in actions.Where(a => a.StartsWith("ecs:", StringComparison.OrdinalIgnoreCase) && !EcsActionsWithoutResources.Contains(a)))
                {
                    findings.Add(new(template, id, $"{action} on \"*\": it supports resource-level permissions, so name the resources"));
                }

                if (actions.Contains("iam:PassRole", StringComparer.OrdinalIgnoreCase))
                {
                    findings.Add(new(template, id, "iam:PassRole on \"*\": name the roles that may be passed"));
                }
            }

            foreach (var action in actions.Where(a => ClusterScopedActions.Contains(a, StringComparer.OrdinalIgnoreCase)))
            {
                if (Path(statement, "Condition", "ArnEquals", "ecs:cluster") is null)
                {
                    findings.Add(new(template, id, $"{action} without the condition ArnEquals ecs:cluster: scope it to the agents' cluster"));
                }
            }
        }
    }

    private static void CheckPublicListeners(string template, string loadBalancer, YamlMappingNode root, List<RuleFinding> findings)
    {
        var listeners = Resources(root)
            .Where(r => r.Type == "AWS::ElasticLoadBalancingV2::Listener" && Scalar(Path(r.Resource, "Properties", "LoadBalancerArn")) == loadBalancer)
            .ToList();
        var https = listeners.Where(l => Scalar(Path(l.Resource, "Properties", "Protocol")) == "HTTPS").ToList();
        if (https.Count == 0)
        {
            findings.Add(new(template, loadBalancer, "an internet-facing load balancer needs an HTTPS listener"));
        }

        foreach (var listener in https.Where(l => Scalar(Path(l.Resource, "Properties", "SslPolicy"))?.StartsWith("ELBSecurityPolicy-TLS13", StringComparison.Ordinal) != true))
        {
            findings.Add(new(template, listener.Id, "use a current TLS policy (ELBSecurityPolicy-TLS13-*)"));
        }

        foreach (var listener in listeners.Where(l => Scalar(Path(l.Resource, "Properties", "Protocol")) == "HTTP"))
        {
            var action = Sequence(Path(listener.Resource, "Properties", "DefaultActions")).FirstOrDefault();
            if (Scalar(Path(action, "Type")) != "redirect" || Scalar(Path(action, "RedirectConfig", "Protocol")) != "HTTPS")
            {
                findings.Add(new(template, listener.Id, "plain HTTP on the public load balancer must redirect to HTTPS"));
            }
        }
    }

    /// <summary>
    /// The security groups of internet-facing load balancers, followed across stacks by name: the load balancer's
    /// group is a parameter, which an earlier stack's output of the same name gives from its resource.
    /// </summary>
    private static HashSet<(string Template, string Resource)> PublicLoadBalancerGroups(IReadOnlyList<(string Name, YamlMappingNode Root)> templates)
    {
        var outputs = templates
            .SelectMany(t => (Path(t.Root, "Outputs") as YamlMappingNode)?.Children.Select(o => (Output: Scalar(o.Key)!, t.Name, Value: Path(o.Value, "Value"))) ?? [])
            .ToList();
        var groups = new HashSet<(string, string)>();
        foreach (var (name, root) in templates)
        {
            foreach (var (_, _, resource) in Resources(root).Where(r => r.Type == "AWS::ElasticLoadBalancingV2::LoadBalancer" && Scalar(Path(r.Resource, "Properties", "Scheme")) == "internet-facing"))
            {
                foreach (var group in Sequence(Path(resource, "Properties", "SecurityGroups")).OfType<YamlScalarNode>())
                {
                    var output = outputs.FirstOrDefault(o => o.Output == group.Value);
                    if (output.Value is YamlScalarNode { Tag.Value: "!Ref" or "!GetAtt" } source)
                    {
                        groups.Add((output.Name, source.Value!.Split('.')[0]));
                    }
                    else
                    {
                        groups.Add((name, group.Value!));
                    }
                }
            }
        }

        return groups;
    }

    internal static IEnumerable<(string Id, string Type, YamlMappingNode Resource)> Resources(YamlMappingNode root)
        => (Path(root, "Resources") as YamlMappingNode)?.Children
            .Where(r => r.Value is YamlMappingNode)
            .Select(r => (Scalar(r.Key)!, Scalar(Path(r.Value, "Type")) ?? "?", (YamlMappingNode)r.Value)) ?? [];

    internal static YamlNode? Path(YamlNode? node, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    internal static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;

    internal static IEnumerable<YamlNode> Sequence(YamlNode? node) => (node as YamlSequenceNode)?.Children ?? [];

    private static List<string> Strings(YamlNode? node)
        => node switch
        {
            YamlScalarNode scalar when scalar.Tag.IsEmpty => [scalar.Value!],
            YamlSequenceNode sequence => sequence.Children.OfType<YamlScalarNode>().Where(s => s.Tag.IsEmpty).Select(s => s.Value!).ToList(),
            _ => [],
        };
}
