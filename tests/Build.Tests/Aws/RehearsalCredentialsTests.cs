using Cake.Core;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Aws;

/// <summary>The local rehearsal's credentials go to the AWS session; the process environment is not written.</summary>
public sealed class RehearsalCredentialsTests
{
    private static BuildSettings Local(Func<string, string?> environment)
        => new BuildSettingsReader(new CakeArguments(new[] { ("environment", "local") }.ToLookup(a => a.Item1, a => a.Item2)), environment).Read(Repository.Root);

    [Fact]
    public void A_rehearsal_with_no_credentials_set_gets_fixed_ones_for_its_session()
    {
        var credentials = RunOptions.RehearsalCredentials(Local(_ => null), _ => null);

        Assert.NotNull(credentials);
        Assert.Equal("local-rehearsal", credentials.GetCredentials().AccessKey);
    }

    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID")]
    [InlineData("AWS_PROFILE")]
    public void Credentials_the_user_set_win(string variable)
        => Assert.Null(RunOptions.RehearsalCredentials(Local(_ => null), name => name == variable ? "set" : null));
}
