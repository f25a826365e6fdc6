using System.Numerics;
using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// A Jenkins version number, ordered as core and jenkins-plugin-cli order them: hudson.util.VersionNumber of
/// jenkinsci/lib-version-number 1.14 (src/main/java/hudson/util/VersionNumber.java), Maven's ComparableVersion with
/// wildcards. So 1.2 &lt; 1.2-1 &lt; 1.2.1, 1.0 = 1, 1.0-SNAPSHOT &lt; 1.0, 2.356.3 = 2.356.*, and
/// 608.v67378e9d3db_1 &gt; 600.vb_57cdd26fdd7. tools/contracts/plugincore.py holds the same port.
/// </summary>
public sealed partial class JenkinsVersion : IComparable<JenkinsVersion>
{
    private static readonly string[] Qualifiers = ["snapshot", "alpha", "beta", "milestone", "rc", "", "sp"];
    private static readonly string ReleaseIndex = Array.IndexOf(Qualifiers, "").ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly ListItem items = new();
    private readonly string? snapshot;

    public JenkinsVersion(string text)
    {
        Text = text;
        var version = text;
        var match = Snapshot().Match(version);
        if (match.Success)
        {
            snapshot = match.Groups[1].Value;
            version = version[..match.Groups[1].Index] + "-SNAPSHOT";
        }

        version = version.ToLowerInvariant();
        var list = items;
        var stack = new Stack<ListItem>();
        stack.Push(list);
        var isDigit = false;
        var start = 0;
        for (var i = 0; i < version.Length; i++)
        {
            var c = version[i];
            if (c == '.')
            {
                list.Add(i == start ? new IntegerItem(BigInteger.Zero) : ParseItem(isDigit, version[start..i]));
                start = i + 1;
            }
            else if (c == '-')
            {
                list.Add(i == start ? new IntegerItem(BigInteger.Zero) : ParseItem(isDigit, version[start..i]));
                start = i + 1;
                if (isDigit)
                {
                    list.Normalize();
                    if (i + 1 < version.Length && char.IsAsciiDigit(version[i + 1]))
                    {
                        var nested = new ListItem();
                        list.Add(nested);
                        list = nested;
                        stack.Push(list);
                    }
                }
            }
            else if (c == '*')
            {
                list.Add(new WildcardItem());
                start = i + 1;
            }
            else if (char.IsAsciiDigit(c))
            {
                if (!isDigit && i > start)
                {
                    list.Add(new StringItem(version[start..i], followedByDigit: true));
                    start = i;
                }

                isDigit = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (i > start)
                {
                    list.Add(isDigit ? ParseItem(true, version[start..i]) : new StringItem(version[start..i], followedByDigit: true));
                    start = i;
                }

                isDigit = false;
            }
            else
            {
                if (isDigit && i > start)
                {
                    list.Add(ParseItem(true, version[start..i]));
                    start = i;
                }

                isDigit = false;
            }
        }

        if (version.Length > start)
        {
            list.Add(ParseItem(isDigit, version[start..]));
        }

        while (stack.Count > 0)
        {
            stack.Pop().Normalize();
        }
    }

    public string Text { get; }

    public int CompareTo(JenkinsVersion? other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = items.CompareTo(other.items);
        if (result != 0)
        {
            return result;
        }

        // Two snapshots of one version are not told apart here (core compares timestamped ones; none are pinned).
        return snapshot is null ? (other.snapshot is null ? 0 : -1) : (other.snapshot is null ? 1 : 0);
    }

    public bool IsOlderThan(JenkinsVersion other) => CompareTo(other) < 0;

    public override string ToString() => Text;

    private static Item ParseItem(bool isDigit, string text) => isDigit ? new IntegerItem(BigInteger.Parse(text, System.Globalization.CultureInfo.InvariantCulture)) : new StringItem(text, followedByDigit: false);

    private static string Comparable(string qualifier)
    {
        var i = Array.IndexOf(Qualifiers, qualifier);
        return i == -1 ? $"{Qualifiers.Length}-{qualifier}" : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    // Java's String.compareTo orders by UTF-16 code unit, as CompareOrdinal does; only the sign matters to callers.
    private static int Sign(int value) => Math.Sign(value);

    private abstract class Item
    {
        public abstract bool IsNull { get; }

        public abstract int CompareTo(Item? other);
    }

    private sealed class WildcardItem : Item
    {
        public override bool IsNull => false;

        public override int CompareTo(Item? other) => other is WildcardItem ? 0 : 1;
    }

    private sealed class IntegerItem(BigInteger value) : Item
    {
        public BigInteger Value { get; } = value;

        public override bool IsNull => Value.IsZero;

        public override int CompareTo(Item? other) => other switch
        {
            null => Value.IsZero ? 0 : 1,
            IntegerItem i => Value.CompareTo(i.Value),
            WildcardItem => 0,
            _ => 1,
        };
    }

    private sealed class StringItem : Item
    {
        public StringItem(string value, bool followedByDigit)
        {
            if (followedByDigit && value.Length == 1)
            {
                value = value[0] switch { 'a' => "alpha", 'b' => "beta", 'm' => "milestone", _ => value };
            }

            Value = value switch { "ga" or "final" => "", "cr" or "ea" => "rc", _ => value };
        }

        public string Value { get; }

        public override bool IsNull => Comparable(Value) == ReleaseIndex;

        public override int CompareTo(Item? other) => other switch
        {
            null => Sign(string.CompareOrdinal(Comparable(Value), ReleaseIndex)),
            StringItem s => Sign(string.CompareOrdinal(Comparable(Value), Comparable(s.Value))),
            _ => -1,
        };
    }

    private sealed class ListItem : Item
    {
        private readonly List<Item> entries = [];

        public override bool IsNull => entries.Count == 0;

        public void Add(Item item) => entries.Add(item);

        public void Normalize()
        {
            while (entries.Count > 0 && entries[^1].IsNull)
            {
                entries.RemoveAt(entries.Count - 1);
            }
        }

        public override int CompareTo(Item? other)
        {
            switch (other)
            {
                case null:
                    return entries.Count == 0 ? 0 : entries[0].CompareTo(null);
                case IntegerItem:
                    return -1;
                case StringItem:
                    return 1;
                case WildcardItem:
                    return -1;
            }

            var right = ((ListItem)other).entries;
            for (var i = 0; i < Math.Max(entries.Count, right.Count); i++)
            {
                var l = i < entries.Count ? entries[i] : null;
                var r = i < right.Count ? right[i] : null;
                var result = l is null ? (r is null ? 0 : -1 * r.CompareTo(null)) : l.CompareTo(r);
                if (result != 0)
                {
                    return result;
                }
            }

            return 0;
        }
    }

    [GeneratedRegex(@"^.*((?:-\d{8}\.\d{6}-\d+)|-SNAPSHOT)( \(.*\))?$")]
    private static partial Regex Snapshot();
}
