using Scouter.Core.Modules;

namespace Scouter.Core.Training;

/// <summary>
/// Where each of our optimizer's parameters stands in the official model's optimizer. PyTorch keys optimizer state
/// by position in <c>[p for p in model.parameters() if p.requires_grad]</c>, and the official model has two
/// parameters we do not: the unused <c>slot.to_q.0.weight/bias</c>, right after <c>slot.initial_slots</c>. Our FC
/// head's <c>fc.*</c> is the official <c>backbone.fc.*</c>; both come last, so positions agree.
/// </summary>
internal sealed class OfficialParameterOrder
{
    private OfficialParameterOrder(IReadOnlyList<string> officialNames, IReadOnlyList<int> officialIndexOfOurs)
    {
        OfficialNames = officialNames;
        OfficialIndexOfOurs = officialIndexOfOurs;
    }

    /// <summary>Official names of the official optimizer's parameters, in its order.</summary>
    public IReadOnlyList<string> OfficialNames { get; }

    /// <summary>For our trainable parameter <c>i</c> (in <c>model.parameters()</c> order), its official position.</summary>
    public IReadOnlyList<int> OfficialIndexOfOurs { get; }

    /// <summary>Computes the order for a model's current trainable parameters.</summary>
    /// <param name="model">The model.</param>
    public static OfficialParameterOrder For(ScouterModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var ours = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => OfficialName(p.name)).ToList();
        var official = new List<string>(ours.Count + 2);
        foreach (var name in ours)
        {
            official.Add(name);
            if (name == "slot.initial_slots")
            {
                official.Add("slot.to_q.0.weight");
                official.Add("slot.to_q.0.bias");
            }
        }

        var position = official.Select((name, index) => (name, index)).ToDictionary(e => e.name, e => e.index);
        return new OfficialParameterOrder(official, ours.Select(name => position[name]).ToList());
    }

    private static string OfficialName(string name) =>
        name.StartsWith("fc.", StringComparison.Ordinal) ? "backbone." + name : name;
}
