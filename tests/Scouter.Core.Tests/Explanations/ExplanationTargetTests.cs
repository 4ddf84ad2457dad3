using Scouter.Core.Explanations;
using Scouter.Core.Options;
using Scouter.Core.Tests.Support;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Explanations;

public sealed class ExplanationTargetTests
{
    [Fact]
    public void ClassTarget_PicksEachRowsClass_ThroughTheRowsImage()
    {
        using var outputs = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }).view(3, 3);
        using var rows = tensor(new long[] { 1, 0, 1 }); // rows 0 and 2 belong to image 1, row 1 to image 0
        var target = ExplanationTarget.Class(2, 0);

        using var scores = target.Score(outputs, rows);

        // image 1 → class 0: rows 0 and 2 give 1 and 7; image 0 → class 2: row 1 gives 6.
        scores.data<float>().ToArray().Should().Equal(1, 6, 7);
    }

    [Fact]
    public void NotClassTarget_NegatesTheScore_AndComplementsTheProbability()
    {
        using var outputs = tensor(new float[] { 0, (float)Math.Log(3) }).view(1, 2); // softmax = (1/4, 3/4)
        var not = ExplanationTarget.NotClass(1);

        using var score = not.Score(outputs);
        using var probability = not.Probability(outputs);
        using var weights = not.OutputWeights(2, CPU);

        score.item<float>().Should().BeApproximately(-(float)Math.Log(3), 1e-6f);
        probability.item<float>().Should().BeApproximately(0.25f, 1e-6f);
        weights.data<float>().ToArray().Should().Equal(0, -1);
    }

    [Fact]
    public void For_ChoosesTheQuestionOfThePolarity()
    {
        using var classes = tensor(new long[] { 3 });
        ExplanationTarget.For(ScouterPolarity.Positive, classes).Should().BeOfType<ClassTarget>();
        ExplanationTarget.For(ScouterPolarity.Negative, classes).Should().BeOfType<NotClassTarget>();
    }

    [Fact]
    public void Slice_AndSelect_KeepTheImagesClasses()
    {
        var target = ExplanationTarget.Class(4, 5, 6);
        ((ClassTarget)target.Slice(1, 2)).Classes.Should().Equal(5, 6);
        ((ClassTarget)target.Select([2, 2, 0])).Classes.Should().Equal(6, 6, 4);
    }

    [Fact]
    public void Score_RejectsAClassTheModelDoesNotHave()
    {
        using var outputs = zeros(1, 3);
        var act = () => ExplanationTarget.Class(3).Score(outputs);
        act.Should().Throw<ArgumentException>().WithMessage("*class 3*3 outputs*");
    }

    [Fact]
    public void Class_RejectsFloatIndices()
    {
        using var classes = tensor(new float[] { 1 });
        var act = () => ExplanationTarget.Class(classes);
        act.Should().Throw<ArgumentException>().WithMessage("*integer class indices*Float32*");
    }
}
