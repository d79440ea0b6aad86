using System.Globalization;

namespace Codis.Core.Config;

/// <summary>
/// A byte count written the Codis way (<c>pkg/utils/bytesize</c>): <c>"32mb"</c>, <c>"128kb"</c>,
/// <c>"1.5k"</c>, plain digits. Units are lower case, powers of 1024.
/// </summary>
/// <param name="Bytes">The number of bytes.</param>
[System.Text.Json.Serialization.JsonConverter(typeof(ByteSizeJsonConverter))]
public readonly record struct ByteSize(long Bytes)
{
    private const long Kb = 1L << 10;
    private const long Mb = 1L << 20;
    private const long Gb = 1L << 30;
    private const long Tb = 1L << 40;
    private const long Pb = 1L << 50;

    /// <summary>Parses <c>[spaces] number [spaces] [unit] [spaces]</c>; a fractional number is truncated after scaling.</summary>
    /// <exception cref="FormatException"><c>invalid bytesize</c> or <c>invalid bytesize unit</c>.</exception>
    public static ByteSize Parse(string text)
    {
        ReadOnlySpan<char> s = text.AsSpan().Trim(' ');
        int i = 0;
        if (i < s.Length && s[i] == '-')
            i++;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            i++;
        ReadOnlySpan<char> number = s[..i];
        ReadOnlySpan<char> unit = s[i..].TrimStart(' ');
        if (number.Length == 0 || (number.Length == 1 && number[0] == '-'))
            throw new FormatException("invalid bytesize");
        foreach (char c in unit)
        {
            if (!char.IsAsciiLetterLower(c))
                throw new FormatException("invalid bytesize");
        }
        long scale = unit switch
        {
            "" or "b" => 1,
            "k" or "kb" => Kb,
            "m" or "mb" => Mb,
            "g" or "gb" => Gb,
            "t" or "tb" => Tb,
            "p" or "pb" => Pb,
            _ => throw new FormatException("invalid bytesize unit"),
        };
        if (!number.Contains('.'))
        {
            if (!long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                throw new FormatException("invalid bytesize");
            try
            {
                return new ByteSize(checked(n * scale));
            }
            catch (OverflowException)
            {
                throw new FormatException("invalid bytesize");
            }
        }
        if (!double.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double f))
            throw new FormatException("invalid bytesize");
        double v = f * scale;
        if (double.IsNaN(v) || v >= 9.2233720368547758E18 || v < -9.2233720368547758E18)
            throw new FormatException("invalid bytesize");
        return new ByteSize((long)v);
    }

    /// <summary>The Codis text form: <c>"0"</c>, <c>"&lt;n&gt;pb|tb|gb|mb|kb"</c> for exact multiples, else the digits.</summary>
    public override string ToString()
    {
        long b = Bytes;
        if (b == 0)
            return "0";
        long abs = b == long.MinValue ? long.MaxValue : Math.Abs(b);
        string Fmt(long unit, string name) => (b / unit).ToString(CultureInfo.InvariantCulture) + name;
        return abs % Pb == 0 ? Fmt(Pb, "pb")
            : abs % Tb == 0 ? Fmt(Tb, "tb")
            : abs % Gb == 0 ? Fmt(Gb, "gb")
            : abs % Mb == 0 ? Fmt(Mb, "mb")
            : abs % Kb == 0 ? Fmt(Kb, "kb")
            : b.ToString(CultureInfo.InvariantCulture);
    }
}
