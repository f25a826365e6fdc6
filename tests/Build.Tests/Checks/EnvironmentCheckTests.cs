using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Checks;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Checks;

/// <summary>
/// CheckEnvironment's checks against moto_server, which holds what a user makes by hand before the first deploy
/// (<see cref="MotoAccount"/>): each check once passing and once failing with its fix. moto's gaps, where they matter:
/// it enforces no IAM (so "the master may read the secret" is checked against our template, as the build does
/// anyway), an Amazon-issued certificate stays PENDING_VALIDATION (moto makes it ISSUED after
/// MOTO_ACM_VALIDATION_WAIT seconds, 60 by default; real ACM once its DNS records answer) and an imported one is
/// ISSUED at once (as in ACM).
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class EnvironmentCheckTests(MotoServer moto, StandInImages standIns) : IClassFixture<MotoServer>, IClassFixture<StandInImages>
{
    private const string EnvironmentFile = "environments/check.json";

    [SkippableFact]
    public async Task Hosted_zone_given_passes_when_it_is_the_accounts_public_zone_that_serves_the_name()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var parent = Unique("zone");
        var zone = await account.CreateHostedZoneAsync(parent);

        var line = await CheckAsync(account, EnvironmentCheck.HostedZone, new() { ["DomainName"] = "jenkins." + parent, ["HostedZoneId"] = zone });

        Assert.True(line.Passed, line.ToString());
        Assert.Contains($"{zone} ({parent}) is this account's public zone that serves jenkins.{parent}", line.Text);
    }

    [SkippableFact]
    public async Task Hosted_zone_that_the_account_does_not_have_fails_naming_the_zone_that_serves_the_name()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var parent = Unique("missing");
        var serving = await account.CreateHostedZoneAsync(parent);

        var line = await CheckAsync(account, EnvironmentCheck.HostedZone, new() { ["DomainName"] = "jenkins." + parent, ["HostedZoneId"] = "ZNOSUCHZONE000" });

        Assert.False(line.Passed);
        Assert.Contains("HostedZoneId ZNOSUCHZONE000 is no hosted zone of this account", line.Text);
        Assert.Contains($"Fix: set HostedZoneId under \"parameters\" in {EnvironmentFile} to {serving}", line.Text);
    }

    [SkippableFact]
    public async Task Hosted_zone_that_is_not_the_longest_suffix_fails_naming_the_more_specific_zone()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var parent = Unique("suffix");
        var outer = await account.CreateHostedZoneAsync(parent);
        var inner = await account.CreateHostedZoneAsync("ci." + parent);

        var line = await CheckAsync(account, EnvironmentCheck.HostedZone, new() { ["DomainName"] = "jenkins.ci." + parent, ["HostedZoneId"] = outer });

        Assert.False(line.Passed);
        Assert.Contains($"the account's more specific public zone ci.{parent} ({inner}) does", line.Text);
        Assert.Contains($"to {inner}", line.Text);
    }

    [SkippableFact]
    public async Task Certificate_given_passes_when_issued_and_covering_the_name_through_a_wildcard()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var parent = Unique("cert");
        var arn = await account.ImportCertificateAsync(parent, "*." + parent, "*.jenkins." + parent);

        var line = await CheckAsync(account, EnvironmentCheck.Certificate, new() { ["DomainName"] = "jenkins." + parent, ["CertificateArn"] = arn });

        Assert.True(line.Passed, line.ToString());
        Assert.Contains($"is ISSUED and covers jenkins.{parent} (as *.{parent}) and internal.jenkins.{parent} (as *.jenkins.{parent})", line.Text);
    }

    // The internal load balancer serves internal.<DomainName> with the same certificate; NGINX verifies that name.
    [SkippableFact]
    public async Task Certificate_that_covers_the_public_name_but_not_the_internal_one_fails_naming_it()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var parent = Unique("internal");
        var arn = await account.ImportCertificateAsync("jenkins." + parent);

        var line = await CheckAsync(account, EnvironmentCheck.Certificate, new() { ["DomainName"] = "jenkins." + parent, ["CertificateArn"] = arn });

        Assert.False(line.Passed);
        Assert.Contains($"is for jenkins.{parent}, which does not cover internal.jenkins.{parent}", line.Text);
        Assert.Contains($"that also covers internal.jenkins.{parent}", line.Text);
    }

    [SkippableFact]
    public async Task Certificate_pending_validation_fails_with_its_status_and_the_fix()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var domain = "jenkins." + Unique("pending");
        var arn = await account.RequestCertificateAsync(domain);

        var line = await CheckAsync(account, EnvironmentCheck.Certificate, new() { ["DomainName"] = domain, ["CertificateArn"] = arn });

        Assert.False(line.Passed);
        Assert.Contains("is PENDING_VALIDATION, not ISSUED", line.Text);
        Assert.Contains($"Fix: set CertificateArn under \"parameters\" in {EnvironmentFile} to an ISSUED ACM certificate for {domain} in eu-west-1", line.Text);
    }

    [SkippableFact]
    public async Task Certificate_for_other_names_fails_saying_which_names_it_covers()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var parent = Unique("other");
        var arn = await account.ImportCertificateAsync("*.deep.jenkins." + parent);

        var line = await CheckAsync(account, EnvironmentCheck.Certificate, new() { ["DomainName"] = "jenkins." + parent, ["CertificateArn"] = arn });

        Assert.False(line.Passed);
        Assert.Contains($"is for *.deep.jenkins.{parent}, which does not cover jenkins.{parent}", line.Text);
    }

    [SkippableFact]
    public async Task Without_a_certificate_a_private_zone_fails_as_no_place_for_dns_validation()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var parent = Unique("private");
        var vpc = await account.CreateVpcAsync();
        var zone = await account.CreateHostedZoneAsync(parent, privateVpcId: vpc);

        var line = await CheckAsync(account, EnvironmentCheck.Certificate, new() { ["DomainName"] = "jenkins." + parent, ["HostedZoneId"] = zone });

        Assert.False(line.Passed);
        Assert.Contains("validated by DNS, which needs a public zone this account controls", line.Text);
        Assert.Contains("is a private zone", line.Text);
        Assert.Contains("Fix:", line.Text);
    }

    [SkippableFact]
    public async Task Admin_secret_passes_by_its_full_arn_and_the_master_may_read_it()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var arn = await account.CreateSecretAsync(Unique("secret"));

        var lines = await RunAsync(account, new() { ["DomainName"] = "jenkins." + Unique("s"), ["AdminPasswordSecretArn"] = arn });

        var exists = lines.Single(l => l.Check == EnvironmentCheck.AdminSecret);
        var access = lines.Single(l => l.Check == EnvironmentCheck.SecretAccess);
        Assert.True(exists.Passed, exists.ToString());
        Assert.True(access.Passed, access.ToString());
        Assert.Contains("cfn/jenkins.yaml's MasterExecutionRole is granted secretsmanager:GetSecretValue on " + arn, access.Text);
    }

    [SkippableFact]
    public async Task Admin_secret_that_is_missing_or_named_by_a_partial_arn_fails_with_the_fix()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var name = Unique("partial");
        var full = await account.CreateSecretAsync(name);
        var partial = $"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}";

        var missing = await CheckAsync(account, EnvironmentCheck.AdminSecret, new() { ["AdminPasswordSecretArn"] = partial + "-nosuch" });
        var byPartial = await CheckAsync(account, EnvironmentCheck.AdminSecret, new() { ["AdminPasswordSecretArn"] = partial });

        Assert.False(missing.Passed);
        Assert.Contains($"Secrets Manager has no secret {partial}-nosuch in eu-west-1. Fix: create it", missing.Text);
        Assert.False(byPartial.Passed);
        Assert.Contains($"is not the secret's full ARN {full}", byPartial.Text);
        Assert.Contains($"Fix: set AdminPasswordSecretArn under \"parameters\" in {EnvironmentFile} to {full}", byPartial.Text);
    }

    [SkippableFact]
    public async Task A_secret_under_a_customer_managed_key_the_role_may_not_decrypt_fails_with_the_fix()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        const string key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        var arn = await account.CreateSecretAsync(Unique("kms"), kmsKeyId: key);

        var line = await CheckAsync(account, EnvironmentCheck.SecretAccess, new() { ["AdminPasswordSecretArn"] = arn });

        Assert.False(line.Passed);
        Assert.Contains($"encrypted with the customer-managed KMS key {key}, and cfn/jenkins.yaml's MasterExecutionRole is granted no kms:Decrypt on it", line.Text);
        Assert.Contains("Fix: re-encrypt it with the AWS-managed key", line.Text);
    }

    [Fact]
    public void The_master_execution_role_is_found_through_the_task_definition_and_its_grant_follows_the_parameter()
    {
        using var repository = Repository.Copy();
        const string arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-Abcdef";
        var parameters = new Dictionary<string, string> { ["DomainName"] = "jenkins.example.com", ["AdminPasswordSecretArn"] = arn };

        var request = EnvironmentCheckRun.Request(new RunEnvironment("check", repository.Root), parameters, "eu-west-1", registry: null);
        Assert.True(request.MasterExecutionRole.Grants!.Allows("secretsmanager:GetSecretValue", arn));
        Assert.False(request.MasterExecutionRole.Grants.Allows("secretsmanager:GetSecretValue", arn + "x"));
        Assert.False(request.MasterExecutionRole.Grants.Allows("kms:Decrypt", "arn:aws:kms:eu-west-1:123456789012:key/k"));

        // Without the grant in the template, the check finds none (and says so before any AWS call about it).
        var template = repository.Path("cfn", "jenkins.yaml");
        File.WriteAllText(template, File.ReadAllText(template).Replace("                  - secretsmanager:GetSecretValue\n", string.Empty, StringComparison.Ordinal));
        var withoutGrant = EnvironmentCheckRun.Request(new RunEnvironment("check", repository.Root), parameters, "eu-west-1", registry: null);
        Assert.False(withoutGrant.MasterExecutionRole.Grants!.Allows("secretsmanager:GetSecretValue", arn));
    }

    [SkippableFact]
    public async Task Network_given_passes_when_the_vpc_and_subnets_exist_in_two_zones()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var vpc = await account.CreateVpcAsync();
        var public1 = await account.CreateSubnetAsync(vpc, "10.20.0.0/24", "eu-west-1a");
        var public2 = await account.CreateSubnetAsync(vpc, "10.20.1.0/24", "eu-west-1b");
        var private1 = await account.CreateSubnetAsync(vpc, "10.20.2.0/24", "eu-west-1a");
        var private2 = await account.CreateSubnetAsync(vpc, "10.20.3.0/24", "eu-west-1b");

        var line = await CheckAsync(account, EnvironmentCheck.Network, new() { ["VpcId"] = vpc, ["PublicSubnetIds"] = $"{public1},{public2}", ["PrivateSubnetIds"] = $"{private1},{private2}" });

        Assert.True(line.Passed, line.ToString());
        Assert.Contains($"{vpc} exists with its subnets: public in eu-west-1a, eu-west-1b, private in eu-west-1a, eu-west-1b", line.Text);
    }

    [SkippableFact]
    public async Task Network_with_subnets_in_one_zone_or_missing_fails_naming_each_problem_and_the_fix()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var vpc = await account.CreateVpcAsync();
        var public1 = await account.CreateSubnetAsync(vpc, "10.20.0.0/24", "eu-west-1a");
        var public2 = await account.CreateSubnetAsync(vpc, "10.20.1.0/24", "eu-west-1a");
        var private1 = await account.CreateSubnetAsync(vpc, "10.20.2.0/24", "eu-west-1a");
        var private2 = await account.CreateSubnetAsync(vpc, "10.20.3.0/24", "eu-west-1b");

        var oneZone = await CheckAsync(account, EnvironmentCheck.Network, new() { ["VpcId"] = vpc, ["PublicSubnetIds"] = $"{public1},{public2}", ["PrivateSubnetIds"] = $"{private1},{private2}" });
        var missing = await CheckAsync(account, EnvironmentCheck.Network, new() { ["VpcId"] = "vpc-0123456789abcdef0", ["PublicSubnetIds"] = $"subnet-0123456789abcdef0,{public1}", ["PrivateSubnetIds"] = $"{private1},{private2}" });

        Assert.False(oneZone.Passed);
        Assert.Contains("PublicSubnetIds span 1 Availability Zone(s) (eu-west-1a), not two", oneZone.Text);
        Assert.Contains($"Fix: set VpcId, PublicSubnetIds and PrivateSubnetIds under \"parameters\" in {EnvironmentFile}", oneZone.Text);
        Assert.False(missing.Passed);
        Assert.Contains("the VPC vpc-0123456789abcdef0 does not exist in eu-west-1", missing.Text);
        Assert.Contains("the subnet(s) subnet-0123456789abcdef0 do not exist", missing.Text);
        Assert.Contains($"{private1} is in {vpc}", missing.Text);
    }

    [SkippableFact]
    public async Task Ami_parameter_passes_for_the_public_one_and_fails_for_one_the_region_lacks()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();

        var present = await CheckAsync(account, EnvironmentCheck.AmiParameter, []);
        var absent = await CheckAsync(account, EnvironmentCheck.AmiParameter, new() { ["EcsAmiId"] = "/aws/service/ecs/optimized-ami/no-such-linux/recommended/image_id" });

        Assert.True(present.Passed, present.ToString());
        Assert.Matches(@"/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id \(the clusters stack's EcsAmiId\) is ami-", present.Text);
        Assert.False(absent.Passed);
        Assert.Contains("Stack 'clusters': parameter EcsAmiId names the SSM parameter /aws/service/ecs/optimized-ami/no-such-linux/recommended/image_id (set under \"parameters\" in environments/check.json), which does not exist in this account and region eu-west-1", absent.Text);
        Assert.Contains("Fix: AWS publishes the /aws/ parameters per region: use a region that has it", absent.Text);
    }

    [SkippableFact]
    public async Task Ecr_passes_when_it_answers_and_fails_naming_the_endpoint_when_it_does_not()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();
        var answering = await CheckAsync(account, EnvironmentCheck.Ecr, [], useEcr: true);

        var closed = $"http://127.0.0.1:{Ports.Free()}/";
        using var unreachable = AwsEnvironment.WithKeys("testing", "eu-west-1", new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = moto.Url, ["AWS_ENDPOINT_URL_ECR"] = closed, ["AWS_SECRET_ACCESS_KEY"] = "testing", ["AWS_MAX_ATTEMPTS"] = "1" });
        using var other = new MotoAccount();
        var failing = await CheckAsync(other, EnvironmentCheck.Ecr, [], useEcr: true);

        Assert.True(answering.Passed, answering.ToString());
        Assert.Contains("answers GetAuthorizationToken", answering.Text);
        Assert.False(failing.Passed);
        Assert.Contains($"cannot reach {closed}", failing.Text);
        Assert.Contains("AWS_ENDPOINT_URL_ECR", failing.Text);
    }

    [SkippableFact]
    public async Task Every_check_runs_and_one_error_lists_every_failure()
    {
        using var aws = moto.UseFor();
        using var account = new MotoAccount();

        var lines = await RunAsync(account, new() { ["DomainName"] = "jenkins." + Unique("all"), ["HostedZoneId"] = "ZNOSUCHZONE000", ["VpcId"] = "vpc-0123456789abcdef0", ["PublicSubnetIds"] = "subnet-0a,subnet-0b", ["PrivateSubnetIds"] = "subnet-0c,subnet-0d" });
        var error = Assert.Throws<BuildException>(() => EnvironmentCheck.ThrowOnFailures(lines));

        Assert.Equal(7, lines.Count);
        Assert.StartsWith("CheckEnvironment: 4 of 7 checks failed. No stack was touched.", error.Message);
        foreach (var check in new[] { EnvironmentCheck.HostedZone, EnvironmentCheck.Certificate, EnvironmentCheck.AdminSecret, EnvironmentCheck.Network })
        {
            Assert.Contains($"FAIL {check}: ", error.Message);
        }
    }

    [SkippableFact]
    public async Task A_deploy_whose_checks_fail_lists_every_failure_exits_non_zero_and_creates_no_stack()
    {
        Requires.PartsOfRun("Deploy");
        Requires.CfnLint();
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = "envfail" + Guid.NewGuid().ToString("N")[..6];
        File.WriteAllText(repository.Path("environments", environment + ".json"), $$"""
            { "region": "eu-west-1", "skipSmokeTest": true,
              "parameters": { "DomainName": "jenkins.{{environment}}.test", "HostedZoneId": "ZNOSUCHZONE000",
                              "AdminPasswordSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:{{environment}}-Abcdef" } }
            """);

        // The stand-in bases: a Deploy resolves its base images' digests at setup, and Docker Hub is out of reach here.
        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, ["--target=Deploy", $"--environment={environment}", .. standIns.Arguments()]);

        Assert.True(run.ExitCode == 1, run.Output);
        Assert.Equal(["ValidateTemplates", "CheckPlacement", "CheckEnvironment"], run.Executed);
        Assert.Contains("CheckEnvironment: 3 of 7 checks failed. No stack was touched", run.Output);
        Assert.Contains("FAIL hosted zone: HostedZoneId ZNOSUCHZONE000 is no hosted zone of this account", run.Output);
        Assert.Contains("FAIL certificate: CertificateArn is empty, so the stack requests one validated by DNS", run.Output);
        Assert.Contains($"FAIL admin password secret: Secrets Manager has no secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:{environment}-Abcdef", run.Output);
        Assert.Contains("ok   ECS-optimised AMI parameter:", run.Output);
        await Stacks.SsmParameterTests.AssertNoStackAsync(environment);
    }

    [Fact]
    public void Route53_goes_to_its_one_global_endpoint_signed_for_us_east_1_whatever_the_region()
    {
        var session = AwsSession.Create("eu-west-1", _ => null, credentials: new Amazon.Runtime.BasicAWSCredentials("a", "b"));
        using var route53 = new Route53Client(session);
        var config = session.Config(Route53Client.Service);

        Assert.Equal(new Uri("https://route53.amazonaws.com/"), route53.Endpoint);
        Assert.Equal("us-east-1", config.AuthenticationRegion);
        Assert.Equal("route53", config.AuthenticationServiceName);

        // A regional service keeps its region.
        using var acm = new AcmClient(session);
        Assert.Equal(new Uri("https://acm.eu-west-1.amazonaws.com/"), acm.Endpoint);
    }

    [Theory]
    [InlineData("*.example.com", "jenkins.example.com", true)]
    [InlineData("jenkins.example.com", "jenkins.example.com", true)]
    [InlineData("JENKINS.example.com.", "jenkins.example.com", true)]
    [InlineData("*.example.com", "a.jenkins.example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("example.com", "jenkins.example.com", false)]
    public void A_certificate_name_covers_the_domain_exactly_or_by_a_one_label_wildcard(string name, string domain, bool covers)
        => Assert.Equal(covers, EnvironmentCheck.Covers(name, domain));

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid().ToString("N")[..8]}.test";

    private static async Task<EnvironmentCheckLine> CheckAsync(MotoAccount account, string check, Dictionary<string, string> parameters, bool useEcr = false)
        => (await RunAsync(account, parameters, useEcr)).Single(l => l.Check == check);

    // The required parameters get harmless values where the test sets none.
    private static async Task<IReadOnlyList<EnvironmentCheckLine>> RunAsync(MotoAccount account, Dictionary<string, string> parameters, bool useEcr = false)
    {
        parameters.TryAdd("DomainName", "jenkins.example.test");
        parameters.TryAdd("AdminPasswordSecretArn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:unset-Abcdef");
        var request = EnvironmentCheckRun.Request(new RunEnvironment("check", Repository.Root), parameters, "eu-west-1", useEcr ? null : "127.0.0.1:5000");
        using var ssm = new SsmClient(account.Session);
        using var ecr = new EcrClient(account.Session);
        return await EnvironmentCheckRun.RunAsync(request, account.Session, () => ecr, ssm, default);
    }
}
