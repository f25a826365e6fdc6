using System.Text;
using Cake.Core;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>A Cake console that keeps what the build printed, standard output and error in one text, in order.</summary>
public sealed class CapturingConsole : IConsole
{
    private readonly StringBuilder _text = new();

    public ConsoleColor ForegroundColor { get; set; }

    public ConsoleColor BackgroundColor { get; set; }

    public bool SupportAnsiEscapeCodes => false;

    public string Output
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public void Write(string format, params object[] arg) => Append(string.Format(format, arg));

    public void Write(string value) => Append(value);

    public void WriteLine(string format, params object[] arg) => Append(string.Format(format, arg) + "\n");

    public void WriteLine(string value) => Append(value + "\n");

    public void WriteError(string format, params object[] arg) => Append(string.Format(format, arg));

    public void WriteError(string value) => Append(value);

    public void WriteErrorLine(string format, params object[] arg) => Append(string.Format(format, arg) + "\n");

    public void WriteErrorLine(string value) => Append(value + "\n");

    public void ResetColor()
    {
    }

    private void Append(string text)
    {
        lock (_text)
        {
            _text.Append(text);
        }
    }
}
