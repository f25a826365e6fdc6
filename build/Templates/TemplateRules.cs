using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Templates;

/// <summary>A security rule a template breaks: where, and what is wrong.</summary>
public sealed record RuleFinding(string Template, string Resource, string Problem)
{
    public override string ToString() => $"{Template}: {Resource}: {Problem}";
}

/// <summary>
/// The project's security rules over the parsed templates (intrinsic functions kept as tags, not resolved):
/// the Jenkins home is retained, encrypted and backed up; only the public load balancer is open to the world,
/// and only on 80 and 443; the master's ECS permissions are scoped; the public side is HTTPS with a current
/// TLS policy and HTTP redirects to it.
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
                        foreach (var rule in Sequence(Path(resource, "Properties", "SecurityGroupIngress")))
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
                }
            }
        }

        return findings;
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

    private static void CheckIngress(string template, string id, YamlNode rule, bool isPublicLoadBalancer, List<RuleFinding> findings)
    {
        var world = Scalar(Path(rule, "CidrIp")) == "0.0.0.0/0" || Scalar(Path(rule, "CidrIpv6")) == "::/0";
        if (!world)
        {
            return;
        }

        var from = Scalar(Path(rule, "FromPort"));
        var to = Scalar(Path(rule, "ToPort"));
        if (!isPublicLoadBalancer)
        {
            findings.Add(new(template, id, $"open to the world on {from}-{to}; only the public load balancer may be, everything else names its source group"));
        }
        else if (from != to || from is not ("80" or "443"))
        {
            findings.Add(new(template, id, $"the public load balancer is open to the world on {from}-{to}; only 80 and 443 are allowed"));
        }
    }

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

    private static IEnumerable<(string Id, string Type, YamlMappingNode Resource)> Resources(YamlMappingNode root)
        => (Path(root, "Resources") as YamlMappingNode)?.Children
            .Where(r => r.Value is YamlMappingNode)
            .Select(r => (Scalar(r.Key)!, Scalar(Path(r.Value, "Type")) ?? "?", (YamlMappingNode)r.Value)) ?? [];

    private static YamlNode? Path(YamlNode? node, params string[] keys)
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

    private static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;

    private static IEnumerable<YamlNode> Sequence(YamlNode? node) => (node as YamlSequenceNode)?.Children ?? [];

    private static List<string> Strings(YamlNode? node)
        => node switch
        {
            YamlScalarNode scalar when scalar.Tag.IsEmpty => [scalar.Value!],
            YamlSequenceNode sequence => sequence.Children.OfType<YamlScalarNode>().Where(s => s.Tag.IsEmpty).Select(s => s.Value!).ToList(),
            _ => [],
        };
}
