namespace Codis.Admin.CommandLine;

/// <summary>
/// docopt's matching for the forms of <see cref="Usage"/>: each usage line is parsed into a pattern tree
/// (<c>[..]</c> optional, <c>(..)</c> required, <c>|</c> alternatives, <c>--name=ARG</c> options that take a value,
/// <c>--name</c> and <c>-v</c> switches, bare words as commands), the command line into options and words, and
/// the first form that consumes every item wins. Options match in any order, as docopt allows; a word must come
/// in its place among the words.
/// </summary>
internal static class FormMatcher
{
    private static readonly Lazy<Grammar> Parsed = new(() => Grammar.Parse(Usage.Text));

    /// <summary>The forms, in usage order (for tests and diagnostics).</summary>
    public static IReadOnlyList<string> Forms => Parsed.Value.FormTexts;

    /// <summary>
    /// Matches <paramref name="args"/> against every form. Returns the arguments of the first form that
    /// matches, or null when none does (or when an option is unknown or lacks its value).
    /// </summary>
    public static ParsedArgs? Match(IReadOnlyList<string> args)
    {
        Grammar g = Parsed.Value;
        List<ArgItem>? items = Tokenize(args, g);
        if (items is null)
            return null;
        for (int i = 0; i < g.Forms.Count; i++)
        {
            if (g.Forms[i].Match(items).Any(left => left.Count == 0))
                return new ParsedArgs(i, items);
        }
        return null;
    }

    /// <summary>True when the arguments ask for the help text (<c>-h</c>, <c>--help</c>).</summary>
    public static bool IsHelp(IReadOnlyList<string> args) => args.Any(a => a is "-h" or "--help");

