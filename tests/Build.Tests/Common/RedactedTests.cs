using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Tests.Common;

public sealed class RedactedTests
{
    [Theory]
    [InlineData("secret=hunter2; next", "secret=***; next")]
    [InlineData("db_password: hunter2", "db_password: ***")]
    [InlineData("""{ "SecretAccessKey": "wJalr/K7MDENG", "AccessKeyId": "AKID" }""", """{ "SecretAccessKey": ***, "AccessKeyId": *** }""")]
    [InlineData("vault-login --token s.abc123 --role ci", "vault-login --token *** --role ci")]
    [InlineData("tool --api-key=abc --region eu-west-1", "tool --api-key=*** --region eu-west-1")]
    [InlineData("token expired for user dev", "token expired for user dev")]
    [InlineData("tool --password --verbose", "tool --password --verbose")]
    public void Values_of_secret_looking_names_are_replaced_and_other_words_kept(string text, string expected)
        => Assert.Equal(expected, Redacted.InText(text));

    [Fact]
    public void A_redacted_value_prints_as_stars()
        => Assert.Equal("***", new Redacted("hunter2").ToString());
}
