using Scouter.Core.Explanations;
using Scouter.Core.Options;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class ClassSelectionTests
{
    [Fact]
    public void ForPolarity_PicksMostLikelyForPositive_AndLeastLikelyForNegative()
    {
        using var scores = tensor(new float[] { 0.1f, 2, -1, 0.5f }).view(1, 4);

        using var positive = ClassSelection.ForPolarity(scores, 2, ScouterPolarity.Positive);
        using var negative = ClassSelection.ForPolarity(scores, 2, ScouterPolarity.Negative);

        positive.data<long>().ToArray().Should().Equal(1, 3);
        negative.data<long>().ToArray().Should().Equal(2, 0);
    }

    [Fact]
    public void MostLikely_RejectsMoreClassesThanTheModelHas()
    {
        using var scores = zeros(1, 3);
        var act = () => ClassSelection.MostLikely(scores, 4);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*number of classes (3)*");
    }
}