    private static List<ArgItem>? Tokenize(IReadOnlyList<string> args, Grammar g)
    {
        var items = new List<ArgItem>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                items.AddRange(args.Skip(i + 1).Select(w => new ArgItem(false, w, null)));
                break;
            }
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = a.IndexOf('=');
                string? name = g.ResolveLong(eq < 0 ? a : a[..eq]);
                if (name is null)
                    return null;
                string? value = eq < 0 ? null : a[(eq + 1)..];
                if (g.TakesArg[name])
                {
                    if (value is null)
                    {
                        if (i + 1 >= args.Count)
                            return null;
                        value = args[++i];
                    }
                }
                else if (value is not null)
                {
                    return null;
                }
                items.Add(new ArgItem(true, name, value));
            }
            else if (a.Length > 1 && a[0] == '-')
            {
                // Stacked switches (-v1) or one option with its value (-aAUTH, -a AUTH).
                for (int k = 1; k < a.Length; k++)
                {
                    if (!g.Short.TryGetValue("-" + a[k], out string? name))
                        return null;
                    if (!g.TakesArg[name])
                    {
                        items.Add(new ArgItem(true, name, null));
                        continue;
                    }
                    string value;
                    if (k + 1 < a.Length)
                        value = a[(k + 1)..];
                    else if (i + 1 < args.Count)
                        value = args[++i];
                    else
                        return null;
                    items.Add(new ArgItem(true, name, value));
                    break;
                }
            }
            else
            {
                items.Add(new ArgItem(false, a, null));
            }
        }
        return items;
    }

    /// <summary>The forms and the option table read from the usage text.</summary>
    private sealed class Grammar
    {
        public List<Pattern> Forms { get; } = [];

        public List<string> FormTexts { get; } = [];

        /// <summary>Every option's canonical name → whether it takes a value.</summary>
        public Dictionary<string, bool> TakesArg { get; } = new(StringComparer.Ordinal);

        /// <summary>Short spelling (<c>-a</c>, <c>-v</c>) → canonical name.</summary>
        public Dictionary<string, string> Short { get; } = new(StringComparer.Ordinal);

        public static Grammar Parse(string text)
        {
            var g = new Grammar();
            bool options = false;
            foreach (string raw in text.Split('\n'))
            {
                string line = raw.Trim();
                if (line.StartsWith("Options:", StringComparison.Ordinal))
                {
                    options = true;
                    continue;
                }
                if (options && line.StartsWith('-'))
                {
                    // "-a AUTH, --auth=AUTH": an alias of a long option that takes a value.
                    string[] parts = line.Split(',', StringSplitOptions.TrimEntries);
                    string shortName = parts[0].Split(' ')[0];
                    string longName = parts[1].Split('=')[0];
                    g.Short[shortName] = longName;
                    g.TakesArg[longName] = true;
                    continue;
                }
                if (!line.StartsWith("codis-admin ", StringComparison.Ordinal))
                    continue;
                var tokens = new Queue<string>(Lex(line["codis-admin ".Length..]));
                Pattern form = g.ParseExpr(tokens);
                if (tokens.Count > 0)
                    throw new InvalidOperationException($"usage line has an unbalanced '{tokens.Peek()}': {line}");
                g.Forms.Add(form);
                g.FormTexts.Add(line);
            }
            return g;
        }

        /// <summary>An exact long name, or the only one it is a prefix of (docopt accepts unique prefixes).</summary>
        public string? ResolveLong(string name)
        {
            if (TakesArg.ContainsKey(name))
                return name;
            string[] candidates = TakesArg.Keys.Where(k => k.StartsWith("--", StringComparison.Ordinal) && k.StartsWith(name, StringComparison.Ordinal)).ToArray();
            return candidates.Length == 1 ? candidates[0] : null;
        }

        private static IEnumerable<string> Lex(string line)
        {
            foreach (char c in "[]()|")
                line = line.Replace(c.ToString(), $" {c} ", StringComparison.Ordinal);
            return line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        private Pattern ParseExpr(Queue<string> tokens)
        {
            var alternatives = new List<Pattern> { ParseSeq(tokens) };
            while (tokens.Count > 0 && tokens.Peek() == "|")
            {
                tokens.Dequeue();
                alternatives.Add(ParseSeq(tokens));
            }
            return alternatives.Count == 1 ? alternatives[0] : new Either(alternatives);
        }

        private Required ParseSeq(Queue<string> tokens)
        {
            var seq = new List<Pattern>();
            while (tokens.Count > 0 && tokens.Peek() is not ("|" or "]" or ")"))
            {
                string t = tokens.Dequeue();
                switch (t)
                {
                    case "[":
                        seq.Add(new Optional(ParseExpr(tokens)));
                        Expect(tokens, "]");
                        break;
                    case "(":
                        seq.Add(ParseExpr(tokens));
                        Expect(tokens, ")");
                        break;
                    default:
                        seq.Add(Leaf(t));
                        break;
                }
            }
            return new Required(seq);
        }

        private static void Expect(Queue<string> tokens, string closing)
        {
            if (tokens.Count == 0 || tokens.Dequeue() != closing)
                throw new InvalidOperationException($"usage text: missing '{closing}'");
        }

        private Pattern Leaf(string token)
        {
            if (!token.StartsWith('-'))
                return new CommandLeaf(token);
            int eq = token.IndexOf('=');
            string name = eq < 0 ? token : token[..eq];
            TakesArg[name] = eq >= 0 || (TakesArg.TryGetValue(name, out bool known) && known);
            if (!name.StartsWith("--", StringComparison.Ordinal))
                Short[name] = name;
            return new OptionLeaf(name);
        }
    }

    /// <summary>A node of a form; <see cref="Match"/> yields every way it can consume items, as the items left.</summary>
    private abstract class Pattern
    {
        public abstract IEnumerable<List<ArgItem>> Match(List<ArgItem> left);
    }

    private sealed class OptionLeaf(string name) : Pattern
    {
        public override IEnumerable<List<ArgItem>> Match(List<ArgItem> left)
        {
            int i = left.FindIndex(x => x.IsOption && x.Name == name);
            if (i >= 0)
                yield return Without(left, i);
        }
    }

    private sealed class CommandLeaf(string word) : Pattern
    {
        public override IEnumerable<List<ArgItem>> Match(List<ArgItem> left)
        {
            // Words are positional: only the first word left may match.
            int i = left.FindIndex(x => !x.IsOption);
            if (i >= 0 && left[i].Name == word)
                yield return Without(left, i);
        }
    }

    private sealed class Required(List<Pattern> children) : Pattern
    {
        public override IEnumerable<List<ArgItem>> Match(List<ArgItem> left)
        {
            IEnumerable<List<ArgItem>> states = [left];
            foreach (Pattern child in children)
            {
                Pattern c = child;
                states = states.SelectMany(s => c.Match(s)).ToList();
            }
            return states;
        }
    }

    private sealed class Optional(Pattern child) : Pattern
    {
        public override IEnumerable<List<ArgItem>> Match(List<ArgItem> left) => child.Match(left).Append(left);
    }

    private sealed class Either(List<Pattern> alternatives) : Pattern
    {
        public override IEnumerable<List<ArgItem>> Match(List<ArgItem> left) => alternatives.SelectMany(a => a.Match(left));
    }

    private static List<ArgItem> Without(List<ArgItem> list, int index)
    {
        var copy = new List<ArgItem>(list);
        copy.RemoveAt(index);
        return copy;
    }
}

/// <summary>One item of the command line: an option (canonical name, value or null for a switch) or a word.</summary>
internal sealed record ArgItem(bool IsOption, string Name, string? Value);
