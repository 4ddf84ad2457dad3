using System.Globalization;

namespace Scouter.Cli.Arguments;

/// <summary>
/// One run of a sweep: a value for each sweepable flag (num_classes, lambda_value, power, slots_per_class) and
/// the repetition index (<c>--iterated_evaluation_num</c>).
/// </summary>
internal sealed record SweepSetting(int NumClasses, double Lambda, double Power, int SlotsPerClass, int Repetition)
{
    /// <summary>Every combination of the comma lists, in the official nesting order, each repeated as asked.</summary>
    public static IReadOnlyList<SweepSetting> Expand(ParsedArguments args)
    {
        var repetitions = args.Integer("iterated_evaluation_num");
        if (repetitions < 1)
        {
            throw new UsageException($"--iterated_evaluation_num must be at least 1; got {repetitions}.");
        }

        return (from numClasses in args.IntegerList("num_classes")
                from lambda in args.NumberList("lambda_value")
                from power in args.NumberList("power")
                from slots in args.IntegerList("slots_per_class")
                from repetition in Enumerable.Range(0, repetitions)
                select new SweepSetting(numClasses, lambda, power, slots, repetition)).ToList();
    }

    /// <summary>The flag values of this setting, to apply over the parsed arguments.</summary>
    public IReadOnlyDictionary<string, string> AsFlags() => new Dictionary<string, string>
    {
        ["num_classes"] = NumClasses.ToString(CultureInfo.InvariantCulture),
        ["lambda_value"] = Lambda.ToString("R", CultureInfo.InvariantCulture),
        ["power"] = Power.ToString("R", CultureInfo.InvariantCulture),
        ["slots_per_class"] = SlotsPerClass.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The subfolder of <c>--output_dir</c> where this setting's run is written, e.g. <c>sweep_n10_lambda1_power2_slots3_run1</c>.</summary>
    public string FolderName =>
        string.Create(CultureInfo.InvariantCulture, $"sweep_n{NumClasses}_lambda{Lambda:R}_power{Power:R}_slots{SlotsPerClass}_run{Repetition + 1}");

    /// <summary>A short label such as <c>n=10 λ=1 p=2 s=3 #1</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"n={NumClasses} λ={Lambda} p={Power} s={SlotsPerClass} #{Repetition + 1}");
}
