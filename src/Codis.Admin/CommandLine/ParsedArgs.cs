using System.Globalization;

namespace Codis.Admin.CommandLine;

/// <summary>
/// The arguments of a matched form, read as Codis's <c>utils.Argument*</c> helpers read docopt's map: an
/// option given with an empty value fails (<c>option X requires an argument</c>), a required one that is
/// absent fails (<c>option X is required</c>), an integer that is not one fails (<c>option X isn't a valid integer</c>).
/// </summary>
internal sealed class ParsedArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _words = new(StringComparer.Ordinal);

    /// <summary>Arguments of form <paramref name="form"/> (index into <see cref="FormMatcher.Forms"/>).</summary>
    public ParsedArgs(int form, IEnumerable<ArgItem> items)
    {
        Form = form;
        foreach (ArgItem item in items)
        {
            if (item.IsOption)
                _options[item.Name] = item.Value;
            else
                _words.Add(item.Name);
        }
    }

    /// <summary>Index of the matched form in usage order.</summary>
    public int Form { get; }

    /// <summary>The words given (<c>config</c>, <c>model</c>, ...).</summary>
    public IReadOnlyCollection<string> Words => _words;

    /// <summary>True when the switch, the option or the word was given.</summary>
    public bool Has(string name) => _options.ContainsKey(name) || _words.Contains(name);

    /// <summary>The option's value as given (possibly empty), or null when absent.</summary>
    public string? Raw(string name) => _options.TryGetValue(name, out string? v) ? v : null;

    /// <summary>The option's value, or null when the option is absent.</summary>
    /// <exception cref="AdminFailure">Given with an empty value.</exception>
    public string? Get(string name)
    {
        if (!_options.TryGetValue(name, out string? v) || v is null)
            return null;
        return v.Length > 0 ? v : throw new AdminFailure($"option {name} requires an argument");
    }

    /// <summary>The option's value.</summary>
    /// <exception cref="AdminFailure">Absent or empty.</exception>
    public string Must(string name) => Get(name) ?? throw new AdminFailure($"option {name} is required");

    /// <summary>The option's integer value, or null when absent.</summary>
    /// <exception cref="AdminFailure">Empty or not a decimal integer.</exception>
    public int? GetInt(string name)
    {
        string? v = Get(name);
        if (v is null)
            return null;
        return int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n
            : throw new AdminFailure($"option {name} isn't a valid integer", $"strconv.Atoi: parsing \"{v}\": invalid syntax");
    }

    /// <summary>The option's integer value.</summary>
    /// <exception cref="AdminFailure">Absent, empty or not an integer.</exception>
    public int MustInt(string name) => GetInt(name) ?? throw new AdminFailure($"option {name} is required");
}
