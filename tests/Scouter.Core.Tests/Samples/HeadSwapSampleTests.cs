using HeadSwap;
using Scouter.Core.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Samples;

public sealed class HeadSwapSampleTests
{
    // The sample's recipe at a quarter of its pixels: 32 px images and an 8×8 map instead of 16×16 (about 5 s of CPU per seed
    // on an idle core).
    private static readonly HeadSwapSettings Reduced = new() { ImageSize = 32 };

    [Fact]
    public void Quadrant_task_puts_the_square_inside_the_labelled_quadrant_and_none_in_the_fifth_class()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var (images, labels) = QuadrantTask.Batch(64, 32, CPU);
        var quadrants = QuadrantTask.Quadrants(labels, 32);
        var none = labels.eq(QuadrantTask.None);
        var expectedShare = where(none, tensor(0f), tensor(0.25f));
        var bright = images.min(1).values.gt(0.45f);   // noise < 0.3, square ≥ 0.5 in every channel

        none.any().item<bool>().Should().BeTrue("64 draws of five classes include the fifth");
        none.all().item<bool>().Should().BeFalse();
        quadrants.to(ScalarType.Float32).mean([1L, 2L]).allclose(expectedShare).Should().BeTrue("a quadrant is a quarter of the image; the fifth class has none");
        bright.logical_and(quadrants.logical_not()).any().item<bool>().Should().BeFalse("no square pixel lies outside its quadrant");
        bright.to(ScalarType.Float32).sum([1L, 2L]).eq(where(none, tensor(0f), tensor(64f))).all().item<bool>()
            .Should().BeTrue("each image of a quadrant class holds one 8×8 square, and the others none");
        bright.eq(QuadrantTask.Squares(labels, 32)).all().item<bool>().Should().BeTrue("Squares marks exactly the painted pixels");
    }

    [Fact]
    public void Evaluate_scores_the_label_class_map_against_quadrant_and_square_over_the_images_with_a_square()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(new long[] { 0, 1, 2, 3, QuadrantTask.None });
        // Maps at the image's size, so upsampling leaves them as they are. Every other class peaks higher, far away:
        // only the label's map may count.
        var maps = zeros(5, 5, 32, 32);
        maps[.., .., 30, 30] = tensor(2f);
        (int Row, int Col)[] peaks = [(6, 6), (2, 17), (5, 5), (24, 24), (0, 0)];   // square, quadrant only, wrong quadrant, square, no square
        for (var i = 0; i < 5; i++)
        {
            maps[i, i] = zeros(32, 32);
            maps[i, i, peaks[i].Row, peaks[i].Col] = tensor(1f);
        }

        var scores = eye(5);
        scores[2] = tensor(new float[] { 1, 0, 0, 0, 0 });   // image 2 (bottom-left) predicted top-left
        var result = HeadSwapRecipe.Evaluate(new HeadOutput(scores, null, maps), labels, 32);

        result.Accuracy.Should().Be(0.8, "four of five images are classified right");
        result.PointingGame.Should().Be(0.75, "the image without a square does not count");
        result.PointingByClass.Should().Equal(1.0, 1.0, 0.0, 1.0);
        result.OnSquare.Should().Be(0.5);
    }

    [Fact]
    public void Reduced_sample_classifies_and_its_maps_point_at_the_squares_quadrant()
    {
        using var threads = new SingleThread();
        var results = new[] { 0, 1, 2 }.Select(seed => TrainAndEvaluate(Reduced with { Seed = seed })).ToList();

        // Measured with one thread over seeds 0–9: pointing game 0.72–1.00 (mean 0.92; seeds 0–2: 0.99, 1.00, 1.00) and
        // accuracy 0.80–1.00. The worst three seeds average 0.77 pointing (README of the sample); another CPU's kernels
        // train other models from the same seeds, so the bounds leave room for that.
        results.Average(r => r.Accuracy).Should().BeGreaterThanOrEqualTo(0.7);
        results.Average(r => r.PointingGame).Should().BeGreaterThanOrEqualTo(0.7, "the maps peak in the square's quadrant (chance is 0.25)");
    }

    private static HeadSwapResult TrainAndEvaluate(HeadSwapSettings settings)
    {
        using var model = HeadSwapRecipe.Train(settings, CPU);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(12345);
        var (images, labels) = QuadrantTask.Batch(settings.ValidationImages, settings.ImageSize, CPU);
        using var output = model.ForwardDetailed(images);
        return HeadSwapRecipe.Evaluate(output, labels, settings.ImageSize);
    }

    // One LibTorch thread: under load on 2 cores it trains several times faster than two.
    private sealed class SingleThread : IDisposable
    {
        private readonly int previous = get_num_threads();

        public SingleThread() => set_num_threads(1);

        public void Dispose() => set_num_threads(previous);
    }
}
