using System.Globalization;
using Scouter.Cli.Arguments;
using Scouter.Core.Interop;
using Scouter.Core.Modules;

namespace Scouter.Cli.Commands;

/// <summary>
/// The <c>args</c> namespace a checkpoint records: every flag by its official name, typed as argparse would
/// leave it after the sweep loop picked one value per sweep flag.
/// </summary>
internal static class OfficialArgsFactory
{
    public static OfficialArgs From(ParsedArguments args)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var flag in FlagTable.All)
        {
            var text = args.Text(flag.Name);
            values[flag.Name] = text is null ? null : flag.Kind switch
            {
                FlagKind.Integer => (object)long.Parse(text, CultureInfo.InvariantCulture),
                FlagKind.Number => FlagValues.ParseNumber(text),
                FlagKind.Boolean or FlagKind.Switch => FlagValues.ParseBoolean(text)!.Value,
                FlagKind.IntegerList when !text.Contains(',') => long.Parse(text, CultureInfo.InvariantCulture),
                FlagKind.NumberList when !text.Contains(',') => FlagValues.ParseNumber(text),
                _ => text,
            };
        }

        return new OfficialArgs(values);
    }

    /// <summary>
    /// The flags with <c>channel</c> and <c>num_classes</c> as the built <paramref name="head"/> has them: the backbone
    /// decides the channels and the data set can have fewer classes than asked for, and the official code builds its
    /// head from these two flags.
    /// </summary>
    public static ParsedArguments Describing(ParsedArguments args, ClassifierHead head) => args.With(new Dictionary<string, string>
    {
        ["channel"] = head.Channels.ToString(CultureInfo.InvariantCulture),
        ["num_classes"] = head.NumClasses.ToString(CultureInfo.InvariantCulture),
    });
}
