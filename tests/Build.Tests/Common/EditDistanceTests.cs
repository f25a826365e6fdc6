using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Tests.Common;

public sealed class EditDistanceTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("eu-west-1", "eu-west-1", 0)]
    [InlineData("eu-wset-1", "eu-west-1", 2)]
    [InlineData("flaw", "lawn", 2)]
    public void Counts_insertions_deletions_and_substitutions(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Between(a, b));
        Assert.Equal(expected, EditDistance.Between(b, a));
    }

    [Fact]
    public void Nearest_lists_the_candidates_within_the_distance_nearest_first_and_ties_in_their_order()
    {
        var near = EditDistance.Nearest("eu-west-3", ["eu-wset-3", "us-west-2", "eu-west-2", "eu-west-1", "eu-west-3x", "ap-south-1"], 2);

        Assert.Equal(["eu-west-2", "eu-west-1", "eu-west-3x", "eu-wset-3"], near);
    }

    [Fact]
    public void Nearest_ignores_case_only_when_asked_and_answers_the_candidate_as_written()
    {
        Assert.Empty(EditDistance.Nearest("IMAGEPREFIX", ["imagePrefix"], 3));
        Assert.Equal(["imagePrefix"], EditDistance.Nearest("IMAGEPREFIX", ["imagePrefix"], 3, ignoreCase: true));
    }

    [Fact]
    public void Nearest_is_empty_when_nothing_is_close()
    {
        Assert.Empty(EditDistance.Nearest("zzzz", ["region", "parallelism"], 3));
    }
}
