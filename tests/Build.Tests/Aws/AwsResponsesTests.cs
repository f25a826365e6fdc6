using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Tests.Aws;

/// <summary>What an error quotes of an answer that is not the protocol's own (a proxy's HTML page, say).</summary>
public sealed class AwsResponsesTests
{
    [Fact]
    public void A_short_body_is_quoted_whole()
    {
        Assert.Equal("<html>Bad Gateway</html>", AwsResponses.Excerpt("<html>Bad Gateway</html>"));
        Assert.Equal(new string('x', AwsResponses.ExcerptLength), AwsResponses.Excerpt(new string('x', AwsResponses.ExcerptLength)));
    }

    [Fact]
    public void A_long_body_is_cut_after_the_excerpt_length_and_says_so()
    {
        var excerpt = AwsResponses.Excerpt(new string('a', 300) + new string('b', 700));

        Assert.Equal(new string('a', 300) + "…", excerpt);
    }
}
