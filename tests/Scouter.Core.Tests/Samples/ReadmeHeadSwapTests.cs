using Scouter.Core.Backbones;
using Scouter.Core.Compat;
using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Metrics;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Samples;

/// <summary>
/// The README's "Swap a head" program, line for line, run on a small batch: it compiles as the README writes it, and
/// a test fails when the two drift apart.
/// </summary>
public sealed class ReadmeHeadSwapTests
{
    private const string SourceFile = "tests/Scouter.Core.Tests/Samples/ReadmeHeadSwapTests.cs";

    // The README's loop header stands for "each batch"; here two batches run.
    private const string LoopPlaceholder = "for (/* each batch */;;)";

    [Fact]
    public void Every_line_of_the_readme_snippet_stands_in_this_test()
    {
        var root = RepositoryRoot();
        var snippet = ReadmeSnippet(File.ReadAllText(Path.Combine(root, "README.md")));
        var source = File.ReadAllLines(Path.Combine(root, SourceFile)).Select(line => line.Trim()).ToHashSet(StringComparer.Ordinal);

        snippet.Should().Contain(LoopPlaceholder).And.HaveCountGreaterThan(20);
        snippet.Where(line => line != LoopPlaceholder).Should().OnlyContain(line => source.Contains(line), "the README's code must be the code this test runs");
    }

    [Fact]
    public void The_readme_snippet_trains_and_explains()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var images = rand(5, 3, 32, 32);
        var labels = tensor(new long[] { 0, 1, 2, 3, 4 });
        var regions = ones([5, 32, 32], ScalarType.Bool);
        string[] names = ["top-left", "top-right", "bottom-left", "bottom-right", "none"];
        var losses = new List<double>();
        var directory = Directory.CreateTempSubdirectory("readme-headswap-");
        var outputDir = directory.FullName;

        try
        {
            // A backbone that yields a feature map [B, C, h, w]: here a ResNet-18 cut after layer1 (C = 64, h = w = H/4).
            var resnet = TorchVisionBackbones.Create("resnet18").Features;
            var backbone = nn.Sequential(resnet.named_children().TakeWhile(c => c.name != "layer2")
                .Select(c => (c.name, (nn.Module<Tensor, Tensor>)c.module)).ToArray());

            var head = new ClassifierHeadOptions { Channels = 64, NumClasses = 5, SlotsPerClass = 1 };
            var model = ScouterModel.Create(backbone, XSlotClassifier.Create(head));
            var loss = ScouterLoss.Create(new ScouterLossOptions { Lambda = 10, Power = 2 });
            var optimizer = new ScalarSafeAdamW(model.parameters(), lr: 1e-4, weight_decay: 0.01); // the official settings

            for (var batch = 0; batch < 2; batch++)
            {
                using var step = NewDisposeScope();           // keeps native memory flat
                optimizer.zero_grad();
                var output = model.ForwardDetailed(images);   // Scores [B, n], SlotAttention, ClassMaps [B, n, h, w]
                var result = loss.call(output, labels);       // Total, Nll, Area
                result.Total.backward();
                optimizer.step();
                losses.Add(result.Total.item<float>());
            }

            // Explanations: the same forward pass, as tensors.
            model.eval();
            using var explained = model.ForwardDetailed(images);
            using var onImage = ExplanationMaps.Upsample(explained.ClassMaps!, images.shape[2], images.shape[3]);
            // Does the label's map peak where the evidence is? regions [B, H, W]: true where it is.
            using var hits = PointingGame.Hits(ExplanationMaps.SelectClass(onImage, labels), regions, tolerance: 0);
            // Pictures a person can read: each image beside every class's map, with class names and probabilities.
            using var panels = new PanelRenderer(new PanelOptions { ClassNames = names, TopK = 5 })
                .Render(ImageTensors.ToUInt8(images), explained, labels);
            panels.Save(outputDir, "image_");                 // image_0.png, image_1.png, …

            losses.Should().OnlyContain(l => double.IsFinite(l) && l > 0);
            explained.Scores.shape.Should().Equal(5, 5);
            explained.ClassMaps!.shape.Should().Equal(5, 5, 8, 8);   // 32 px at output stride 4
            onImage.shape.Should().Equal(5, 5, 32, 32);
            hits.shape.Should().Equal(5);
            hits.all().item<bool>().Should().BeTrue("every pixel is evidence here, so every peak is a hit");
            Enumerable.Range(0, 5).Select(i => Path.Combine(outputDir, $"image_{i}.png"))
                .Should().OnlyContain(path => File.Exists(path) && new FileInfo(path).Length > 0);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static IReadOnlyList<string> ReadmeSnippet(string readme)
    {
        var section = readme.IndexOf("## Swap a head", StringComparison.Ordinal);
        section.Should().BeGreaterThanOrEqualTo(0, "README.md has a section \"Swap a head\"");
        var start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        var end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return readme[start..end].Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToList();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "README.md")) && File.Exists(Path.Combine(directory.FullName, SourceFile)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root above {AppContext.BaseDirectory}.");
    }
}
