using System.Globalization;

namespace Scouter.Cli.Arguments;

/// <summary>Reads flag values with the official scripts' syntax.</summary>
internal static class FlagValues
{
    private static readonly string[] TrueWords = ["yes", "true", "t", "y", "1"];
    private static readonly string[] FalseWords = ["no", "false", "f", "n", "0"];

    /// <summary>The official <c>str2bool</c>: yes/true/t/y/1 or no/false/f/n/0, any case; null for anything else.</summary>
    public static bool? ParseBoolean(string text)
    {
        var word = text.Trim().ToLowerInvariant();
        return TrueWords.Contains(word) ? true : FalseWords.Contains(word) ? false : null;
    }

    /// <summary>A Python float literal (<c>.2</c>, <c>1.</c>, <c>1e-4</c>, <c>-1</c>); NaN and infinities are refused.</summary>
    public static double ParseNumber(string text)
    {
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        throw new FormatException($"'{text}' is not a finite number");
    }

    public static IEnumerable<string> SplitList(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Checks that <paramref name="text"/> is a valid value of <paramref name="spec"/>; returns a reason when it is not.</summary>
    public static string? Problem(FlagSpec spec, string text)
    {
        switch (spec.Kind)
        {
            case FlagKind.Integer:
                return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : IntegerProblem(text);
            case FlagKind.Number:
                return IsNumber(text) ? null : "a number";
            case FlagKind.Boolean or FlagKind.Switch:
                return ParseBoolean(text) is null ? "a boolean: yes/true/t/y/1 or no/false/f/n/0" : null;
            case FlagKind.IntegerList:
                var ints = SplitList(text).ToList();
                return ints.Count > 0 && ints.All(v => int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    ? null
                    : ints.FirstOrDefault(v => !int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) is { } bad && IsWholeNumber(bad)
                        ? $"an integer or a comma list of integers: {bad} is out of the integer range ({int.MinValue} to {int.MaxValue})"
                        : "an integer or a comma list of integers";
            case FlagKind.NumberList:
                var numbers = SplitList(text).ToList();
                return numbers.Count > 0 && numbers.All(IsNumber) ? null : "a number or a comma list of numbers";
            default:
                return null;
        }
    }

    // Digits that do not fit an int are a value out of range, not a word that is no integer.
    private static string IntegerProblem(string text) =>
        IsWholeNumber(text) ? $"an integer in the range {int.MinValue} to {int.MaxValue}" : "an integer";

    private static bool IsWholeNumber(string text) =>
        System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static bool IsNumber(string text)
    {
        try
        {
            ParseNumber(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
